"""Build state: the one answer to "is this still current, and if not, why?", and a report of the work done.

Every stage asks one `BuildState`: the loader for parsed briefs and rendered Markdown (kept in the cache; its
`briefs`, briefstate.py),
the render stage for the pages and board files the last build wrote into this output folder, the search
stage for its bundles, the writer for what is on disk now. Each piece of work it does not spare is noted
in `report` with its reason: what `board build --explain` prints, and what tests read (a second build of
an unchanged board reports nothing, like Lektor's `AssertBuildsNothingReporter`).

A cached build is byte-identical to a clean one: every fingerprint covers all that goes into its output.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from .briefstate import NO_CACHE, BriefState
from .buildreport import BuildReport
from .cache import BuildCache
from .outputrecords import OutputRecord
from .fingerprint import Digester, entry_key
from .history import CommitTimes, last_commit_times
from .model import Project, Site
from .monthparts import month_parts
from .lazyseq import MonthProjects
from .outputs import OutputFile, SiteFile
from .pagekeys import PageKeys, layout_key
from .pages import PROJECT_LAYOUT, PageSpec, Renderer
from .parallel import in_background
from .search_parts import ARCHIVE_DIR, BUNDLE_DIR
from .writer import Staged, Staging, files_in, restated

NO_RECORD = "no earlier build wrote this folder"
OPEN_FILES, ARCHIVE_FILES = f"{BUNDLE_DIR}/", f"{BUNDLE_DIR}/{ARCHIVE_DIR}/"  # the open bundle's files, and the archive's
TOUCHED = "the output folder changed since the last build"
PAGE_PARTS = ("its layouts changed", "the board's settings or navigation changed", "what it shows changed",
              "a static file it links changed")  # why a page is rendered again, by the part of its fingerprint that changed


class BuildState:
    """What one build takes from the cache and from its output folder, and what it did instead."""

    def __init__(self, cache: BuildCache, output: Path | None = None) -> None:
        self.cache, self.output = cache, output
        self.report = BuildReport()
        # The last build's records of the output folder as read, and why it is written afresh ("": it is not)
        self.previous, self.fresh, self._check = self._last_records(output) if output else ({}, NO_RECORD, None)
        self.kept: dict[str, OutputRecord] = {}  # outputs taken as they are on disk
        self.inputs: dict[str, str] = {}  # output path -> fingerprint of what it is made from (a kept file's is in its record)
        self.links: dict[str, tuple[str, ...]] = {}  # page path -> the static files it links (a page rendered now)
        self.searched: dict[str, str] = {}  # project page path -> the hash of what the search index reads of it
        self._links: dict[tuple[str, ...], tuple[str, ...]] = {}  # each set of links, once (`rendered`)
        self.page_keys: PageKeys | None = None
        self._bundle_keys: set[str] = set()  # the fingerprints of the bundles asked for (`bundle_key`)
        self._by_inputs: dict[str, dict[str, OutputRecord]] = {}  # the previous records of their files, by fingerprint
        self._restated: set[str] = set()  # the files whose stat moved since the last build recorded them (`verified`)
        # What of the output folder goes into the cache once it is `verified`, and the bundles made from its pages meanwhile
        self._bundles_kept: list[tuple[str, Callable[[], list[OutputFile]]]] = []
        self._bundles_made: list[str] = []
        self._all_read = False  # whether `previous` holds the records not needed first (`read_all_records`)
        self._brief_keys: dict[int, tuple[str, Any]] | None = None  # each brief's key by its id, for the plan's digests
        self.first: list[str] = []  # the pages the build needed first: the next build reads their records first
        self.staging: Staging | None = None  # where this build's files go as they are made (see `open_staging`)
        self.briefs = BriefState(cache, self.report, building=output is not None)  # the load's questions

    def _last_records(self, output: Path) -> tuple[dict[str, OutputRecord], str, Callable[[], dict[str, tuple[int, int, int]] | None] | None]:
        """The last build's records of `output` needed first (the rest: `read_all_records`), why it is written
        afresh ("": it is not), and what waits for the check that every file holds the bytes it left, in a
        process of its own (see `verified`)."""
        if not self.cache.enabled:
            return {}, NO_CACHE, None
        first, rest = self.cache.records.read(output, first=True), self.cache.records.rows_on_disk(output)
        if not first and not rest:
            return {}, NO_RECORD, None
        return first, "", in_background(_restated, self.cache, output, items=len(first) + rest)

    def read_all_records(self) -> None:
        """Before the plan of the rest of the board: the records of the files not needed first (the pages and
        bundles of the closed projects, the listings), which a rebuild reads beside the index."""
        if self.output and not self.fresh and not self._all_read:
            self.previous = self.previous | self.cache.records.read(self.output, first=False)  # a new dict: see `verified`
            if self.staging:
                self.staging.previous = self.previous
        self._all_read = True

    def verified(self) -> bool:
        """Before the write: whether the output folder holds the files the build took it to hold, as recorded
        (a moved file's record takes its stat now). The plan went on with the records meanwhile: a folder
        touched by hand is rare, and checking it takes 1.5 s at 100,000 briefs. If it was touched, the build's
        outputs are let go of (the bundles made from its pages with them) and the next plan starts afresh."""
        moved, self._check = self._check() if self._check else {}, None
        if moved is None:
            for key in self._bundles_made:
                self.cache.bundles.forget(key)
            self.previous, self.fresh, self.kept, self.inputs, self.links, self.searched = {}, TOUCHED, {}, {}, {}, {}
            self._all_read = True
            self._bundle_keys, self._by_inputs, self._bundles_kept, self._bundles_made = set(), {}, [], []
            self.report.work = [work for work in self.report.work if work.kind not in ("render", "index")]
            return False
        self._restated, self._brief_keys = set(moved), None
        if moved:  # a new dict: the records as read stay the cache's, which the write compares with
            self.previous = self.previous | {path: self.previous[path]._replace(size=size, mtime_ns=mtime, inode=inode)
                                             for path, (size, mtime, inode) in moved.items()}
            self.kept |= {path: self.previous[path] for path in moved.keys() & self.kept.keys()}
            if self.staging:
                self.staging.previous = self.previous
        for key, files in self._bundles_kept:
            self.cache.bundles.bundle_kept(key, files)
        return True

    # History: each brief's last commit time, read from git only as far as the last build did not.

    def commit_times(self, root: Path) -> CommitTimes:
        """Each brief's last commit time, the history read as far as the cache does not hold it (noted, with why)."""
        times, read = last_commit_times(root, self.cache.commit_times())
        if read:
            self.report.note("history", "git log", read)
        self.cache.keep_commit_times(times)
        return times

    # Outputs: kept in the output folder while what each is made from is unchanged.

    @contextmanager
    def planning(self, renderer: Renderer) -> Iterator[None]:
        """Where `plan` may be called, as often as needed; leaving keeps and lets go of the hashes (70 MB at 100,000 briefs)."""
        if self._brief_keys is None:  # kept until the write: a plan started again afresh digests the briefs as this one did
            self._brief_keys = self.briefs.keys_by_id()
        digest = Digester(known=self._brief_keys)
        if self.cache.enabled:
            self.page_keys = PageKeys(functools.cache(functools.partial(layout_key, renderer, self.cache.code)),
                                      entry_key(self.cache.code, digest(renderer.data)), digest, renderer.static_version,
                                      entry_key(self.cache.code, digest(renderer.project_inputs())),
                                      self.cache.project_digests, self.cache.keep_project_digests)
        try:
            yield
            if self.page_keys:
                self.page_keys.planned()
        finally:
            digest.forget()

    def plan(self, specs: list[PageSpec], projects: Sequence[Project], board_files: list[SiteFile],
             months: Sequence[MonthProjects[Project]] = ()) -> tuple[list[tuple[PageSpec | Project, str | None]], list[SiteFile]]:
        """Within `planning`: the pages (`specs`, the pages of `projects` and of `months`) and board files whose
        fingerprint differs from the one each was written with (a page's with the versions of the static files
        it linked). A page comes with its context's fingerprint (None without a cache), so the process that
        renders it reads only what the page shows; a project page as its project, its context made only where
        it is rendered. A month taken whole is planned from the digests it keeps: its projects are made only
        if one of its pages must render."""
        if not self.cache.enabled:  # no month is taken whole without a cache
            for path in [spec.context.output_path for spec in specs] + [project.path + "index.html" for project in projects] + \
                    [path for spec in board_files for path in spec.paths]:
                self.report.note("render", path, NO_CACHE)
            return [(page, None) for page in [*specs, *projects]], board_files
        keys = self.page_keys
        assert keys is not None
        keys.prepare({spec.template for spec in specs} | {PROJECT_LAYOUT}, projects)
        pages = [(spec, context) for spec, context in zip(specs, map(keys.context, specs))
                 if self._stale(spec.context.output_path, keys.page_of(spec.template), context)]
        project_page = keys.page_of(PROJECT_LAYOUT)  # a loop of its own: 100,000 times at a board's history
        pages += [(project, context) for project, context in zip(projects, map(keys.project, projects))
                  if self._stale(project.path + "index.html", project_page, context)]
        for month in months:
            stale = [(index, context) for index, (path, context) in enumerate(zip(month.pages, map(keys.project_of, month.part.digests)))
                     if self._stale(path, project_page, context)]
            pages += [(month[index], context) for index, context in stale]
        files = []
        for spec in board_files:
            key = entry_key(self.cache.code, spec.render.__qualname__, keys.digest(spec.inputs))
            self.inputs |= dict.fromkeys(spec.paths, key)
            befores = [self.previous.get(path) for path in spec.paths]
            if all(before and before.inputs == key for before in befores):
                self.kept |= {path: before for path, before in zip(spec.paths, befores) if before}
            else:
                files.append(spec)
                for path, before in zip(spec.paths, befores):
                    self.report.note("render", path, self._why(before, key, ("what it lists changed",)))
        return pages, files

    def keep_months(self, site: Site, changed: Mapping[str, datetime]) -> None:
        """Within `planning`, every page planned: keep each archive month `site` placed one by one, for the
        builds after to take whole (months.py); `changed`: the commit times the model took."""
        if self.page_keys and not self.cache.read_only:
            for part, rest in month_parts(site, self.briefs.sources, self.page_keys.digest.known, changed, self.briefs.settings, self.cache.body_code):
                self.cache.months.keep(part, rest)
        self.briefs.forget_sources()

    def _stale(self, path: str, key_of: Callable[[str, tuple[str, ...]], str], context: str) -> bool:
        """Whether the page at `path`, of `context` (its key made by `key_of`, with the static files it
        links), must be rendered (noted, with why); else it is kept as it is."""
        before = self.previous.get(path)
        key = key_of(context, before.links) if before else ""
        if before and before.inputs == key:  # its record kept as it is: its fingerprint and links with it
            self.kept[path] = before
            return False
        self.report.note("render", path, self._why(before, key, PAGE_PARTS))
        return True

    def _why(self, before: OutputRecord | None, key: str, parts: tuple[str, ...]) -> str:
        if before is None:
            return self.fresh or "new"
        changed = [why for why, old, new in zip(parts, before.inputs.split(":"), key.split(":")) if old != new]
        return changed[0] if changed else parts[0]

    def rendered(self, path: str, key: str, links: tuple[str, ...], searched: str) -> None:
        """Note the fingerprint a page was rendered with (taken by the process that rendered it), and for a
        project page the hash of what the search index reads of it. Pages link the same few static files:
        one tuple for each set, which the records of the next build share too."""
        self.inputs[path], self.links[path] = key, self._links.setdefault(links, links)
        if searched:
            self.searched[path] = searched

    def bundle_key(self, name: str, indexer: str, pages: list[str]) -> str | None:
        """The fingerprint of a bundle that `indexer` makes of `pages` (a search index): of what it reads of each
        page, not of what the page is made from, so that a new stylesheet, base URL or version of the generator
        that leaves the pages' indexed parts as they were leaves the bundle too. None when the cache is off."""
        if not self.cache.enabled:
            return None
        key = entry_key(indexer, name, *(f"{path} {self._searched(path)}" for path in pages))
        self._bundle_keys.add(key)
        return key

    def _searched(self, path: str) -> str:
        """What the search index reads of a project page: as rendered now, else as the kept page's record says."""
        searched = self.searched.get(path)
        if searched is None:
            kept = self.kept.get(path)
            searched = kept.searched if kept else ""
        return searched

    def keep_bundle(self, name: str, key: str | None) -> list[OutputFile] | None:
        """A bundle made from the same pages as before: none to write when the output folder holds it,
        its files from the cache when only the cache does (a deploy that starts from an empty folder);
        None (noted) when it must be made."""
        if key and key not in self._by_inputs:  # the bundles asked for since the last look, and only their files:
            found: dict[str, dict[str, OutputRecord]] = {bundle: {} for bundle in self._bundle_keys - self._by_inputs.keys()}
            for path, record in self.previous.items():  # grouping every record by its fingerprint took 1.2 s at 100,000 briefs
                if (files := found.get(record.inputs)) is not None:
                    files[path] = record
            self._by_inputs |= found
        kept = dict(self._by_inputs.get(key, {})) if key else {}
        self.kept |= kept
        if kept and key and self.output:  # kept in the cache too, for a deploy that starts from an empty folder
            self._bundles_kept.append((key, functools.partial(files_in, self.output, sorted(kept))))
        cached = None if kept or not key else self.cache.bundles.bundle(key)
        if cached is not None:
            self.inputs |= dict.fromkeys((file.path for file in cached), key)
        elif not kept:
            self.report.note("index", name, self.fresh or "a page it indexes changed")
            return None
        return cached or []

    def made_bundle(self, files: list[OutputFile], key: str | None) -> None:
        """Note a bundle made now, and keep it in the cache for the builds after."""
        if key:
            self.inputs |= dict.fromkeys((file.path for file in files), key)
            self.cache.bundles.keep_bundle(key, files)
            self._bundles_made.append(key)

    # Writing: only what changed, and a record of it for the next build.

    @contextmanager
    def open_staging(self, root: Path) -> Iterator[Staging]:
        """The folder the build's files go into as they are made (see writer.py); discarded unless `write` ran."""
        assert self.output is not None
        self.staging = Staging(self.output, root, self.previous)
        try:
            yield self.staging
        finally:
            self.staging.discard()
            self.staging = None

    def write(self, files: list[Staged]) -> None:
        """Make the output folder hold the staged `files` and the kept ones, and remember it for the next build."""
        assert self.output is not None and self.staging is not None
        records = self.staging.commit(files, self.kept, self.inputs, self.links, self.searched, record=self.cache.enabled)
        gone = self.previous.keys() - records.keys()
        self._note_written(records, [file.path for file in files], gone)
        # Every other record is the last build's as read: the kept files' come from `previous`.
        changed = None if self.fresh else {file.path for file in files} | gone | self._restated
        first = self.first + [path for path in records if path.startswith(OPEN_FILES) and not path.startswith(ARCHIVE_FILES)]
        self.cache.records.keep(self.output, records, changed, first)
        self.cache.save()

    def _note_written(self, records: Mapping[str, OutputRecord], paths: list[str], gone: set[str]) -> None:
        for path in paths:
            before, after = self.previous.get(path), records.get(path)
            if before is None:
                self.report.note("write", path, self.fresh or "new")
            elif after is None or (after.inode, after.mtime_ns) != (before.inode, before.mtime_ns):
                self.report.note("write", path, "its bytes changed")
        for path in sorted(gone):
            self.report.note("remove", path, "no longer part of the board")


def _restated(cache: BuildCache, output: Path) -> dict[str, tuple[int, int, int]] | None:
    """writer.restated of every record of `output`, read here (in the process that checks)."""
    return restated(output, cache.records.read(output))
