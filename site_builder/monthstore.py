"""The archive months kept in `.cache/months/`: each month's part, read by every rebuild, and its rest, read only
where needed; and the sums of the months last kept (months.py says what a part holds, briefstate.py when a build
takes one whole, monthparts.py how a build makes one)."""

from __future__ import annotations

import functools
import operator
import pickle
from collections.abc import Sequence
from dataclasses import fields
from pathlib import Path

from .errors import BoardError, Problem
from .fingerprint import FORMAT
from .months import NO_SUMS, MonthPart, MonthRest, MonthSums
from .tables import read_pickle, write_pickle, write_whole

SUMS_FILE = "sums.pickle"
# What a file is read back into only if it was written with: the layout of what it holds, besides the cache's format.
HEADER = {"format": FORMAT, "fields": tuple(field.name for kind in (MonthPart, MonthRest, MonthSums) for field in fields(kind))}


class MonthStore:
    """The kept archive months of one board's cache (`folder` None: the disabled cache, which keeps nothing)."""

    def __init__(self, folder: Path | None, read_only: bool = False):
        self.folder = folder / "months" if folder else None
        self.read_only = read_only
        self._read = False  # whether this build asked for the parts: only then may it let go of those it left
        self._kept: dict[str, MonthPart] = {}  # by name: the parts taken as they were or made now, for the next build
        self._made: set[str] = set()  # the names of the parts made now, or taken with their files' stats now: to write
        self._summed: dict[str, str] | None = None  # the token of each part the kept sums are of

    def parts(self) -> list[MonthPart]:
        """Every part an earlier build kept, by name; whether each still holds is the caller's to check."""
        if not self.folder:
            return []
        self._read, self._kept, self._made = True, {}, set()  # a build, not what a failed one before it noted
        found = []
        for path in sorted(self.folder.glob("????-??.pickle")):
            stored = read_pickle(path)
            if self._ours(stored) and isinstance(stored.get("part"), MonthPart):
                found.append(stored["part"])
        return found

    def has_rest(self, part: MonthPart) -> bool:
        """Whether a part's rest is there (a part is taken whole only then)."""
        return bool(self.folder) and (self.folder / _rest_name(part)).is_file()

    def rest(self, part: MonthPart, needed: bool = True) -> MonthRest | None:
        """The rest of a part, kept beside it. When it is `needed`, one gone or damaged since the part was taken
        whole is an error to say; else it is None."""
        stored = read_pickle(self.folder / _rest_name(part)) if self.folder else None
        if self._ours(stored) and stored.get("token") == part.token and isinstance(stored.get("rest"), MonthRest):
            return stored["rest"]
        if needed:
            raise BoardError([Problem(str(self.folder), 1, f"the cache's archive month {part.name} changed during the build: build again")])
        return None

    def summed(self, parts: Sequence[MonthPart]) -> MonthSums:
        """The sums of these parts: as kept when they are the parts last summed, else summed now."""
        stored = read_pickle(self.folder / SUMS_FILE) if self.folder else None
        fresh = self._ours(stored) and isinstance(stored.get("sums"), MonthSums)
        self._summed = stored["covers"] if fresh else None
        if fresh and stored["covers"] == {part.name: part.token for part in parts}:
            return stored["sums"]
        return functools.reduce(operator.add, (self.rest(part).sums for part in parts), NO_SUMS)

    def taken(self, part: MonthPart) -> None:
        """Note a part this build took as it was: it stays."""
        self._kept.setdefault(part.name, part)

    def keep(self, part: MonthPart, rest: bytes | None = None) -> None:
        """A part made now (with its rest, pickled, unless it is the one kept), for the builds after: its rest
        written at once (a board's history of them is 70 MB at 100,000 briefs), the part by `save`, once the
        build is written (a rest no part names is let go of then)."""
        if rest is not None and self.folder and not self.read_only:
            write_whole(self.folder / _rest_name(part), rest)
        self._kept[part.name] = part
        self._made.add(part.name)

    def save(self) -> None:
        """Write the parts made now and their sums, and let go of those the build neither took nor made:
        months that changed and could not be made again, or no longer hold a project."""
        if self.folder and not self.read_only and (self._read or self._made):
            for name in self._made:
                write_pickle(self.folder / f"{name}.pickle", {**HEADER, "part": self._kept[name]})
            if self._read:
                names = {name for part in self._kept.values() for name in (f"{part.name}.pickle", _rest_name(part))}
                for path in self.folder.glob("????-??*.pickle"):
                    if path.name not in names:
                        path.unlink(missing_ok=True)
            parts = [self._kept[name] for name in sorted(self._kept)]
            covers = {part.name: part.token for part in parts}
            if covers != self._summed:
                self._summed = None
                write_pickle(self.folder / SUMS_FILE, {**HEADER, "covers": covers, "sums": self.summed(parts)})
        self._read, self._kept, self._made, self._summed = False, {}, set(), None

    @staticmethod
    def _ours(stored: object) -> bool:
        return isinstance(stored, dict) and all(stored.get(key) == value for key, value in HEADER.items())


def _rest_name(part: MonthPart) -> str:
    """A part's rest is named by its token: one a failed build made next to it leaves the part's own in place."""
    return f"{part.name}.{part.token[:16]}.rest.pickle"


def rest_file(rest: MonthRest, token: str) -> bytes:
    """A part's rest as `MonthStore.keep` writes it, with its part's token."""
    return pickle.dumps({**HEADER, "token": token, "rest": rest}, protocol=pickle.HIGHEST_PROTOCOL)
