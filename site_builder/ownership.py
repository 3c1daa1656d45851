"""Ownership: may the author of a pull request make every change it contains? Judged with git against the base.

An employer may change, rename or delete a brief only if that brief's `maintainers` on the base commit
list them, and a new brief must list its author. Files outside the briefs and new logos belong to the
board itself. The board's maintainers (`[board] maintainers` in site.toml) may change anything. Every
right is read from the base commit, never from the working tree, so a pull request cannot grant itself
the right it needs (by adding its author to a brief's or the board's maintainers).
"""

from __future__ import annotations

import functools
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .config import CONFIG_FILE, config_from_text
from .content import brief_company, brief_maintainers
from .contentfiles import LOGOS_DIR, PROJECTS_DIR
from .errors import BoardError, Problem
from .text import same_name_key

GIT_PROBLEM_PATH = "git"  # where a problem with the repository itself is reported: it belongs to no file
BRIEFS, LOGOS = f"{PROJECTS_DIR.as_posix()}/", f"{LOGOS_DIR.as_posix()}/"


def _directly_in(path: str, folder: str) -> bool:
    """True for a file right inside `folder` (a brief, a logo), not in a folder below it."""
    return path.startswith(folder) and "/" not in path[len(folder):]
VERBS = {"D": "delete", "R": "rename"}  # any other status of git's is a change


@dataclass(frozen=True)
class Change:
    """One file that differs from the base: git's status letter, its path now, and its path on the base."""

    status: str  # A added, D deleted, R renamed, M (or T) changed
    path: str
    old_path: str | None  # None for an added file


class GitError(Exception):
    """git could not answer; the message says why and what to do."""


def _git(root: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, check=False)
    except FileNotFoundError:
        raise GitError("git is not installed, and ownership can only be checked with git: install git") from None
    if done.returncode != 0:
        raise GitError(f"git {args[0]} failed: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout


def _resolve_base(root: Path, base: str) -> str:
    """The full commit id of `base`, or a GitError that says how to make it available."""
    try:
        _git(root, "rev-parse", "--is-inside-work-tree")
    except GitError:
        raise GitError(f"{root} is not inside a git repository, so there is nothing to compare with {base}: "
                       "run the check in a clone of the board") from None
    try:
        return _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{base}^{{commit}}").decode().strip()
    except GitError:
        pass
    if _git(root, "rev-parse", "--is-shallow-repository").strip() == b"true":
        raise GitError(f"the base {base} is not in this clone, which is shallow (as actions/checkout makes it): "
                       f"fetch it first with `git fetch --no-tags --depth=1 origin {base}`, "
                       "or check out with fetch-depth: 0") from None
    raise GitError(f"there is no commit {base} in this repository: give a branch, tag or commit id, like origin/main")


def changes_since(root: Path, base: str) -> list[Change]:
    """Every file of the working tree that differs from commit `base`, renames detected, untracked files as added."""
    # A file name that is not UTF-8 is shown with replacement characters; no brief can have one.
    fields = _git(root, "diff", "--name-status", "-z", "-M", "--relative", base, "--").decode(errors="replace").split("\0")
    changes, index = [], 0
    while index < len(fields) - 1:
        status = fields[index][0]
        if status == "R":
            changes.append(Change(status, fields[index + 2], fields[index + 1]))
            index += 3
        else:
            path = fields[index + 1]
            changes.append(Change(status, path, None if status == "A" else path))
            index += 2
    untracked = _git(root, "ls-files", "-z", "--others", "--exclude-standard").decode(errors="replace").split("\0")
    changes += [Change("A", path, None) for path in untracked if path]
    return sorted(changes, key=lambda change: change.path)


def _file_on(root: Path, base: str, path: str) -> bytes | None:
    try:
        return _git(root, "show", f"{base}:./{path}")
    except GitError:
        return None


def _files_on(root: Path, base: str, folder: str) -> dict[str, bytes]:
    """Every file directly in `folder` on the base, by path: one `git cat-file --batch` for them all."""
    names = [name for name in _git(root, "ls-tree", "-z", "--name-only", base, "--", folder).decode(errors="replace").split("\0")
             if name and _directly_in(name, folder)]
    if not names:
        return {}
    try:
        done = subprocess.run(["git", "-C", str(root), "cat-file", "--batch"], input="".join(f"{base}:{n}\n" for n in names).encode(),
                              capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError) as error:
        raise GitError(f"git cat-file failed: {error}") from None
    files, at = {}, 0
    for name in names:
        header_end = done.stdout.index(b"\n", at)
        header = done.stdout[at:header_end].split()
        if len(header) < 3 or header[1] != b"blob":
            at = header_end + 1
            continue
        size = int(header[2])
        files[name] = done.stdout[header_end + 1:header_end + 1 + size]
        at = header_end + 1 + size + 1
    return files


@dataclass(frozen=True)
class Owner:
    """A company on the base: its name as first written, one of its briefs, and the maintainers of all of them."""

    name: str
    source: str
    maintainers: tuple[str, ...]


def _companies(root: Path, base: str) -> dict[str, Owner]:
    """The companies of the base's briefs, by what their names read as (`same_name_key`)."""
    owners: dict[str, Owner] = {}
    for path, raw in sorted(_files_on(root, base, BRIEFS).items()):
        company, maintainers = brief_company(path, raw), brief_maintainers(path, raw)
        if company is None:
            continue
        key = same_name_key(company[0])
        known = owners.get(key, Owner(company[0], path, ()))
        handles = tuple(dict.fromkeys(known.maintainers + (maintainers[0] if maintainers else ())))
        owners[key] = Owner(known.name, known.source, handles)
    return owners


def _board_maintainers(root: Path, base: str) -> tuple[str, ...]:
    """The `[board] maintainers` of site.toml on the base; none when it has no readable site.toml."""
    raw = _file_on(root, base, CONFIG_FILE)
    try:
        return config_from_text(raw.decode("utf-8-sig")).board_maintainers if raw is not None else ()
    except (BoardError, UnicodeDecodeError):
        return ()


def _listed(handle: str, handles: tuple[str, ...]) -> bool:
    return handle.casefold() in {h.casefold() for h in handles}


def ownership_problems(root: Path, base: str, author: str) -> list[Problem]:
    """A problem for every change since `base` that `author` may not make; git trouble is one clear problem."""
    author = author.removeprefix("@")
    try:
        commit = _resolve_base(root, base)
        changes = changes_since(root, commit)
    except GitError as error:
        return [Problem(GIT_PROBLEM_PATH, 1, str(error))]
    judge = _Judge(root, commit, base, author, _board_maintainers(root, commit))
    if _listed(author, judge.board):
        return []
    return [problem for change in changes for problem in judge.problems(change)]


@dataclass(frozen=True)
class _Judge:
    """Decides, file by file, whether one author may make one change since the base."""

    root: Path
    commit: str
    base: str  # as the user named it, for messages
    author: str
    board: tuple[str, ...]

    @property
    def board_list(self) -> str:
        return ", ".join(self.board) if self.board else f"none are listed in {CONFIG_FILE} on {self.base}"

    def problems(self, change: Change) -> list[Problem]:
        found = []
        if change.old_path is not None:
            found.append(self.old_file(change, VERBS.get(change.status, "change")))
        moved_brief = change.status == "R" and _directly_in(change.old_path, BRIEFS)
        if change.status in "AR" and _directly_in(change.path, BRIEFS) and not moved_brief:
            found.append(self.new_brief(change.path))
        if change.status != "D" and _directly_in(change.path, BRIEFS):
            found.append(self.company_taken(change))
        elif change.status in "AR" and not (_directly_in(change.path, BRIEFS) or _directly_in(change.path, LOGOS)):
            found.append(self.board_only(change.path, "add"))
        return [problem for problem in found if problem is not None]

    def old_file(self, change: Change, verb: str) -> Problem | None:
        """May the author change, rename or delete a file that exists on the base?"""
        old = change.old_path
        if _directly_in(old, LOGOS):
            return Problem(change.path, 1, f"only the board's maintainers ({self.board_list}) may {verb} an existing logo, "
                                           f"which other listings may show; @{self.author} is not one of them: "
                                           "add your logo under a new file name instead")
        if not _directly_in(old, BRIEFS):
            return self.board_only(change.path, verb)
        where = f"it was {old} on {self.base}; " if change.status == "R" else ""
        raw = _file_on(self.root, self.commit, old)
        found = brief_maintainers(old, raw) if raw is not None else None
        if found is None:
            return Problem(change.path, 1, f"{where}its maintainers on {self.base} cannot be read, so only the board's "
                                           f"maintainers ({self.board_list}) may {verb} it; @{self.author} is not one of them")
        maintainers = found[0]
        if _listed(self.author, maintainers):
            return None
        return Problem(change.path, 1, f"{where}only the brief's maintainers ({', '.join(maintainers)}) or the board's "
                                       f"maintainers ({self.board_list}) may {verb} it; @{self.author} is neither: ask one "
                                       "of them to make this change, or to add you to the brief's maintainers")

    def new_brief(self, path: str) -> Problem | None:
        """A new brief must name its author among its maintainers, so that they may edit it later."""
        file = self.root / path
        found = brief_maintainers(path, file.read_bytes()) if file.is_file() else None
        if found is None:
            return None  # no readable maintainers: the brief check reports that with its own message
        maintainers, line = found
        if _listed(self.author, maintainers):
            return None
        return Problem(path, line, f"a new brief must list its author among its maintainers, so that you may edit it "
                                   f"later: add {self.author}, like maintainers: [{', '.join((*maintainers, self.author))}]")

    @functools.cached_property
    def companies(self) -> dict[str, Owner]:
        return _companies(self.root, self.commit)

    def company_taken(self, change: Change) -> Problem | None:
        """A company on the base belongs to the maintainers of its briefs: a brief that newly names it (a new
        brief, or one whose company changes) needs one of them, whatever case, spacing or look-alike letters."""
        file = self.root / change.path
        found = brief_company(change.path, file.read_bytes()) if file.is_file() and not file.is_symlink() else None
        if found is None:
            return None  # no readable company: the brief check says why
        name, line = found
        key = same_name_key(name)
        before = _file_on(self.root, self.commit, change.old_path) if change.old_path else None
        was = brief_company(change.old_path, before) if before is not None else None
        owner = self.companies.get(key)
        if owner is None or (was is not None and same_name_key(was[0]) == key) or _listed(self.author, owner.maintainers):
            return None
        return Problem(change.path, line, f"the company {owner.name} is already on the board ({owner.source} on {self.base}): only "
                                          f"the maintainers of its briefs ({', '.join(owner.maintainers)}) or the board's maintainers "
                                          f"({self.board_list}) may post for it; @{self.author} is neither: ask one of them to add "
                                          "you to a brief's maintainers, or write your own company's name")

    def board_only(self, path: str, verb: str) -> Problem:
        """Files that are neither briefs nor new logos belong to the board: site.toml, layouts, code, workflows."""
        return Problem(path, 1, f"only the board's maintainers ({self.board_list}) may {verb} files outside {BRIEFS} "
                                f"and {LOGOS}; @{self.author} is not one of them: leave this file out of your pull request")
