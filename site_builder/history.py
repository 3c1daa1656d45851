"""History stage: when each brief last changed, read from git in one `git log` for the whole board.

Feeds and the sitemap give every project an "updated" time. The last commit that touched the brief
is the same on every checkout (a file's mtime is not), so builds stay reproducible. A brief git does
not know (no repository, git missing, the file not committed yet) is left out, and the model counts
it as changed when it was posted. So is a brief whose commit date cannot be read (a commit may say it
was made in year 10000): a warning, never a failed build, since no later commit can mend history.
"""

from __future__ import annotations

import subprocess
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

from .contentfiles import PROJECTS_DIR
from .text import printable

COMMIT_MARK = "\x00"  # starts the line carrying a commit's date (git writes it for %x00); no path holds it


def last_commit_times(root: Path) -> tuple[dict[str, datetime], list[str]]:
    """Map each brief's slug to the time (UTC) of the newest commit that changed it ({} outside git),
    with a warning for each commit whose date cannot be read."""
    command = ["git", "-C", str(root), "log", "--format=%x00%cI", "--name-only", "--relative",
               "--", PROJECTS_DIR.as_posix()]
    try:
        result = subprocess.run(command, capture_output=True, text=True, encoding="utf-8", errors="replace", check=False)
    except OSError:  # no git on this machine
        return {}, []
    if result.returncode != 0:  # not a repository, or one without commits
        return {}, []
    return parse_log(result.stdout)


def parse_log(log: str) -> tuple[dict[str, datetime], list[str]]:
    """Read `git log --format=<mark>%cI --name-only`, newest commit first: a brief's first mention wins.
    The files of a commit whose date cannot be read are left out, with a warning."""
    times: dict[str, datetime] = {}
    warnings = []
    committed: datetime | None = None
    for line in log.splitlines():
        if line.startswith(COMMIT_MARK):
            committed = _commit_time(line[1:], warnings)
        elif line and committed is not None:
            path = PurePosixPath(line)
            if path.parent == PurePosixPath(PROJECTS_DIR.as_posix()) and path.suffix == ".md":
                times.setdefault(path.stem, committed)
    return times, warnings


def _commit_time(text: str, warnings: list[str]) -> datetime | None:
    try:
        return datetime.fromisoformat(text).astimezone(timezone.utc)
    except (ValueError, OverflowError):  # year 10000, or a time near year 1 or 9999 that UTC puts outside them
        warnings.append(f"git history: a commit's date cannot be read ({printable(text[:40])}); the briefs it changed "
                        "count as changed when they were posted")
        return None
