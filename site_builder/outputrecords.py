"""The build cache's record of each output folder: every file a build wrote there, with what it was made from
(`buildstate` decides what of it is still current). Kept in two tables per folder: the files a rebuild needs
before its search index starts (the open bundle's pages and files), and the rest, which a rebuild reads
beside the index: 215,000 records at 100,000 briefs take 0.6 s to read.
"""

from __future__ import annotations

import os
from collections.abc import Collection
from pathlib import Path
from typing import NamedTuple

from .fingerprint import FORMAT, digest_of
from .tables import Table, top_folders


class OutputRecord(NamedTuple):
    """A file as the build left it in an output folder (a tuple: a board's records load in a fraction of
    the time dataclass instances take, and a rebuild loads 100,000 of them)."""

    inputs: str  # fingerprint of what it was made from; "" for a file that is not skipped on it (static files)
    digest: str  # hash of its bytes
    size: int
    mtime_ns: int
    inode: int
    links: tuple[str, ...] = ()  # the static files a page links, whose versions `inputs` covers
    searched: str = ""  # of a project page, the hash of what the search index reads of it (`search.indexed_part`)

    def matches(self, stat: os.stat_result) -> bool:
        """True when the file on disk is still the one the build wrote (nobody touched it since)."""
        return (stat.st_size, stat.st_mtime_ns, stat.st_ino) == (self.size, self.mtime_ns, self.inode)


class OutputRecords:
    """The records of the output folders one board's builds wrote (`folder` None: the disabled cache)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder / "outputs" if folder else None
        self._tables: dict[tuple[Path, bool], Table[OutputRecord]] = {}

    def read(self, target: Path, first: bool | None = None) -> dict[str, OutputRecord]:
        """What the last cached build wrote into `target`, file by file: the files needed first (`first` True),
        the others (False), or all (None); empty when unknown."""
        if not self.folder:
            return {}
        return self._table(target, True).read() | self._table(target, False).read() if first is None else self._table(target, first).read()

    def keep(self, target: Path, records: dict[str, OutputRecord], changed: Collection[str] | None = None,
             first: Collection[str] | None = None) -> None:
        """Remember what `target` holds now: `records`, of which only those of `changed` (if given) may differ
        from what `read` read, and of which the next build needs `first` first (default: as it was)."""
        if self.folder:
            near, far = self._table(target, True), self._table(target, False)
            before = near.read().keys()
            first = set(before if first is None else first) & records.keys()
            moved = before ^ first  # files that change table: a change to both
            near.write({path: records[path] for path in first}, None if changed is None else {*changed} & first | moved)
            far.write({path: record for path, record in records.items() if path not in first},
                      None if changed is None else {path for path in changed if path not in first} | moved)

    def rows_on_disk(self, target: Path) -> int:
        """About how many files the record of `target` holds beyond those needed first, unread."""
        return self._table(target, False).rows_on_disk() if self.folder else 0

    def forget(self, target: Path) -> None:
        """Drop the record of `target`, an output folder that is going away (a `board serve`'s temporary one)."""
        if self.folder:
            for first in (True, False):
                self._table(target, first).remove()
                self._tables.pop((target.resolve(), first), None)

    def _table(self, target: Path, first: bool) -> Table[OutputRecord]:
        assert self.folder
        key = (target.resolve(), first)
        if key not in self._tables:
            name = digest_of(str(key[0]).encode())[:16] + ("-first" if first else "")
            self._tables[key] = Table(self.folder / name, OutputRecord, {"format": FORMAT, "target": str(key[0])}, top_folders)
        return self._tables[key]
