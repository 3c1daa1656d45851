"""Search stage: the project pages -> one Pagefind bundle per part of the index (see search_parts.py).

The pages carry their own search data (data-pagefind-body, -weight, -filter, -sort and -meta in
layouts/project.html), so this stage only hands Pagefind each page's `<main>`, under the project's URL
with the base path, and takes each bundle back in memory, as files for the writer. Each bundle is
indexed by a Pagefind process of its own, several at once: one process indexes on one core, and holds
in memory only its own bundle's pages. Pagefind's Python API is asynchronous (it drives the pagefind
binary over a pipe); this module is the build's one async island and hides it behind a plain function.

Pagefind never writes to disk here: its `write_files` answers before the binary's background writes
have landed, and closing the service stops the binary, losing any still pending. Asked to write the
example board's bundle 60 times on a busy machine, 4 bundles had a file left empty or cut short
(pagefind-entry.json, wasm.unknown.pagefind, pagefind-ui.js), and a board that served one showed
"Failed to load Pagefind metadata: Unexpected end of JSON input" and no results.
"""

from __future__ import annotations

import asyncio
import base64
import ctypes
import gzip
import html
import importlib.metadata
import json
import os
import re
import threading
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from pagefind.index import IndexConfig
from pagefind.service import PagefindService

from .errors import BoardError, Problem
from .model import Project, Site
from .outputs import OutputFile
from .search_parts import BUNDLE_DIR, OPEN_BUNDLE, bundle_folder


def _installed(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


try:
    _C_LIBRARY: Any = ctypes.CDLL(None)  # this process's C library, for malloc_trim where it is glibc
except OSError:
    _C_LIBRARY = None
# The bundle depends on Pagefind's version as much as on the pages: the build cache keys the bundle on it.
PAGEFIND_VERSION = f"pagefind {_installed('pagefind')}, pagefind_bin {_installed('pagefind_bin')}"
EXTRA_WORD_CHARACTERS = "#+"  # so C#, C++ and F# stay searchable words instead of "c" and "f"
PAGES_IN_FLIGHT = 100  # pages sent to Pagefind before awaiting them: enough to keep it busy, few enough to bound memory
READ_CHUNK = 1 << 20  # bytes read from the binary at a time
SORT_KEYS_FILE = "sort-keys.json"  # in each bundle: every page's sort keys, by Pagefind's page id
# What an archive bundle keeps of Pagefind's output: the index. Not the scripts, which the search page
# loads from the open bundle only; nor the WebAssembly: Pagefind's mergeIndex reads a merged bundle's entry,
# meta and chunks, and runs them on the open bundle's (`load_wasm: false`), so each month's 140 KB of it
# was published and never fetched (24 MB at 100,000 briefs).
INDEX_FILE = re.compile(r"pagefind-entry\.json|pagefind\.[^/]*\.pf_meta|(index|filter|fragment)/.*")
SORT_ATTRIBUTE = re.compile(rb'data-pagefind-sort="([^":]*):([^"]*)"')


class IndexingStopped(Exception):
    """Raised where `index_search` was told to stop: the build that wanted the index failed meanwhile."""


def index_search(site: Site, bundles: Mapping[str, Sequence[Project]], page: Callable[[str], bytes], jobs: int | None = None,
                 made: Callable[[str, list[OutputFile]], list[Any]] = lambda name, files: files,
                 stop: threading.Event | None = None) -> list[Any]:
    """The files of each bundle of `bundles`, in its folder, sorted by path. `page` gives a project
    page's bytes by its output path; each bundle's pages are read only while it is indexed, and its
    files are handed to `made` (one bundle at a time) as soon as it is made: what that returns is returned.
    Once `stop` is set, raises IndexingStopped as soon as the pages sent so far are indexed."""
    language = site.config.language
    base_path = site.config.base_path
    stopping = stop or threading.Event()
    handing = threading.Lock()
    largest_first = sorted(bundles, key=lambda name: -len(bundles[name]))
    # Bundles are indexed side by side only while their pages together are no more than the largest
    # bundle's: each Pagefind process holds its bundle's pages (about 150 KB a page), so the build's memory
    # is bounded by the largest bundle whatever the history. The open bundle goes alone, the months by twos.
    pages_free = threading.Condition()
    budget = [len(bundles[largest_first[0]]) if bundles else 0]

    def bundle(name: str) -> list[Any]:
        count = len(bundles[name])
        with pages_free:
            pages_free.wait_for(lambda: budget[0] >= count)
            budget[0] -= count
        try:
            if stopping.is_set():
                raise IndexingStopped
            records = [(base_path + project.path, indexed_part(page(project.path + "index.html"))) for project in bundles[name]]
            files = asyncio.run(_bundle_files(records, language, stopping))
        finally:
            with pages_free:
                budget[0] += count
                pages_free.notify_all()
        with handing:
            staged = made(name, bundle_files(name, files, dict(records)))
        del records, files
        _return_freed_memory()
        return staged

    try:
        # Threads, each driving a Pagefind process of its own, and each with its own event loop, so that
        # one the caller runs (a notebook, an async server, Playwright's sync API in the tests) cannot clash.
        with ThreadPoolExecutor(max_workers=max(1, min(jobs or os.cpu_count() or 1, len(bundles)))) as threads:
            done = list(threads.map(bundle, largest_first))
    except (OSError, RuntimeError) as error:
        raise BoardError([Problem(BUNDLE_DIR, 1, f"Pagefind could not write the search index ({error}); "
                                                 "reinstall with `pip install -e .`, or build with --no-search")]) from None
    return sorted((file for files in done for file in files), key=lambda file: file.path)


def _return_freed_memory() -> None:
    """Give the memory a bundle took back to the system (glibc's malloc_trim; elsewhere nothing to do). A bundle
    passes through as a few messages of tens of megabytes, and the allocator of each thread would otherwise
    keep what they freed: at 100,000 briefs, 350 MB more held after the search stage than before it."""
    trim = getattr(_C_LIBRARY, "malloc_trim", None)
    if trim is not None:
        trim(0)


def bundle_files(name: str, files: list[dict], pages: Mapping[str, bytes]) -> list[OutputFile]:
    """A bundle's files as the writer takes them, with its sort keys: the search page merges several
    bundles' results by them, since Pagefind orders merged results by score whatever the sort."""
    folder = bundle_folder(name)
    kept = [file for file in files if name == OPEN_BUNDLE or INDEX_FILE.fullmatch(file["path"])]
    sort_keys = {}
    for file in kept:
        if file["path"].startswith("fragment/"):
            data = gzip.decompress(file["content"])
            url = json.loads(data[data.index(b"{"):])["url"]
            page_id = file["path"].removeprefix("fragment/").removesuffix(".pf_fragment")
            sort_keys[page_id] = {key.decode(): html.unescape(value.decode()) for key, value in SORT_ATTRIBUTE.findall(pages[url])}
    ordered = json.dumps(dict(sorted(sort_keys.items())), separators=(",", ":"), ensure_ascii=False).encode()
    return [OutputFile(folder + file["path"], file["content"]) for file in kept] + [OutputFile(folder + SORT_KEYS_FILE, ordered)]


def indexed_part(page: bytes) -> bytes:
    """What Pagefind needs of a project page: its `<html>` tag and its `<main>`, which holds the indexed
    body and every filter, sort key and meta value (see layouts/project.html). The head (JSON-LD, meta
    tags) and the site's navigation are more than half the page; not sending them halves the indexing
    time and gives the same records. A layout without a `<main>` is sent whole."""
    start, end, opening = page.find(b"<main"), page.find(b"</main>"), re.search(rb"<html[^>]*>", page)
    if start < 0 or end < start or opening is None:
        return page
    return b"<!doctype html>" + opening.group(0) + b"<body>" + page[start:end + len(b"</main>")] + b"</body></html>"


async def _bundle_files(records: list[tuple[str, bytes]], language: str, stop: threading.Event) -> list[dict]:
    config = IndexConfig(force_language=language.split("-")[0].split("_")[0].lower(),
                         include_characters=EXTRA_WORD_CHARACTERS)
    async with _PromptService() as service:
        index = await service.create_index(config)
        for start in range(0, len(records), PAGES_IN_FLIGHT):
            if stop.is_set():
                raise IndexingStopped  # leaving closes the service, which stops the binary
            batch = records[start:start + PAGES_IN_FLIGHT]
            await asyncio.gather(*(index.add_html_file(content=page.decode(), url=url) for url, page in batch))
        return await index.get_files()


class _PromptService(PagefindService):
    """Pagefind's indexing service, taking each response from the binary as soon as it arrives.

    pagefind 1.5's own reader sleeps 0.1 s before each response it reads, which caps indexing at ten
    pages a second: 17 minutes for a 10,000-brief board. This reads the same protocol (base64 JSON
    messages ended by a comma) without the pause, and without its 2 MiB limit on a message: the answer
    to `get_files` is the whole bundle.
    """

    async def _wait_for_responses(self) -> None:
        try:
            await self._read_responses()
        except Exception as error:  # the binary exited or wrote something else: fail every waiting request
            for future in self._responses.values():
                if not future.done():
                    future.set_exception(RuntimeError(f"the pagefind binary stopped answering: {error!r}"))

    async def _messages(self) -> AsyncIterator[bytes]:
        """Each message the binary writes, however long, read in chunks and split at the commas."""
        assert self._backend.stdout is not None
        parts: list[bytes] = []  # the message read so far, in pieces, so a long one is joined once
        while chunk := await self._backend.stdout.read(READ_CHUNK):
            *ends, rest = chunk.split(b",")
            for end in ends:
                yield b"".join([*parts, end])
                parts = []
            parts.append(rest)
        raise EOFError("the pagefind binary exited")

    async def _read_responses(self) -> None:
        async for encoded in self._messages():
            self._answer(encoded)
            del encoded  # not held while the next message is awaited: the last one is the whole bundle

    def _answer(self, encoded: bytes) -> None:
        """Resolve the request a message answers."""
        message = json.loads(base64.b64decode(encoded))
        if message is None:
            return
        payload = message["payload"]
        message_id = message.get("message_id")
        if message_id is None and payload.get("original_message"):  # the binary could not parse a request
            message_id = json.loads(payload["original_message"]).get("message_id")
        future = self._responses.get(message_id)
        if future is None or future.done():
            return
        if payload["type"] == "Error":
            future.set_exception(RuntimeError(payload["message"]))
        else:
            future.set_result(payload)

    async def close(self) -> None:
        """Stop the binary, and let go of every answer now: the reading task, cancelled, keeps this service
        alive in a reference cycle until the next full collection, and with it the whole bundle's files."""
        await super().close()
        self._responses.clear()
