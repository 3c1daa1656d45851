"""What `board serve` watches: watchdog's events -> the changes a rebuild is for, handed out once quiet.

Its own module because it decides only what a changed path is to the board (content, a layout, a static
file, site.toml, or nothing) and when a burst of saves is over; building and serving them is devserver's.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler

from .config import CONFIG_FILE
from .contentfiles import PROJECTS_DIR, is_editor_noise

QUIET_SECONDS = 0.1  # a save's events all arrive within this; the rebuild waits for this much silence


class ChangeKind(Enum):
    """What a changed file is to the board; decides how open pages catch up."""

    CONTENT = "content"
    LAYOUT = "layouts"
    STATIC = "static"
    CONFIG = CONFIG_FILE


WATCHED_FOLDERS = {kind.value: kind for kind in (ChangeKind.CONTENT, ChangeKind.LAYOUT, ChangeKind.STATIC)}


@dataclass(frozen=True)
class Change:
    kind: ChangeKind
    path: str  # relative to the board, with forward slashes; a theme's file by its whole path

    @property
    def is_stylesheet(self) -> bool:
        return self.kind is ChangeKind.STATIC and self.path.endswith(".css")

    @property
    def is_brief(self) -> bool:
        return self.kind is ChangeKind.CONTENT and self.path.startswith(f"{PROJECTS_DIR.as_posix()}/") and self.path.endswith(".md")


def classify(root: Path, path: str, theme: Path | None = None) -> Change | None:
    """The Change a watchdog path stands for, or None when the board does not depend on it. A file of the
    theme's layouts/ or static/ (`theme` is the folder holding them) is named by its whole path."""
    file = Path(path)
    if theme and not file.is_relative_to(root) and file.is_relative_to(theme):
        change = classify(theme, path)
        return Change(change.kind, file.as_posix()) if change and change.kind in (ChangeKind.LAYOUT, ChangeKind.STATIC) else None
    try:
        relative = file.relative_to(root)
    except ValueError:
        return None
    if not relative.parts or is_editor_noise(relative.name):  # the build skips these files too
        return None
    if relative.parts == (CONFIG_FILE,):
        return Change(ChangeKind.CONFIG, CONFIG_FILE)
    kind = WATCHED_FOLDERS.get(relative.parts[0])
    return Change(kind, relative.as_posix()) if kind else None


class PendingChanges(FileSystemEventHandler):
    """Collects changes from watchdog and hands them out together once the files have been quiet."""

    def __init__(self, root: Path, quiet_seconds: float = QUIET_SECONDS, theme: Path | None = None):
        self.root, self.theme = root, theme
        self.quiet_seconds = quiet_seconds
        self._changes: set[Change] = set()
        self._last_event = 0.0
        self._arrived = threading.Condition()
        self._closed = False

    def on_any_event(self, event: FileSystemEvent) -> None:
        # Opened and closed-without-writing events come from the build reading the sources: never react to them.
        if event.event_type not in ("created", "modified", "deleted", "moved"):
            return
        if event.is_directory and event.event_type == "modified":
            return
        for path in (event.src_path, getattr(event, "dest_path", "")):
            change = classify(self.root, str(path), self.theme) if path else None
            if change:
                self.add(change)

    def add(self, change: Change) -> None:
        with self._arrived:
            self._changes.add(change)
            self._last_event = time.monotonic()
            self._arrived.notify_all()

    def take(self, timeout: float | None = None) -> set[Change] | None:
        """Block until some changes have been quiet for `quiet_seconds`, and return them; an empty set once
        `timeout` seconds pass with none pending; None once closed."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._arrived:
            while not self._closed:
                now = time.monotonic()
                quiet_for = now - self._last_event
                if self._changes and quiet_for >= self.quiet_seconds:
                    changes, self._changes = self._changes, set()
                    return changes
                if not self._changes and deadline is not None and now >= deadline:
                    return set()
                self._arrived.wait(self.quiet_seconds - quiet_for if self._changes else None if deadline is None else deadline - now)
            return None

    def close(self) -> None:
        with self._arrived:
            self._closed = True
            self._arrived.notify_all()
