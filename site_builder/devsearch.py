"""The search index under `board serve`: rebuilt from the published pages in a thread of its own, so that
a save never waits for Pagefind, and moved in beside the previous bundle, so that open search pages keep
working until they reload.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from .build import BuildResult
from .buildreport import BuildReport
from .devhttp import BuildStatus
from .errors import BoardError
from .outputs import OutputFile
from .search import index_search
from .search_parts import BUNDLE_DIR, bundle_at, parts_file, search_bundles
from .writer import write_files

SEARCH_ENTRY = "pagefind-entry.json"  # what a page loads first from the bundle; it names every other file
INDEXED_FILE = "search.json"  # in the scratch folder: what the bundles served were made from, for the next `board serve`


def merge_search_bundle(new: Path, live: Path, previous: set[str]) -> set[str]:
    """Move the search bundle at `new` into `live` file by file, Pagefind's entry file last, and delete
    the files of the bundles before `previous`; return the names of the new bundle's files.

    A page that loaded the previous bundle's entry keeps finding the chunks it names (their names carry
    a hash of their content) until it reloads; swapping the whole folder would make them vanish under it.
    """
    names = {path.relative_to(new).as_posix() for path in new.rglob("*") if path.is_file()}
    for name in sorted(names, key=lambda name: (name == SEARCH_ENTRY, name)):
        (live / name).parent.mkdir(parents=True, exist_ok=True)
        os.replace(new / name, live / name)
    for path in list(live.rglob("*")):
        if path.is_file() and path.relative_to(live).as_posix() not in names | previous:
            path.unlink()
    return names


class SearchIndexer:
    """Indexes the latest published build whenever asked, one build at a time; asked again while busy,
    it indexes only the newest build afterwards."""

    def __init__(self, status: BuildStatus, scratch: Path, indexed: Callable[[BuildResult | None, tuple[str, ...]], None],
                 kept: Callable[[str], list[OutputFile] | None]):
        self.status = status
        self.scratch = scratch  # on the same file system as the bundle, so files move in by renaming
        self.indexed = indexed  # told the build with its record count, or the problems that stopped Pagefind
        self.kept = kept  # a bundle made before of the same pages (by `board build`), by its fingerprint: taken, not made again
        self._files: set[str] = set()  # the files of the bundles now served
        self._keys: dict[str, str | None] = {}  # the fingerprint of the pages each bundle now served was made from
        self._restore()
        self._wanted: BuildResult | None = None
        self._asked = threading.Condition()
        self._closed = False
        self.report = BuildReport()  # each Pagefind run, as a build reports its own (what tests read)

    def _restore(self) -> None:
        """Take the bundles an earlier `board serve` left in the search folder, when it noted what they were made
        from (it notes that only once they are all in place) and they are all there."""
        try:
            indexed = json.loads((self.scratch / INDEXED_FILE).read_text(encoding="utf-8"))
            keys, files = dict(indexed["keys"]), set(indexed["files"])
        except (OSError, ValueError, KeyError, TypeError):
            return
        if all((self.status.search / BUNDLE_DIR / name).is_file() for name in files):
            self._keys, self._files = keys, files

    def want(self, result: BuildResult) -> None:
        with self._asked:
            self._wanted = result
            self._asked.notify_all()

    def close(self) -> None:
        with self._asked:
            self._closed = True
            self._asked.notify_all()

    def run(self) -> None:
        """The indexing thread: until closed, index each newest build asked for."""
        while True:
            with self._asked:
                self._asked.wait_for(lambda: self._closed or self._wanted is not None)
                if self._closed:
                    return
                result, self._wanted = self._wanted, None
            self._index(result)

    def _index(self, result: BuildResult) -> None:
        """Index again the bundles whose pages changed (a brief edited: the open bundle alone, as `board build`
        does), or take those `board build` made of the same pages from the cache, and move them in beside the
        others; none when no project page changed."""
        bundles = search_bundles(result.site)
        todo = [name for name, key in result.search_keys.items() if key is None or key != self._keys.get(name)]
        if not todo and bundles.keys() == self._keys.keys():  # no project page changed: the index holds
            return self._published(result, ())
        folder = Path(tempfile.mkdtemp(prefix="search-", dir=self.scratch))
        taken: set[str] = set()
        try:
            for name in todo:  # one bundle held at a time, as a build holds them
                key = result.search_keys[name]
                if key and (files := self.kept(key)) is not None:
                    write_files(folder, files)
                    taken.add(name)
            indexed = tuple(name for name in todo if name not in taken)
            made = index_search(result.site, {name: bundles[name] for name in indexed},
                                lambda path: (self.status.site / path).read_bytes())  # each page read from disk
            write_files(folder, made + [parts_file(bundles)])
            unchanged = bundles.keys() - set(todo)
            kept = {name for name in self._files if bundle_at(f"{BUNDLE_DIR}/{name}") in unchanged}
            (self.scratch / INDEXED_FILE).unlink(missing_ok=True)  # the bundles are changing: noted again once in place
            self._files = merge_search_bundle(folder / BUNDLE_DIR, self.status.search / BUNDLE_DIR, self._files) | kept
        except OSError:  # a newer build is replacing the pages being read: index that one instead
            time.sleep(0.1)
            with self._asked:
                self._wanted = self._wanted or result
            return
        except BoardError as error:
            problems = tuple(str(problem) for problem in error.problems)
            self.status.publish(lambda current: replace(current, build=current.build + 1, pages_changed=current.build + 1,
                                                        problems=problems))
            return self.indexed(None, problems)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        self._keys = dict(result.search_keys)
        if None not in self._keys.values():  # an unknown fingerprint (no cache) matches nothing later anyway
            noted = self.scratch / f".{INDEXED_FILE}"
            noted.write_text(json.dumps({"keys": self._keys, "files": sorted(self._files)}), encoding="utf-8")
            os.replace(noted, self.scratch / INDEXED_FILE)
        for name in indexed:
            self.report.note("index", name, "a project page changed")
        self._published(result, indexed)

    def _published(self, result: BuildResult, indexed: tuple[str, ...]) -> None:
        """Tell the open pages, and whoever waits for the index, that it now holds `result`'s projects,
        having indexed the bundles named `indexed` (those whose pages changed)."""
        self.status.publish(lambda current: replace(current, build=current.build + 1, search_changed=current.build + 1))
        parts = (len(search_bundles(result.site)), indexed)
        self.indexed(replace(result, search_records=len(result.site.projects), search_parts=parts), ())
