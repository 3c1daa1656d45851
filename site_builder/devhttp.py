"""The HTTP side of `board serve`: the last good build as a production host would serve it, plus live reload.

Only the served copy of a page carries the reload script and, after a failed rebuild, the error overlay;
both are added to the response at serve time and never written into a build.
"""

from __future__ import annotations

import html
import ipaddress
import json
import mimetypes
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

RESERVED = "/__board__/"  # never a board URL: slugs have no underscores
ASSETS = Path(__file__).parent / "devserver_assets"
SERVE_ONLY_FILES = ("reload.js", "overlay.css")
KEEPALIVE_SECONDS = 15.0
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
    ".json": "application/json", ".xml": "application/xml", ".ics": "text/calendar; charset=utf-8",
    ".opml": "text/x-opml; charset=utf-8", ".txt": "text/plain; charset=utf-8", ".svg": "image/svg+xml",
    ".wasm": "application/wasm", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
    ".webp": "image/webp", ".ico": "image/x-icon", ".woff2": "font/woff2",
}


@dataclass(frozen=True)
class Snapshot:
    """What the last rebuild left to serve. Each *_changed is the number of the last build that changed it."""

    build: int  # builds and search indexings finished so far, good or bad
    pages_changed: int  # open pages reload when this passes theirs: any change but stylesheets alone
    styles_changed: int  # ... swap their stylesheets in place when only this did
    search_changed: int  # ... reload if they used the search index, when only this did
    base_path: str  # the URL path the board is served under, as in production
    problems: tuple[str, ...] = ()  # `file:line: message` lines of the last build; empty when it succeeded
    partial: bool = False  # only the pages of briefs edited in place are new; the build of the rest follows

    def event(self) -> str:
        """This snapshot as the data of a server-sent `build` event, for reload.js."""
        return json.dumps({"build": self.build, "pages": self.pages_changed, "styles": self.styles_changed,
                           "search": self.search_changed})


class BuildStatus:
    """The current Snapshot, shared by the build loop that publishes it and the requests that read it."""

    def __init__(self, site: Path, search: Path, base_path: str):
        self.site = site  # the pages of the last good build; absent until a first build succeeds
        self.search = search  # holds the pagefind/ bundle, updated after the pages are published
        self._current = Snapshot(0, 0, 0, 0, base_path)
        self._changed = threading.Condition()
        self.closed = False

    @property
    def current(self) -> Snapshot:
        with self._changed:
            return self._current

    def publish(self, change: Callable[[Snapshot], Snapshot]) -> Snapshot:
        """Replace the current Snapshot with `change(current)`, atomically: the build loop and the search
        indexer both publish, and neither may undo what the other just did."""
        with self._changed:
            self._current = change(self._current)
            self._changed.notify_all()
            return self._current

    def wait_after(self, build: int, timeout: float, whole: bool = False) -> Snapshot | None:
        """The first Snapshot newer than `build` (and, if `whole`, not partial), or None on timeout or once closed."""
        def arrived() -> bool:
            return self._current.build > build and not (whole and self._current.partial)

        with self._changed:
            self._changed.wait_for(lambda: self.closed or arrived(), timeout)
            return self._current if arrived() and not self.closed else None

    def close(self) -> None:
        with self._changed:
            self.closed = True
            self._changed.notify_all()


def locate(site: Path, base_path: str, url_path: str) -> Path | str | None:
    """The file a URL path names inside `site` (a Path), a URL to redirect to (a str), or None for 404.

    Anything that resolves outside `site`, however it is spelled (`..`, `%2e%2e`, `%2f`, backslashes,
    symlinks), is None.
    """
    path = unquote(url_path)
    if "\\" in path or "\0" in path:
        return None
    if path in ("/", base_path.rstrip("/")) and path != base_path:
        return base_path
    if not path.startswith(base_path):
        return None
    root = site.resolve()
    target = (root / path[len(base_path):]).resolve()
    if not target.is_relative_to(root):
        return None
    if target.is_dir():
        if not path.endswith("/"):
            return url_path + "/"
        target = target / "index.html"
    return target if target.is_file() else None


def content_type(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix.startswith(".pf_"):  # Pagefind's index fragments and metadata
        return "application/octet-stream"
    return CONTENT_TYPES.get(suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def overlay(problems: tuple[str, ...]) -> str:
    lines = "\n".join(html.escape(problem) for problem in problems)
    return ('<div id="board-build-error" class="board-build-error" role="alert"><p><strong>The last rebuild failed.</strong> '
            'This is the last good build; fix the file and save, and this page reloads.</p>'
            f'<pre id="board-build-problems">{lines}</pre></div>')


def with_live_reload(page: bytes, snapshot: Snapshot) -> bytes:
    """The page plus the reload script and, when the last rebuild failed, the error overlay."""
    tail = f'<script src="{RESERVED}reload.js?build={snapshot.build}" defer></script>'
    if snapshot.problems:
        tail = overlay(snapshot.problems) + tail
        page = _insert_at(page, page.find(b"</head>"), f'<link rel="stylesheet" href="{RESERVED}overlay.css">'.encode())
    return _insert_at(page, page.rfind(b"</body>"), tail.encode())


def _insert_at(page: bytes, at: int, extra: bytes) -> bytes:
    """`extra` inserted at byte `at` (found by the caller), or at the end when the tag was not found (-1)."""
    return page + extra if at < 0 else page[:at] + extra + page[at:]


def placeholder_page(snapshot: Snapshot) -> bytes:
    """What every page shows until a first build succeeds: "building", or the overlay of why it failed."""
    title = "Build failed" if snapshot.problems else "Building the board…"
    page = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>'
            f'<body><h1>{title}</h1></body></html>')
    return with_live_reload(page.encode(), snapshot)


class PreviewServer(ThreadingHTTPServer):
    """A threaded HTTP server over a BuildStatus; IPv6 when the host is an IPv6 address."""

    daemon_threads = False  # server_close() joins every request thread, so stopping leaks none
    block_on_close = True

    def __init__(self, host: str, port: int, status: BuildStatus):
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.status = status
        self.host_name = host.strip("[]").lower()
        super().__init__((host, port), PreviewHandler)

    def answers_to(self, host: str | None) -> bool:
        """Whether a request's Host header names this server: an IP address, localhost or the name it listens
        on, with its port. Any other name is a website that pointed its name at this computer to read the
        preview from its own pages (DNS rebinding); the browser sends that name."""
        try:
            named = urlsplit(f"//{host}")
            name, port = named.hostname, named.port
        except ValueError:
            return False
        if not host or not name or port != self.server_address[1]:
            return False
        try:
            ipaddress.ip_address(name)
        except ValueError:
            return name in ("localhost", self.host_name)
        return True

    def handle_error(self, request: object, client_address: object) -> None:
        """A browser that cancels a request (a reload, a closed tab) is no error; anything else is a bug."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class PreviewHandler(BaseHTTPRequestHandler):
    server: PreviewServer
    timeout = 30  # a client that connects and sends nothing cannot hold a thread (and stopping) forever

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._respond(with_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._respond(with_body=False)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Stay quiet: the terminal is for build results."""

    def _respond(self, with_body: bool) -> None:
        if not self.server.answers_to(self.headers.get("Host")):
            return self._send(HTTPStatus.MISDIRECTED_REQUEST, "text/plain; charset=utf-8",
                              b"421 this preview answers only to its own address, such as 127.0.0.1 or localhost\n", with_body)
        url_path = urlsplit(self.path).path
        if url_path == f"{RESERVED}events":
            return self._stream_events()
        if url_path.startswith(RESERVED):
            name = url_path[len(RESERVED):]
            return self._send_file(ASSETS / name if name in SERVE_ONLY_FILES else None, self.server.status.current, with_body)
        status = self.server.status
        snapshot = status.current
        if not status.site.is_dir():
            return self._send(HTTPStatus.SERVICE_UNAVAILABLE, "text/html; charset=utf-8", placeholder_page(snapshot), with_body)
        found = self._locate_published(status, snapshot.base_path, url_path)
        if isinstance(found, str):
            self.send_response(HTTPStatus.FOUND)  # not 301: a browser would remember it after the board changes
            self.send_header("Location", found)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        return self._send_file(found, snapshot, with_body)

    def _locate_published(self, status: BuildStatus, base_path: str, url_path: str) -> Path | str | None:
        """Locate among the pages, then the search bundle, waiting out the instant in which a rebuild
        swaps the new pages in for the old."""
        deadline = time.monotonic() + 1.0
        while True:
            found = locate(status.site, base_path, url_path) or locate(status.search, base_path, url_path)
            if found is not None or status.site.is_dir() or time.monotonic() > deadline:
                return found
            time.sleep(0.005)

    def _send_file(self, path: Path | None, snapshot: Snapshot, with_body: bool) -> None:
        code = HTTPStatus.OK
        if path is None:
            code, path = HTTPStatus.NOT_FOUND, self.server.status.site / "404.html"
        try:
            data = path.read_bytes()
        except OSError:  # no 404.html, or swapped away by a rebuild after it was located
            return self._send(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", b"404 page not found\n", with_body)
        kind = content_type(path)
        if kind.startswith("text/html"):
            data = with_live_reload(data, snapshot)
        return self._send(code, kind, data, with_body)

    def _send(self, code: HTTPStatus, kind: str, data: bytes, with_body: bool) -> None:
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if with_body:
            self.wfile.write(data)

    def _stream_events(self) -> None:
        """Server-sent events: the current build at once, then one event per rebuild until the server stops."""
        status = self.server.status
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        snapshot: Snapshot | None = status.current
        last = -1
        try:
            self.wfile.write(b"retry: 500\n\n")
            while not status.closed:
                if snapshot is None:
                    self.wfile.write(b": still here\n\n")
                else:
                    self.wfile.write(f"event: build\ndata: {snapshot.event()}\n\n".encode())
                    last = snapshot.build
                self.wfile.flush()
                snapshot = status.wait_after(last, KEEPALIVE_SECONDS)
        except OSError:  # the page went away
            return
