"""Cache tables that grow with the board's history (a record of each output file, the hash of each brief
file), kept in shards so that a rebuild after a small change rewrites a few small files, not the table.

A table is a dict of path -> named tuple. Its rows are grouped by `group(path)`, each group wholly in one of
`SHARDS` files, and each shard is written only when one of its rows changed: a one-brief rebuild of a
100,000-brief board changes a few dozen rows of 215,000 (its page, the listings that show it, the search
bundle made again), and writing the whole table again took 0.44 s of it.
"""

from __future__ import annotations

import functools
import os
import pickle
import re
import shutil
import tempfile
import zlib
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import Any, Generic, TypeVar

Row = TypeVar("Row", bound=tuple[Any, ...])

SHARDS = 256
SHARD_FILE = re.compile(r"[0-9a-f]{2}\.pickle")  # beside it only the temporary files of a write


class Table(Generic[Row]):
    """A table in `folder`: rows of `kind` by path, grouped by `group(path)` into shards that each carry `header`
    (the cache's format, the folder it describes), so that a table is trusted whole or not at all."""

    def __init__(self, folder: Path, kind: type[Row], header: Mapping[str, Any], group: Callable[[str], str]) -> None:
        # A table is read back only into the rows it was written with: one of another layout reads as empty.
        self.folder, self.kind, self.header, self.group = folder, kind, {**header, "fields": kind._fields}, group
        self.rows: dict[str, Row] | None = None  # as on disk, once read
        self._paths: dict[int, list[str]] = {}  # the paths of each shard's rows, as read or written

    def read(self) -> dict[str, Row]:
        """Every row, read once; empty unless every shard is whole and has this table's header."""
        if self.rows is None:
            self.rows, self._paths = {}, {}
            try:
                names = sorted(name for name in os.listdir(self.folder) if SHARD_FILE.fullmatch(name))
            except OSError:
                names = []
            rows: dict[str, tuple[Any, ...]] = {}
            for name in names:
                stored = read_pickle(self.folder / name)
                if not isinstance(stored, dict) or any(stored.get(key) != value for key, value in self.header.items()):
                    return self.rows
                rows |= stored["rows"]
                self._paths[int(name.removesuffix(".pickle"), 16)] = list(stored["rows"])
            self.rows = _named(self.kind, rows)
        return self.rows

    def write(self, rows: Mapping[str, Row], changed: Collection[str] | None = None) -> None:
        """Make the table hold `rows`, writing only the shards whose rows changed: among `changed` when the
        caller knows which may differ from the rows read, or be gone (else every row is compared: 0.15 s
        for an output folder's 215,000 at 100,000 briefs, after a rebuild that wrote 1,600 of them)."""
        before = self.read()
        if changed is None or not before:
            changed = {path for path, row in rows.items() if before.get(path) != row} | (before.keys() - rows.keys())
        else:
            changed = {path for path in changed if before.get(path) != rows.get(path)}
        dirty = {_shard(self.group(path)) for path in changed}
        if not dirty and before:
            return
        if not before:  # a table made afresh (or unreadable): no shard of an older one may stay
            shutil.rmtree(self.folder, ignore_errors=True)
            self._paths = {}
            dirty = {_shard(self.group(path)) for path in rows} or {0}
        paths = {shard: [path for path in self._paths.get(shard, ()) if path in rows] for shard in dirty}
        for path in changed:
            if path in rows and path not in before:
                paths[_shard(self.group(path))].append(path)
        for shard, members in paths.items():
            file = self.folder / f"{shard:02x}.pickle"
            if members or not rows:
                write_pickle(file, {**self.header, "rows": {path: tuple(rows[path]) for path in members}})
                self._paths[shard] = members
            else:
                file.unlink(missing_ok=True)
                self._paths.pop(shard, None)
        self.rows = dict(rows)

    def rows_on_disk(self) -> int:
        """About how many rows the table holds, from its files' sizes (a row takes about 230 bytes), unread."""
        try:
            return sum(entry.stat().st_size for entry in os.scandir(self.folder) if SHARD_FILE.fullmatch(entry.name)) // 230
        except OSError:
            return 0

    def forget(self) -> None:
        """Let go of the rows until they are asked for again (read again then)."""
        self.rows, self._paths = None, {}

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        self.forget()


def whole_path(path: str) -> str:
    """Each row on its own (brief files)."""
    return path


def top_folders(path: str) -> str:
    """A row with the others of its folder's first two levels: a search bundle's files together, a page
    with its listing's other pages."""
    return "/".join(path.split("/", 2)[:2])


def _shard(key: str) -> int:
    return zlib.crc32(key.encode("utf-8", "surrogateescape")) % SHARDS


def _named(kind: type[Row], stored: dict[str, tuple[Any, ...]]) -> dict[str, Row]:
    """Rows kept as plain tuples made named again: a named tuple pickles through a call to Python code
    each (0.55 to 0.67 s to dump a 100,000-brief board's 215,000 records; 0.33 to 0.40 s as tuples, with
    the conversion); loading them and naming them again costs what loading named ones did."""
    make = functools.partial(tuple.__new__, kind)
    return {key: make(values) for key, values in stored.items()}


def read_pickle(path: Path) -> Any:
    try:
        with path.open("rb") as file:
            return pickle.load(file)
    except Exception:  # noqa: BLE001 - a missing, damaged or foreign cache is only a slower build
        return None


def write_pickle(path: Path, value: Any) -> None:
    """Write atomically, so a build stopped halfway never leaves a torn cache file."""
    write_whole(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


def write_whole(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write `path` whole or not at all (through a file beside it, renamed over it: a link there is replaced,
    never written through), readable by its owner only unless `mode` says otherwise."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
