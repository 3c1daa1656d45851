"""The cache's tables that grow with the history (output records, brief files' hashes): a small change
rewrites only the shards it touches, and what is read back is what the build left."""

from __future__ import annotations

import os
import pickle
import time
from pathlib import Path
from typing import NamedTuple

from site_builder.cache import BuildCache
from site_builder.tables import Table, top_folders, whole_path
from tests.test_cache import TODAY, age, build, generate, identities, project_path


def shard_rows(folder: Path) -> dict[str, set[str]]:
    """Each shard file of a table, with the paths of its rows."""
    return {shard.name: set(pickle.loads(shard.read_bytes())["rows"]) for shard in sorted(folder.glob("*.pickle"))}


def test_a_one_brief_rebuild_rewrites_only_the_shards_of_the_records_it_changed(tmp_path: Path) -> None:
    board, output = generate.generate(60, tmp_path / "board", seed=5), tmp_path / "public"
    age(board / "content" / "projects")
    build(board, output, TODAY)
    build(board, output, TODAY)  # the archive months kept whole by the first build: their briefs' rows leave the tables
    tables = sorted((board / ".cache" / "outputs").iterdir())  # the files a rebuild needs first, and the rest
    assert len(tables) == 2
    hashes = board / ".cache" / "files"
    records_before, tables_before = BuildCache.for_board(board).records.read(output), identities(board / ".cache")
    brief, _ = project_path(board, 7)
    brief.write_text(brief.read_text() + "\nOne more sentence.\n")
    os.utime(brief, ns=(time.time_ns() - 60 * 10**9,) * 2)  # long enough before the build for its hash to be kept
    build(board, output, TODAY)

    records = BuildCache.for_board(board).records.read(output)
    changed = {path for path, record in records.items() if records_before.get(path) != record}
    rewritten = {(Path(name).parent.name, Path(name).name) for name, identity in identities(board / ".cache").items()
                 if Path(name).parent.name in {table.name for table in tables} and tables_before.get(name) != identity}
    assert changed and rewritten, "the edit changed no record"
    rows = {(table.name, shard): paths for table in tables for shard, paths in shard_rows(table).items()}
    assert all(rows[shard] & changed for shard in rewritten)  # each one written holds a change
    assert len(rewritten) < len(rows) / 2
    assert [name for name, identity in identities(board / ".cache").items()
            if Path(name).parent == Path("files") and tables_before.get(name) != identity] == \
        [f"files/{shard}" for shard, paths in shard_rows(hashes).items() if str(brief) in paths]
    for path, record in records.items():  # read back by a new cache, the records are the folder as it is
        stat = (output / path).stat()
        assert (record.size, record.mtime_ns, record.inode) == (stat.st_size, stat.st_mtime_ns, stat.st_ino), path


class Row(NamedTuple):
    value: int


def test_a_table_is_read_back_as_written_and_not_at_all_with_a_damaged_shard(tmp_path: Path) -> None:
    folder, header = tmp_path / "table", {"format": 1}
    rows = {f"projects/p{number}/index.html": Row(number) for number in range(300)}
    Table(folder, Row, header, top_folders).write(rows)
    table = Table(folder, Row, header, top_folders)
    assert table.read() == rows and all(type(row) is Row for row in table.read().values())
    smaller = {path: row for path, row in rows.items() if not path.startswith("projects/p1")} | {"index.html": Row(-1)}
    table.write(smaller)
    assert Table(folder, Row, header, top_folders).read() == smaller
    assert sum(len(paths) for paths in shard_rows(folder).values()) == len(smaller)  # no shard keeps a row gone
    assert Table(folder, Row, {"format": 2}, top_folders).read() == {}  # another version's table is not this one's
    first = sorted(folder.glob("*.pickle"))[0]
    first.write_bytes(first.read_bytes()[:10])
    assert Table(folder, Row, header, whole_path).read() == {}
    Table(folder, Row, header, top_folders).write(smaller)  # a table found damaged is written whole again
    assert Table(folder, Row, header, top_folders).read() == smaller
