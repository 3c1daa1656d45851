"""`board serve`: the build in a loop behind a local HTTP server, for whoever writes briefs and layouts.

Watchdog reports changes under content/, layouts/, static/ and site.toml, and in the theme's layouts/
and static/ (see `theme`: a checkout of microboard being worked on; `devwatch` sorts them); once the files have been quiet
for a moment (an editor's save is a storm of events, temp files and swap files), the same `build()` as
`board build` runs into serve's own folder (.cache/serve/, kept for the next serve) and open pages
reload; the search index follows, built from the published pages. A failed rebuild leaves the last good
build served, with the problems shown over every page until a save fixes them.
"""

from __future__ import annotations

import functools
import os
import shutil
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timezone
from pathlib import Path

from watchdog.observers import Observer

from .build import BuildResult, build, preview_edits
from .cache import CACHE_DIR, BuildCache
from .config import load_config
from .devhttp import BuildStatus, PreviewServer, Snapshot
from .devsearch import SearchIndexer
from .devwatch import WATCHED_FOLDERS, Change, PendingChanges
from .errors import BoardError
from .lifecycle import today_in
from .theme import LAYOUTS_DIR, STATIC_DIR, Theme

try:
    import fcntl
except ImportError:  # Windows has none: there every `board serve` builds into a temporary folder
    fcntl = None  # type: ignore[assignment]

SERVE_DIR = CACHE_DIR / "serve"  # the folder `board serve` builds into, kept for the next one (see DevServer._build_folder)
DAY_CHECK_SECONDS = 60.0  # how often serve looks whether the board's date has changed (see DevServer._new_day)
STOP_POLL_SECONDS = 0.05  # how often the watcher and the HTTP server look whether they are asked to stop


def local_base_url(host: str, port: int, base_path: str) -> str:
    """The board's base URL on this server: the production base path, under the local origin."""
    shown = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
    return f"http://{f'[{shown}]' if ':' in shown else shown}:{port}{base_path}"


class DevServer:
    """Serve the board from a private build folder and rebuild it on every change, until stopped."""

    def __init__(self, root: Path, host: str = "127.0.0.1", port: int = 8000, now: date | None = None,
                 drafts: bool = False, log: Callable[[str], None] = print,
                 clock: Callable[[], datetime] = functools.partial(datetime.now, timezone.utc),
                 day_check_seconds: float = DAY_CHECK_SECONDS):
        """`now` fixes the board's date; without it the date follows `clock` and is checked every `day_check_seconds`."""
        self.root = root.resolve()
        self.now = now
        self.clock, self.day_check_seconds = clock, day_check_seconds
        self._day: tuple[str, date] | None = None  # the board's timezone and the date the last build was made for
        self.drafts = drafts
        self.log = log
        self._folder, self._lock = self._build_folder()
        try:
            base_path = load_config(self.root).base_path
        except BoardError:
            base_path = "/"  # the first rebuild reports the problem; serve at the root meanwhile
        self.status = BuildStatus(self._folder / "site", self._folder / "search", base_path)
        self.status.search.mkdir(exist_ok=True)
        self.cache = BuildCache.for_board(self.root)  # one for every rebuild: what is unchanged is not redone
        self.search = SearchIndexer(self.status, self._folder, self._indexed, self.cache.bundles.bundle)
        self._summarized = False  # the first build's summary waits for its search index
        self._last: BuildResult | None = None  # the last good build, while it is the one served
        try:
            self.http = PreviewServer(host, port, self.status)
        except OSError:
            self._leave_folder()
            raise
        self.host, self.port = host, self.http.server_address[1]
        theme = Theme(self.root)
        self.changes = PendingChanges(self.root, theme=None if theme.is_theme_source else theme.source)
        self._observer = Observer(timeout=STOP_POLL_SECONDS)
        self._watched: set[Path] = set()
        self._threads = [threading.Thread(target=self._build_loop, name="board-serve-build"),
                         threading.Thread(target=self.http.serve_forever, args=(STOP_POLL_SECONDS,), name="board-serve-http"),
                         threading.Thread(target=self.search.run, name="board-serve-search")]

    @property
    def url(self) -> str:
        return local_base_url(self.host, self.port, self.status.current.base_path)

    def start(self) -> DevServer:
        """Watch, serve, build once, then rebuild on every change, in background threads."""
        try:
            self._watch_folders()
            self._observer.schedule(self.changes, str(self.root), recursive=False)  # for site.toml, and new folders
            self._observer.start()  # first, so that a save during the first build is not missed
            self._threads[1].start()  # pages say "building" until the first build is published
            self.log(f"serving {self.url} (press Ctrl-C to stop)")
            self.rebuild(set())
            self._threads[0].start()
            self._threads[2].start()
        except BaseException:  # Ctrl-C during the first build, or no more inotify watches: leave nothing behind
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop watching, building and serving, join every thread, and leave the build folder (`_leave_folder`)."""
        self.changes.close()
        self.search.close()
        if self._observer.is_alive():
            self._observer.stop()
            self._observer.join()
        self.status.close()  # ends the live-reload streams
        if self._threads[1].is_alive():
            self.http.shutdown()
        for thread in self._threads:
            if thread.is_alive():
                thread.join()
        self.http.server_close()
        self._leave_folder()

    def _build_folder(self) -> tuple[Path, int | None]:
        """The folder serve builds into, and the lock that holds it. The board's own, .cache/serve/, is kept
        from one `board serve` to the next, which then starts with a rebuild: at 10,000 briefs, pages served
        in 0.6 s and their search in 0.8 s, where rendering them all took 12 s and indexing them 15 to 20 s
        more. While another `board serve` of this board holds it (or .cache/ cannot be written), a temporary
        folder, deleted when serve stops."""
        folder = self.root / SERVE_DIR
        lock = _held(folder) if fcntl is not None else None
        return (folder, lock) if lock is not None else (Path(tempfile.mkdtemp(prefix="board-serve-")), None)

    def _leave_folder(self) -> None:
        """Keep the board's own build folder, with its record in .cache/outputs/, for the next `board serve`;
        delete a temporary one, and its record."""
        if self._lock is not None:
            os.close(self._lock)  # which lets go of the lock
            return
        self.cache.records.forget(self._folder / "site")
        shutil.rmtree(self._folder, ignore_errors=True)

    def wait(self) -> None:
        """Block until the server is stopped (from another thread, or by Ctrl-C in this one)."""
        self._threads[1].join()

    def __enter__(self) -> DevServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _watch_folders(self) -> None:
        """Watch the board's content/, layouts/ and static/, the first time each exists (a board may start
        with no layouts/ and add one to override the theme), and the theme's layouts/ and static/."""
        theme = [self.changes.theme / LAYOUTS_DIR, self.changes.theme / STATIC_DIR] if self.changes.theme else []
        for folder in [self.root / name for name in WATCHED_FOLDERS] + theme:
            if folder not in self._watched and folder.is_dir():
                self._observer.schedule(self.changes, str(folder), recursive=True)
                self._watched.add(folder)

    def _build_loop(self) -> None:
        while (changes := self.changes.take(timeout=self.day_check_seconds)) is not None:
            if changes:
                self._watch_folders()
            if changes or self._new_day():
                self.rebuild(changes)

    def _new_day(self) -> bool:
        """True when midnight has passed where the board is since the last build: projects open, close,
        enter their last days by the date, so a server left running overnight must rebuild."""
        if self._day is None:
            return False
        timezone_name, day = self._day
        today = today_in(timezone_name, self.clock())
        if today != day:
            self.log(f"it is {today} where the board is: rebuilding, as projects open and close by the date")
        return today != day

    def rebuild(self, changes: set[Change]) -> None:
        """Build through the same `build()` as `board build` and publish the pages to the open tabs; the
        search index follows them in its own thread (it may lag the pages by a moment, nothing else does).
        Briefs edited in place show first: their pages are written and published before that build."""
        self._preview(changes)
        result, base_path, problems = self._build()
        self._last = result
        stylesheets = any(change.is_stylesheet for change in changes)

        def after_build(current: Snapshot) -> Snapshot:
            number = current.build + 1
            styles_only = stylesheets and all(change.is_stylesheet for change in changes) and not problems and not current.problems
            return replace(current, build=number, pages_changed=current.pages_changed if styles_only else number, partial=False,
                           styles_changed=number if stylesheets else current.styles_changed,
                           base_path=base_path or current.base_path, problems=problems)

        published = self.status.publish(after_build)
        if result is None:
            return self._report_failure(changes, problems)
        if changes:
            self.log(f"rebuilt in {result.seconds:.2f} s ({', '.join(sorted(change.path for change in changes))})")
        if published.pages_changed == published.build:  # the index reads nothing but the text of project pages
            self.search.want(result)

    def _preview(self, changes: set[Change]) -> None:
        """Publish the new pages of briefs edited in place at once, when that is all that changed: on a
        big board the build that follows takes seconds, this a few milliseconds."""
        if not (self._last and changes and all(change.is_brief for change in changes)) or self.status.current.problems:
            return
        started = time.perf_counter()
        try:
            written = preview_edits(self.root, self.status.site, self._last, [self.root / c.path for c in changes], self.cache)
        except Exception:  # noqa: BLE001 (the build that follows reports any problem, as it would without a preview)
            return
        if written:
            self.status.publish(lambda current: replace(current, build=current.build + 1, pages_changed=current.build + 1, partial=True))
            self.log(f"previewed {', '.join(sorted(c.path for c in changes))} in {(time.perf_counter() - started) * 1000:.0f} ms; updating the rest of the board")

    def _build(self) -> tuple[BuildResult | None, str | None, tuple[str, ...]]:
        """The build's result and base path, or the problems that stopped it."""
        try:
            config = load_config(self.root)
            base_url = local_base_url(self.host, self.port, config.base_path)
            today = self.now or today_in(config.timezone, self.clock())
            self._day = None if self.now else (config.timezone, today)
            result = build(self.root, self.status.site, today, base_url, self.drafts, search=False, cache=self.cache)
            return result, config.base_path, ()
        except BoardError as error:
            return None, None, tuple(str(problem) for problem in error.problems)
        except Exception as error:  # noqa: BLE001 (a bug must not stop the server; the traceback goes to the terminal)
            traceback.print_exc(file=sys.stderr)
            return None, None, (f"internal error while building: {type(error).__name__}: {error} (traceback in the terminal)",)

    def _indexed(self, result: BuildResult | None, problems: tuple[str, ...]) -> None:
        if problems:
            self._report_failure(set(), problems)
        elif result and not self._summarized:
            self._summarized = True
            self.log(result.summary())

    def _report_failure(self, changes: set[Change], problems: tuple[str, ...]) -> None:
        cause = f" ({', '.join(sorted(change.path for change in changes))})" if changes else ""
        served = "still serving the last good build" if self.status.site.is_dir() else "nothing to serve until it is fixed"
        self.log("\n".join([f"build failed{cause}; {served}:", *problems]))


def _held(folder: Path) -> int | None:
    """A lock on `folder` for this process, as the open file that holds it; None while another process holds
    it, or when it cannot be made."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        lock = os.open(folder / "lock", os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        return None
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(lock)
        return None
    return lock
