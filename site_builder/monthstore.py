"""The archive months kept in `.cache/months/`, one file each (months.py says what a part holds, briefstate.py
when a build takes one whole, monthparts.py how a build makes one)."""

from __future__ import annotations

from pathlib import Path

from .fingerprint import FORMAT
from .months import MonthPart
from .tables import read_pickle, write_pickle


class MonthStore:
    """The kept archive months of one board's cache (`folder` None: the disabled cache, which keeps nothing)."""

    def __init__(self, folder: Path | None, read_only: bool = False):
        self.folder = folder / "months" if folder else None
        self.read_only = read_only
        self._read = False  # whether this build asked for the parts: only then may it let go of those it left
        self._kept: dict[str, MonthPart | None] = {}  # by name: the parts to write (None: taken as they are)

    def parts(self) -> list[MonthPart]:
        """Every part an earlier build kept, by name; whether each still holds is the caller's to check."""
        if not self.folder:
            return []
        self._read = True
        found = []
        for path in sorted(self.folder.glob("*.pickle")):
            stored = read_pickle(path)
            if isinstance(stored, dict) and stored.get("format") == FORMAT and isinstance(stored.get("part"), MonthPart):
                found.append(stored["part"])
        return found

    def taken(self, name: str) -> None:
        """Note a part this build took as it was: it stays."""
        self._kept.setdefault(name, None)

    def keep(self, part: MonthPart) -> None:
        """A part made now, for the builds after (written by `save`, once the build is written)."""
        self._kept[part.name] = part

    def save(self) -> None:
        """Write the parts made now, and let go of those the build neither took nor made: months that changed
        and could not be made again, or no longer hold a project."""
        if self.folder and not self.read_only:
            for name, part in self._kept.items():
                if part is not None:
                    write_pickle(self.folder / f"{name}.pickle", {"format": FORMAT, "part": part})
            if self._read:
                for path in self.folder.glob("*.pickle"):
                    if path.stem not in self._kept:
                        path.unlink(missing_ok=True)
        self._read, self._kept = False, {}
