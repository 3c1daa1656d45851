"""Which files the board reads under content/ and static/, and how: editors' files skipped, symbolic links
refused, a brief's bytes bounded. Shared by the content stage and everything that walks those folders
(content pages, statics, the theme, `board serve`), which need no brief's rules.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from .errors import Problem
from .frontyaml import decode_text
from .text import first_forbidden

CONTENT_DIR = Path("content")
PROJECTS_DIR = Path("content/projects")
LOGOS_DIR = Path("static/logos")
# A logo's file name: plain in a URL, never hidden, with the extension of a format statics.py publishes.
LOGO_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*(\.[a-z0-9_-]+)*\.(png|jpe?g|webp|gif|svg)", re.IGNORECASE)
MAX_BRIEF_BYTES = 256 * 1024


def read_limited(path: Path | str) -> bytes:
    """A brief's bytes, never more than one past the limit: the file may be huge or never end. A symbolic
    link is never followed (it could lead to /proc/self/environ): opening one fails."""
    with open(path, "rb", opener=lambda file, flags: os.open(file, flags | os.O_NOFOLLOW)) as file:
        return file.read(MAX_BRIEF_BYTES + 1)


def symlink_message() -> str:
    """What the board says of a symbolic link under content/ or static/, wherever it finds one."""
    return ("this is a symbolic link, which the board never follows (it could publish a file from outside "
            "the repository): put the file itself here instead")


def link_problems(root: Path, folder: Path, listed: Path | None = None) -> list[Problem]:
    """A problem for each symbolic link under `folder` (content/ or static/), found without following any,
    but inside the folder `listed`, whose reader says so of its own (`brief_paths`: a history of briefs
    is not walked twice); editors' files are left out, as everywhere (Emacs's lock file is a link to nowhere)."""
    start = root / folder
    if start.is_symlink():
        return [Problem(folder.as_posix(), 1, symlink_message())]
    problems, folders = [], [(folder.as_posix(), str(start))]
    while folders:  # os.scandir knows each entry's kind without a stat: 100,000 briefs are read in 0.1 s
        shown, path = folders.pop()
        try:
            entries = sorted(os.scandir(path), key=lambda entry: entry.name)
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            if is_editor_noise(entry.name):
                continue
            if entry.is_symlink():
                problems.append(Problem(f"{shown}/{entry.name}", 1, symlink_message()))
            elif entry.is_dir() and f"{shown}/{entry.name}" != (listed and listed.as_posix()):
                folders.append((f"{shown}/{entry.name}", entry.path))
    return sorted(problems)


# Files editors write beside the file being edited, which no board means to publish: Vim's swap files and
# its writability probe "4913", Emacs's .#lock and #autosave# files, the backups Emacs and Vim leave after a
# save (brief.md~), JetBrains' safe-write temps; and hidden files (.DS_Store, .goutputstream-*).
EDITOR_NOISE_NAMES = ("4913",)
EDITOR_NOISE_PREFIXES = (".", "#")
EDITOR_NOISE_SUFFIXES = ("~", ".swp", ".swo", ".swx", "___jb_tmp___", "___jb_old___")


def is_editor_noise(name: str) -> bool:
    """True for a file name the board skips wherever it reads a folder, and `board serve` never rebuilds for."""
    return name in EDITOR_NOISE_NAMES or name.startswith(EDITOR_NOISE_PREFIXES) or name.endswith(EDITOR_NOISE_SUFFIXES)


def brief_paths(root: Path) -> tuple[list[str], list[Problem]]:
    """Every brief file under content/projects/, and a problem for each file there that is not one. Paths
    as strings: a board's history of them, made and read as Path objects, is half a second at 100,000 briefs."""
    folder = root / PROJECTS_DIR
    if not folder.is_dir() or folder.is_symlink() or (root / CONTENT_DIR).is_symlink():
        return [], []  # a linked folder is reported by link_problems
    paths, problems, start = [], [], f"{folder}/"
    for entry in sorted(os.scandir(folder), key=lambda entry: entry.name):  # scandir: no stat per file where the type is known
        name = entry.name
        if is_editor_noise(name) or name.lower() == "readme.md":
            continue
        if entry.is_symlink():
            problems.append(Problem(f"{PROJECTS_DIR.as_posix()}/{name}", 1, symlink_message()))
        elif first_forbidden(name):  # a byte that is not UTF-8 (read as a lone surrogate), or a control character
            problems.append(Problem(f"{PROJECTS_DIR.as_posix()}/{name}", 1, "the file name is not plain UTF-8 text: rename it "
                                                                           "to lowercase letters, digits and hyphens, like acme-crm-cleanup.md"))
        elif entry.is_file() and name.endswith(".md"):
            paths.append(start + name)
        else:
            problems.append(Problem(f"{PROJECTS_DIR.as_posix()}/{name}", 1,
                                    f"only briefs belong in {PROJECTS_DIR}/: one <slug>.md file per project (rename or move this)"))
    return paths, problems


def logo_files(root: Path) -> frozenset[str]:
    """The names a brief's company.logo may give: the files (not links) directly in static/logos/, as
    `brieffields` finds a logo."""
    try:
        with os.scandir(root / LOGOS_DIR) as entries:
            return frozenset(entry.name for entry in entries if entry.is_file(follow_symlinks=False))
    except OSError:
        return frozenset()


def file_stats(paths: list[str]) -> list[tuple[int, int, int] | None]:
    """Each file's size, modification time and inode, what tells a changed file (None: it cannot be looked at)."""
    stats: list[tuple[int, int, int] | None] = []
    for path in paths:
        try:
            stat = os.stat(path, follow_symlinks=False)
            stats.append((stat.st_size, stat.st_mtime_ns, stat.st_ino))
        except OSError:
            stats.append(None)
    return stats


def decoded_source(raw: bytes, source: str, problems: list[Problem]) -> str | None:
    """`raw` as text (see decode_text), or None with a problem on the line of its first byte that is not UTF-8."""
    try:
        return decode_text(raw)
    except UnicodeDecodeError as error:
        line = 1 + raw[: error.start].count(b"\n")
        problems.append(Problem(source, line, f"the file is not UTF-8 text (byte 0x{raw[error.start]:02x} on this line); save it as UTF-8"))
        return None
