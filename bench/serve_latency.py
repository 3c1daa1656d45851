"""Save-to-served latency of `board serve`: how long after a brief is saved its page is served changed,
then the whole board (listings, feeds), then the search index (serve publishes in that order); and how
long `board serve` takes to serve a board and its search when started, the first time and again.

It runs a real DevServer on a copy of the board, and waits the way an open page does: on the live-reload
event stream, then one request for the page; the time is from the file's write to the changed page's
last byte. Polling the page instead would compete with the rebuild for the interpreter and slow it.

    python bench/serve_latency.py BOARD [--now 2026-11-25] [--edits 5]
"""

from __future__ import annotations

import argparse
import http.client
import json
import shutil
import socket
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from site_builder.devserver import DevServer  # noqa: E402 (after the path set-up, to run from a checkout)

BOARD_SOURCES = ("content", "layouts", "static", "site.toml")


def _get(port: int, path: str) -> bytes:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    try:
        connection.request("GET", path)
        return connection.getresponse().read()
    finally:
        connection.close()


def _next_build(stream: http.client.HTTPResponse) -> dict[str, int]:
    """The data of the next `build` event on the live-reload stream."""
    event = None
    while line := stream.readline():
        if line.startswith(b"event: "):
            event = line[len(b"event: "):].strip()
        elif line.startswith(b"data: ") and event == b"build":
            return json.loads(line[len(b"data: "):])
    raise RuntimeError("the server closed the live-reload stream")


@dataclass(frozen=True)
class Latency:
    page: float  # seconds from the save to the changed page served
    board: float  # ... to the whole board rebuilt (listings, feeds), which may come after the page
    search: float  # ... to the search index holding the change


def save_to_served(board: Path, now: date | None = None, edits: int = 5) -> list[Latency]:
    """For each of `edits` saves of one brief: how long until its changed page, then the search index, is served."""
    with tempfile.TemporaryDirectory(prefix="serve-latency-", dir=board.parent) as scratch:  # on the board's file system
        root = Path(scratch) / "board"
        _copy_board(board, root)
        latencies = []
        with DevServer(root, port=0, now=now, log=lambda line: None) as server:
            if server.status.current.problems:
                raise RuntimeError("the board does not build:\n" + "\n".join(server.status.current.problems))
            base_path = urlsplit(server.url).path
            brief = next(path for path in sorted((root / "content" / "projects").glob("*.md"))
                         if (server.status.site / "projects" / path.stem / "index.html").is_file())  # not scheduled
            original = brief.read_text(encoding="utf-8")
            page = f"{base_path}projects/{brief.stem}/"
            events = http.client.HTTPConnection("127.0.0.1", server.port, timeout=600)
            events.request("GET", "/__board__/events")
            stream = events.getresponse()
            while (state := _next_build(stream))["search"] < state["pages"]:
                pass  # the first build's search index
            for number in range(1, edits + 1):
                marker = f"Saved for the latency bench, time {number}."
                saved = time.perf_counter()
                brief.write_text(f"{original.rstrip()}\n\n{marker}\n", encoding="utf-8")
                _next_build(stream)
                served = _get(server.port, page)
                page_latency = time.perf_counter() - saved
                if marker.encode() not in served:
                    problems = "\n".join(server.status.current.problems)
                    raise RuntimeError(f"the rebuilt page {page} does not show the edit\n{problems}")
                board_latency = page_latency
                while (state := _next_build(stream))["search"] < state["pages"]:
                    board_latency = time.perf_counter() - saved  # the build after serve's first preview of the page
                latencies.append(Latency(page_latency, board_latency, time.perf_counter() - saved))
                time.sleep(0.3)  # let the editor-noise quiet period pass before the next save
            events.close()
        return latencies


def _copy_board(board: Path, root: Path, cache: bool = False) -> None:
    for name in BOARD_SOURCES + ((".cache",) if cache else ()):
        source = board / name
        if source.exists():
            (shutil.copytree if source.is_dir() else shutil.copy2)(source, root / name)


def start_to_served(board: Path, now: date | None = None, starts: int = 3) -> list[Latency]:
    """For `starts` starts of `board serve` on a copy of `board` with its `.cache/` (a board built before), one
    after the other at one address: how long until the board is served, then its search index. The first
    start builds serve's folder; the others start from the one the last serve kept."""
    with tempfile.TemporaryDirectory(prefix="serve-start-", dir=board.parent) as scratch:
        root = Path(scratch) / "board"
        _copy_board(board, root, cache=True)
        with socket.socket() as probe:  # one address for every start: the pages hold it
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        latencies = []
        for _ in range(starts):
            started = time.perf_counter()
            with DevServer(root, port=port, now=now, log=lambda line: None) as server:
                served = time.perf_counter() - started  # `start` returns once the first build is published
                snapshot = server.status.current
                while snapshot is not None and snapshot.search_changed < snapshot.pages_changed and not snapshot.problems:
                    snapshot = server.status.wait_after(snapshot.build, timeout=600)
                if snapshot is None or snapshot.problems:
                    raise RuntimeError("the board's search index was not served")
                latencies.append(Latency(served, served, time.perf_counter() - started))
        return latencies


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Measure board serve's save-to-served latency for a one-brief change.")
    parser.add_argument("board", type=Path, help="a board folder (content/, layouts/, static/, site.toml); it is copied, not edited")
    parser.add_argument("--now", type=date.fromisoformat, help="build as of this date, YYYY-MM-DD")
    parser.add_argument("--edits", type=int, default=5, help="saves to time (default: 5)")
    args = parser.parse_args(argv)
    latencies = save_to_served(args.board, args.now, args.edits)
    for what in ("page", "board", "search"):
        seconds = [getattr(latency, what) for latency in latencies]
        print(f"serve save-to-{what}-served, one brief of {args.board}: median {statistics.median(seconds):.2f} s, "
              f"min {min(seconds):.2f} s, max {max(seconds):.2f} s over {len(seconds)} saves")
    first, *again = start_to_served(args.board, args.now)
    print(f"serve start to served, {args.board}: the board {first.page:.2f} s and its search {first.search:.2f} s; started again "
          f"(its folder kept): {statistics.median(s.page for s in again):.2f} s and {statistics.median(s.search for s in again):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
