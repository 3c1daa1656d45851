"""Spread independent pieces of work (briefs to parse and render, pages to render) over the machine's cores.

Workers are forked, so they start with everything the parent built (the config, the board model, the
compiled layouts) and only indices and results cross between processes; the parent may work as one of
them. Where fork is not available (Windows) or not safe (other threads are running, as in `board serve`),
or the work is too small to pay for starting processes, it runs here, in order. Either way the results are the same, in the same order,
and so is the error raised when items fail: the first failing item's (an error must pickle to cross back
from a worker).
"""

from __future__ import annotations

import gc
import itertools
import multiprocessing
import os
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

# Below this many items the work runs in this process: starting a pool (~40 ms) costs more than it saves.
MIN_ITEMS = 150
MIN_BACKGROUND_ITEMS = 2_000  # files to stat, projects to hash: about 20 ms of work, what a fork of a big build costs
CHUNKS_PER_PROCESS = 4  # small enough chunks that a slow one does not leave a core idle at the end
MAX_CHUNK = 250  # items a process hands back at once: 250 briefs with their bodies are about 4 MB
SWITCH_INTERVAL = 0.0001  # seconds a thread runs before another may take over, while `in_thread` work runs (else 0.005)
IN_FLIGHT = 2  # chunks per process handed out at a time: one being worked on, one waiting

_work: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def default_jobs() -> int:
    return os.cpu_count() or 1


@contextmanager
def collector_settling() -> Iterator[Callable[[], None]]:
    """Run a build without Python's cyclic garbage collector until it calls the function given, once it has
    made what it keeps to the end (the briefs, the model, the plan: a million objects at 100,000 briefs).
    Each collection of the oldest generation scans them all, and a growing heap starts one each time it
    grows by a quarter: 4 to 8 s of a 100,000-brief rebuild. Settled, they are frozen (no collection looks
    at them again) and collection resumes for the rest of the build. Leaving unfreezes them, so a process
    that builds again (`board serve`) lets go of the last build's model."""
    enabled = gc.isenabled()
    gc.disable()

    def settle() -> None:
        gc.freeze()
        if enabled:
            gc.enable()

    try:
        yield settle
    finally:
        gc.unfreeze()
        if enabled:
            gc.enable()


def map_in_processes(function: Callable[[Item], Result], items: Sequence[Item], jobs: int | None = None,
                     heavy: int = 0, share: bool = False) -> list[Result]:
    """[function(item) for item in items], over `jobs` processes (default: one per core) when that pays.

    The first `heavy` items are big tasks: each goes to a process alone and is worth one on its own.
    With `share`, this process is one of the `jobs`: for work forked from a parent that holds the whole
    board, where each worker copies most of what it touches (every object read has its reference count
    written), hundreds of megabytes at 100,000 briefs; one worker fewer is one copy fewer."""
    return list(imap_in_processes(function, items, jobs, heavy, share))


def imap_in_processes(function: Callable[[Item], Result], items: Sequence[Item], jobs: int | None = None,
                      heavy: int = 0, share: bool = False) -> Iterator[Result]:
    """`map_in_processes`, each result handed on as it comes, in order: the caller need not hold them all."""
    weight = len(items) + heavy * (MIN_ITEMS // 2 - 1)
    jobs = min(jobs or default_jobs(), weight // (MIN_ITEMS // 2) or 1)
    if jobs < 2 or weight < MIN_ITEMS or not _can_fork():
        yield from (function(item) for item in items)
        return
    global _work
    _work = (function, items)
    size = min(MAX_CHUNK, max(1, -(-(len(items) - heavy) // (jobs * CHUNKS_PER_PROCESS))))
    chunks = [(index, index + 1) for index in range(heavy)]
    chunks += [(start, min(start + size, len(items))) for start in range(heavy, len(items), size)]
    settled = gc.get_freeze_count() > 0  # frozen by the build (`collector_settling`): left frozen after
    gc.freeze()  # the workers' collector leaves the parent's objects alone, so their pages stay shared, not copied
    try:
        with multiprocessing.get_context("fork").Pool(jobs - share, initializer=gc.enable) as pool:  # a worker collects its own garbage
            # Sharing, this process takes every jobs-th chunk itself, between collecting the workers' results.
            # Results are taken in order, so the error raised is the first item's to fail, as when run here,
            # whichever failed first.
            # At most IN_FLIGHT chunks per process are handed out ahead of the one being collected: results
            # that come faster than the caller takes them (a busy machine) wait in the workers, not in memory
            # here (100,000 parsed briefs with their bodies piled up to 1.6 GB).
            waiting = iter(enumerate(chunks))
            pending: deque[tuple[tuple[int, int], Any]] = deque()

            def hand_out() -> None:
                for number, chunk in itertools.islice(waiting, IN_FLIGHT * jobs - len(pending)):
                    pending.append((chunk, None if share and number % jobs == 0 else pool.apply_async(_run_chunk, (chunk,))))

            hand_out()
            while pending:
                chunk, result = pending.popleft()
                hand_out()
                yield from _run_chunk(chunk) if result is None else result.get()
    finally:
        _work = None
        if not settled:
            gc.unfreeze()


def in_background(function: Callable[..., Result], *args: Any, items: int) -> Callable[[], Result]:
    """Start `function(*args)`, work on `items` things, in a forked process and return what waits for its
    result (or raises its error): work the build need not wait for yet, done on a core that would idle
    meanwhile. Where forking is not safe or would cost more than it saves, it is done here, at once, and
    so it is when the process ends without a result (killed). Wait once."""
    if items < MIN_BACKGROUND_ITEMS or not _can_fork():
        result = function(*args)
        return lambda: result
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_send_result, args=(sender, function, args), daemon=True)
    process.start()
    sender.close()

    def wait() -> Result:
        try:
            done, value = receiver.recv()
        except EOFError:
            return function(*args)
        finally:
            receiver.close()
            process.join()
        if not done:
            raise value
        return value
    return wait


def in_thread(function: Callable[..., Result], *args: Any) -> Callable[[], Result]:
    """Start `function(*args)` in a thread of this process and return what waits for its result (or raises its
    error): for work that waits on another program (the Pagefind binary, on the core this process leaves
    idle), where a forked process would copy each page of this one it allocates into (400 MB at 100,000
    briefs). Until it is done, work that would fork is done in this process instead (`_can_fork`). Wait once."""
    switching = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL)

    def run() -> Result:
        try:
            return function(*args)
        finally:
            sys.setswitchinterval(switching)

    threads = ThreadPoolExecutor(max_workers=1)
    result = threads.submit(run)
    threads.shutdown(wait=False)
    return result.result


def _send_result(sender: Any, function: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        outcome = (True, function(*args))
    except Exception as error:  # noqa: BLE001 - handed to the parent, which raises it
        outcome = (False, error)
    sender.send(outcome)


def _can_fork() -> bool:
    """Fork only a single-threaded process: a thread of `board serve` (its HTTP server, its watcher) could
    hold a lock at the moment of the fork, which the child would then wait on forever."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def _run_chunk(bounds: tuple[int, int]) -> list[Any]:
    assert _work is not None
    function, items = _work
    return [function(items[index]) for index in range(*bounds)]
