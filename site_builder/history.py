"""History stage: when each brief last changed on the board's branch, read from git, only what is new since the last build.

Feeds and the sitemap give every project an "updated" time: that of the last commit on the branch built
(HEAD and its first parents) that changed the brief; for a pull request merged with a merge commit, the
merge's, when the change reached the board. It is the same on every checkout (a file's mtime is not), so
builds stay reproducible. A brief git does not know (no repository, git missing, the file not committed
yet) is left out, and the model counts it as changed when it was posted. So is a brief whose commit date
cannot be read (a commit may say it was made in year 10000): a warning, never a failed build, since no
later commit can mend history.

Reading the whole history costs the history squared: each commit's files are found by comparing its
tree of content/projects/ with its parent's, and that folder holds every brief ever posted (3.5 s at
10,000 briefs, 14 s at 20,000). So a build keeps what it read, as of its commit, and the next reads
only the commits since, while that commit is still one of HEAD's first parents.
"""

from __future__ import annotations

import functools
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from .contentfiles import PROJECTS_DIR
from .text import printable

COMMIT_MARK = "\x00"  # starts the line carrying a commit's date and parents (git writes it for %x00); no path holds it
# The branch's own commits, each with the files it changed on the branch (a merge: against its first parent).
# No pathspec: one that limits the log to content/projects/ makes git compare each tree twice (8.0 s against
# 3.5 s at 10,000 briefs), and parse_log keeps only the briefs anyway. No renames, whatever git's settings say.
# (-m with --first-parent: a merge's changes against its first parent, in git before 2.31 as after.)
LOG = ["log", "--first-parent", "-m", "--format=%x00%cI %P", "--name-only", "--relative", "--no-renames"]
COMMIT_ID = re.compile(r"[0-9a-f]{40,64}")
SPLIT_FROM = 2_000  # first parents: a history this long is read in two parts at once (`_read_whole`)


@dataclass(frozen=True)
class CommitTimes:
    """When each brief last changed as of one commit: the time (UTC) of the newest commit that changed it."""

    head: str | None  # the commit read up to; None: outside git, a shallow clone, or a log git failed to read: nothing kept
    times: dict[str, datetime] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()  # a commit whose date cannot be read, each time the history is read


def last_commit_times(root: Path, known: CommitTimes | None = None) -> tuple[CommitTimes, str]:
    """Each brief's last commit time as of the board's HEAD: `known` (as of an earlier commit) brought up to date
    with the commits since, when that commit is one of HEAD's first parents; else read from the whole history.
    Also says what was read and why, for `board build --explain` ("" when nothing was)."""
    head = (_git(root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}") or "").strip()
    if not head:  # no git, not a repository, or one without commits
        return CommitTimes(None), ""
    if _git(root, "rev-parse", "--is-shallow-repository") != "false\n":  # a shallow clone's history is not the history
        log = _read_log(root, head)
        return CommitTimes(None, log.times, log.warnings), f"{_commits(log.commits)} of a shallow clone, every build"
    if known and known.head == head:
        return known, ""
    why = "no earlier build kept what it read"
    if known and COMMIT_ID.fullmatch(known.head or "") and _git(root, "merge-base", "--is-ancestor", known.head, head) is not None:
        since = _read_log(root, f"{known.head}..{head}")
        if since.below == known.head:  # the commits since are a run of first parents down to the one read up to
            return (CommitTimes(head, known.times | since.times, since.warnings + known.warnings),
                    f"{_commits(since.commits)} since {known.head[:12]}, which the last build read up to")
    if known and known.head:
        why = f"{known.head[:12]}, which the last build read up to, is not one of HEAD's first parents"
    log = _read_whole(root, head)  # kept only if git read it (HEAD is one commit at least)
    return CommitTimes(head if log.commits else None, log.times, log.warnings), f"{_commits(log.commits)}, the whole history: {why}"


def _commits(count: int) -> str:
    return f"{count} commit{'s' * (count != 1)}"


class Log(NamedTuple):
    times: dict[str, datetime]  # each brief's first mention
    warnings: tuple[str, ...]
    below: str  # the first parent of the last commit read ("": none)
    commits: int


def parse_log(log: str) -> Log:
    """Read `git log --format=<mark>%cI %P --name-only`, newest commit first: a brief's first mention wins. The
    files of a commit whose date cannot be read are left out, with a warning."""
    times: dict[str, datetime] = {}
    warnings: list[str] = []
    committed: datetime | None = None
    below, commits = "", 0
    for line in log.splitlines():
        if line.startswith(COMMIT_MARK):
            when, _, parents = line[1:].partition(" ")
            committed, below, commits = _commit_time(when, warnings), parents.partition(" ")[0], commits + 1
        elif line and committed is not None:
            path = PurePosixPath(line)
            if path.parent == PurePosixPath(PROJECTS_DIR.as_posix()) and path.suffix == ".md":
                times.setdefault(path.stem, committed)
    return Log(times, tuple(warnings), below, commits)


def _read_whole(root: Path, head: str) -> Log:
    """The log of every first parent of `head`: a long one read in two parts at once, one git process for each,
    on two cores (14 s at 20,000 briefs, 7 s in two). A commit costs git the briefs there are by then, so the
    newest 29% of the commits cost what the rest do."""
    chain = (_git(root, "rev-list", "--first-parent", head) or "").split()
    if len(chain) < SPLIT_FROM:
        return _read_log(root, head)
    middle = chain[int(len(chain) * (1 - 0.5 ** 0.5))]
    with ThreadPoolExecutor(2) as pool:  # each thread waits on its git process
        newer, older = pool.map(functools.partial(_read_log, root), (f"{middle}..{head}", middle))
    if not (newer.commits and older.commits):  # git failed on a part (each holds a commit at least): none of it is kept
        return newer if not newer.commits else older
    return Log(older.times | newer.times, newer.warnings + older.warnings, older.below, newer.commits + older.commits)


def _read_log(root: Path, revisions: str) -> Log:
    """The log of `revisions`; a warning, and no times, should git fail to read it."""
    log = _git(root, *LOG, revisions)
    if log is None:
        return Log({}, ("git history: `git log` failed, so every brief counts as changed when it was posted",), "", 0)
    return parse_log(log)


def _git(root: Path, *args: str) -> str | None:
    """git's output in `root`, or None when git is missing or fails."""
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, encoding="utf-8",
                              errors="replace", check=False)
    except OSError:  # no git on this machine
        return None
    return done.stdout if done.returncode == 0 else None


def _commit_time(text: str, warnings: list[str]) -> datetime | None:
    try:
        return datetime.fromisoformat(text).astimezone(timezone.utc)
    except (ValueError, OverflowError):  # year 10000, or a time near year 1 or 9999 that UTC puts outside them
        warnings.append(f"git history: a commit's date cannot be read ({printable(text[:40])}); the briefs it changed "
                        "count as changed when they were posted")
        return None
