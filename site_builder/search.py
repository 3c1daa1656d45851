"""Search stage: the project pages, as rendered in memory -> a Pagefind bundle in the output folder.

The pages carry their own search data (data-pagefind-body, -weight, -filter, -sort and -meta in
layouts/project.html), so this stage only hands Pagefind the HTML the build already holds, under each
project's URL with the base path, and takes the bundle back in memory, as files under `pagefind/` for
the writer. Pagefind's Python API is asynchronous (it drives the pagefind binary over a pipe); this
module is the build's one async island and hides it behind a plain function.

Pagefind never writes to disk here: its `write_files` answers before the binary's background writes
have landed, and closing the service stops the binary, losing any still pending. Asked to write the
example board's bundle 60 times on a busy machine, 4 bundles had a file left empty or cut short
(pagefind-entry.json, wasm.unknown.pagefind, pagefind-ui.js), and a board that served one showed
"Failed to load Pagefind metadata: Unexpected end of JSON input" and no results.
"""

from __future__ import annotations

import asyncio
import base64
import importlib.metadata
import json
import re
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor

from pagefind.index import IndexConfig
from pagefind.service import PagefindService

from .errors import BoardError, Problem
from .model import OutputFile, Site


def _installed(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


# The bundle depends on Pagefind's version as much as on the pages: the build cache keys the bundle on it.
PAGEFIND_VERSION = f"pagefind {_installed('pagefind')}, pagefind_bin {_installed('pagefind_bin')}"
BUNDLE_DIR = "pagefind"  # under the base path; layouts/search.html loads pagefind.js from here
EXTRA_WORD_CHARACTERS = "#+"  # so C#, C++ and F# stay searchable words instead of "c" and "f"
PAGES_IN_FLIGHT = 100  # pages sent to Pagefind before awaiting them: enough to keep it busy, few enough to bound memory
READ_CHUNK = 1 << 20  # bytes read from the binary at a time


def index_search(site: Site, outputs: list[OutputFile]) -> list[OutputFile]:
    """The search bundle of every built project, as files under `pagefind/`, sorted by path."""
    pages = {output.path: output.data for output in outputs}
    base_path = site.config.base_path
    records = [(base_path + project.path, indexed_part(pages[project.path + "index.html"])) for project in site.projects]
    try:
        # In a thread of its own, so that an event loop the caller runs (a notebook, an async server,
        # Playwright's sync API in the tests) cannot clash with this one.
        with ThreadPoolExecutor(max_workers=1) as thread:
            files = thread.submit(asyncio.run, _bundle_files(records, site.config.language)).result()
    except (OSError, RuntimeError) as error:
        raise BoardError([Problem(BUNDLE_DIR, 1, f"Pagefind could not write the search index ({error}); "
                                                 "reinstall with `pip install -e .`, or build with --no-search")]) from None
    return sorted((OutputFile(f"{BUNDLE_DIR}/{file['path']}", file["content"]) for file in files), key=lambda f: f.path)


def indexed_part(page: bytes) -> bytes:
    """What Pagefind needs of a project page: its `<html>` tag and its `<main>`, which holds the indexed
    body and every filter, sort key and meta value (see layouts/project.html). The head (JSON-LD, meta
    tags) and the site's navigation are more than half the page; not sending them halves the indexing
    time and gives the same records. A layout without a `<main>` is sent whole."""
    start, end, opening = page.find(b"<main"), page.find(b"</main>"), re.search(rb"<html[^>]*>", page)
    if start < 0 or end < start or opening is None:
        return page
    return b"<!doctype html>" + opening.group(0) + b"<body>" + page[start:end + len(b"</main>")] + b"</body></html>"


async def _bundle_files(records: list[tuple[str, bytes]], language: str) -> list[dict]:
    config = IndexConfig(force_language=language.split("-")[0].split("_")[0].lower(),
                         include_characters=EXTRA_WORD_CHARACTERS)
    async with _PromptService() as service:
        index = await service.create_index(config)
        for start in range(0, len(records), PAGES_IN_FLIGHT):
            batch = records[start:start + PAGES_IN_FLIGHT]
            await asyncio.gather(*(index.add_html_file(content=html.decode(), url=url) for url, html in batch))
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
            message = json.loads(base64.b64decode(encoded))
            if message is None:
                continue
            payload = message["payload"]
            message_id = message.get("message_id")
            if message_id is None and payload.get("original_message"):  # the binary could not parse a request
                message_id = json.loads(payload["original_message"]).get("message_id")
            future = self._responses.get(message_id)
            if future is None or future.done():
                continue
            if payload["type"] == "Error":
                future.set_exception(RuntimeError(payload["message"]))
            else:
                future.set_result(payload)
