"""A limit on the processor time a block of Python code may take: the markup stage's defence against
text that sends Python-Markdown into seconds or minutes of work (20 KB of `[](`: 5 s)."""

from __future__ import annotations

import contextlib
import ctypes
import signal
import threading
import time
from collections.abc import Callable, Iterator


class OutOfTime(BaseException):
    """Raised inside the block once its time is up; BaseException, so no `except Exception` swallows it."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise OutOfTime in the block once it has used `seconds` of processor time.

    In a process's main thread (the build, its worker processes) a profiling timer does it: the kernel
    counts the time and a signal interrupts the Python code, at no cost per render. Elsewhere (`board
    serve` builds in a background thread, and only the main thread receives signals) a watchdog thread does."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        watchdog = _Watchdog(seconds)
        try:
            yield
        finally:
            try:
                watchdog.stop()
            finally:
                watchdog.stop()  # the exception may arrive inside the first stop(); stopping twice is harmless
        return

    def out_of_time(signum: int, frame: object) -> None:
        raise OutOfTime

    previous = signal.signal(signal.SIGPROF, out_of_time)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        try:
            signal.setitimer(signal.ITIMER_PROF, 0)
        finally:  # the signal may arrive as the block ends: the handler is put back all the same
            signal.signal(signal.SIGPROF, previous)


class _Watchdog:
    """Raises OutOfTime in the thread that made it once that thread has used `seconds` of processor time.

    Python-Markdown spends its time in Python code, which an asynchronous exception interrupts between
    two bytecodes; unlike a signal, this works in any thread (`board serve` builds in a background
    thread). Processor time, not wall time, so a busy machine does not refuse a brief a quiet one takes."""

    def __init__(self, seconds: float):
        self._target = threading.get_ident()
        self._clock = _thread_clock(self._target)
        self._limit = self._clock() + seconds
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self._fired = False
        self._thread = threading.Thread(target=self._watch, name="markdown-watchdog", daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stopped.wait(0.05):
            if self._clock() > self._limit:
                with self._lock:
                    if not self._stopped.is_set():
                        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self._target), ctypes.py_object(OutOfTime))
                        self._fired = True
                return

    def stop(self) -> None:
        with self._lock:
            self._stopped.set()
        self._thread.join()
        if self._fired:  # fired as the work finished: take back the exception if it has not arrived yet
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self._target), None)


def _thread_clock(ident: int) -> Callable[[], float]:
    """The processor time of thread `ident`, where the system tells it; else wall time."""
    try:
        clock_id = time.pthread_getcpuclockid(ident)
        time.clock_gettime(clock_id)
    except (AttributeError, OSError):
        return time.monotonic
    return lambda: time.clock_gettime(clock_id)
