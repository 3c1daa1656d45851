"""History stage: when each brief last changed, read from git in one `git log` for the whole board.

Feeds and the sitemap give every project an "updated" time. The last commit that touched the brief
is the same on every checkout (a file's mtime is not), so builds stay reproducible. A brief git does
not know (no repository, git missing, the file not committed yet) is left out, and the model counts
it as changed when it was posted.
"""

from __future__ import annotations

import subprocess
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

from .content import PROJECTS_DIR

COMMIT_MARK = "\x00"  # starts the line carrying a commit's date (git writes it for %x00); no path holds it


def last_commit_times(root: Path) -> dict[str, datetime]:
    """Map each brief's slug to the time (UTC) of the newest commit that changed it; {} outside git."""
    command = ["git", "-C", str(root), "log", "--format=%x00%cI", "--name-only", "--relative",
               "--", PROJECTS_DIR.as_posix()]
    try:
        result = subprocess.run(command, capture_output=True, text=True, encoding="utf-8", errors="replace", check=False)
    except OSError:  # no git on this machine
        return {}
    if result.returncode != 0:  # not a repository, or one without commits
        return {}
    return parse_log(result.stdout)


def parse_log(log: str) -> dict[str, datetime]:
    """Read `git log --format=<mark>%cI --name-only`, newest commit first: a brief's first mention wins."""
    times: dict[str, datetime] = {}
    committed: datetime | None = None
    for line in log.splitlines():
        if line.startswith(COMMIT_MARK):
            committed = datetime.fromisoformat(line[1:]).astimezone(timezone.utc)
        elif line and committed is not None:
            path = PurePosixPath(line)
            if path.parent == PurePosixPath(PROJECTS_DIR.as_posix()) and path.suffix == ".md":
                times.setdefault(path.stem, committed)
    return times
