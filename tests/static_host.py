"""A built board served over HTTP on 127.0.0.1 the way docs/deploy.md tells a host to serve it: text
compressed with gzip, versioned static files cached for a year, everything else for five minutes.

Compression and caching are the host's job, not the board's; a browser audit (Lighthouse, layout
shift) served by a bare test server would measure the test server. Keep this in step with deploy.md."""

from __future__ import annotations

import contextlib
import functools
import gzip
import threading
import time
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

COMPRESSED_TYPES = ("text/", "application/javascript", "application/json", "application/xml",
                    "application/rss+xml", "application/atom+xml", "image/svg+xml")
LONG_CACHE = "public, max-age=31536000, immutable"  # static/: every link carries ?v=<hash of the bytes>
SHORT_CACHE = "public, max-age=300"  # pages, feeds, the search index: fresh after each daily build


class HostHandler(SimpleHTTPRequestHandler):
    """Files of `directory`, gzip-compressed when the client accepts it and the type is text; the search
    index's chunks `search_latency` seconds late, as over a slow phone network."""

    search_latency = 0.0

    def log_message(self, format: str, *args: object) -> None:
        pass

    def end_headers(self) -> None:
        path = self.path.split("?", 1)[0]
        self.send_header("Cache-Control", LONG_CACHE if "/static/" in path else SHORT_CACHE)
        super().end_headers()

    def send_head(self):  # noqa: ANN201 (the standard library's own signature)
        if self.search_latency and "/pagefind/" in self.path and not self.path.endswith(".js"):
            time.sleep(self.search_latency)
        path = Path(self.translate_path(self.path))
        if path.is_dir() and self.path.split("?", 1)[0].endswith("/"):
            path = path / "index.html"
        kind = self.guess_type(str(path))
        if not path.is_file() or "gzip" not in self.headers.get("Accept-Encoding", "") or not kind.startswith(COMPRESSED_TYPES):
            return super().send_head()  # a folder without its "/" (redirected), a missing file, or bytes sent as they are
        body = gzip.compress(path.read_bytes(), mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", kind + ("; charset=utf-8" if kind.startswith("text/") else ""))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return _Body(body)


class _Body:
    """What send_head returns: a file-like object copyfile reads the response body from."""

    def __init__(self, data: bytes):
        self.data = data

    def read(self, size: int = -1) -> bytes:
        data, self.data = (self.data, b"") if size < 0 else (self.data[:size], self.data[size:])
        return data

    def close(self) -> None:
        pass


@contextlib.contextmanager
def hosted(folder: Path, search_latency: float = 0.0) -> Iterator[str]:
    """Serve `folder` on a free port of 127.0.0.1; yields its address, "http://127.0.0.1:PORT/"."""
    handler = type("Handler", (HostHandler,), {"search_latency": search_latency})
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
