"""The archive months kept in `.cache/months/`, one file each, and their sums (months.py says what a part
holds, briefstate.py when a build takes one whole, monthparts.py how a build makes one)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from pathlib import Path

from .fingerprint import FORMAT
from .months import MonthPart, MonthSums, summed
from .tables import read_pickle, write_pickle

SUMS_FILE = "sums.pickle"
# What a file is read back into only if it was written with: the layout of what it holds, besides the cache's format.
HEADER = {"format": FORMAT, "fields": tuple(field.name for field in fields(MonthPart)) + tuple(field.name for field in fields(MonthSums))}


class MonthStore:
    """The kept archive months of one board's cache (`folder` None: the disabled cache, which keeps nothing)."""

    def __init__(self, folder: Path | None, read_only: bool = False):
        self.folder = folder / "months" if folder else None
        self.read_only = read_only
        self._read = False  # whether this build asked for the parts: only then may it let go of those it left
        self._kept: dict[str, MonthPart] = {}  # by name: the parts taken as they were or made now, for the next build
        self._made: set[str] = set()  # the names of those to write
        self._summed: dict[str, str] | None = None  # the token of each part the kept sums are of

    def parts(self) -> list[MonthPart]:
        """Every part an earlier build kept, by name; whether each still holds is the caller's to check."""
        if not self.folder:
            return []
        self._read = True
        found = []
        for path in sorted(self.folder.glob("????-??.pickle")):
            stored = read_pickle(path)
            if isinstance(stored, dict) and all(stored.get(key) == value for key, value in HEADER.items()) and isinstance(stored.get("part"), MonthPart):
                found.append(stored["part"])
        return found

    def sums(self, parts: Sequence[MonthPart]) -> MonthSums:
        """The sums of these parts: as kept when they are the parts last summed, else summed now."""
        stored = read_pickle(self.folder / SUMS_FILE) if self.folder else None
        fresh = isinstance(stored, dict) and all(stored.get(key) == value for key, value in HEADER.items()) and isinstance(stored.get("sums"), MonthSums)
        self._summed = stored["covers"] if fresh else None
        return stored["sums"] if fresh and stored["covers"] == {part.name: part.token for part in parts} else summed(parts)

    def taken(self, part: MonthPart) -> None:
        """Note a part this build took as it was: it stays."""
        self._kept.setdefault(part.name, part)

    def keep(self, part: MonthPart) -> None:
        """A part made now, for the builds after (written by `save`, once the build is written)."""
        self._kept[part.name] = part
        self._made.add(part.name)

    def save(self) -> None:
        """Write the parts made now and their sums, and let go of those the build neither took nor made:
        months that changed and could not be made again, or no longer hold a project."""
        if self.folder and not self.read_only and (self._read or self._made):
            for name in self._made:
                write_pickle(self.folder / f"{name}.pickle", {**HEADER, "part": self._kept[name]})
            if self._read:
                for path in self.folder.glob("????-??.pickle"):
                    if path.stem not in self._kept:
                        path.unlink(missing_ok=True)
            parts = [self._kept[name] for name in sorted(self._kept)]
            covers = {part.name: part.token for part in parts}
            if covers != self._summed:
                write_pickle(self.folder / SUMS_FILE, {**HEADER, "covers": covers, "sums": summed(parts)})
        self._read, self._kept, self._made, self._summed = False, {}, set(), None
