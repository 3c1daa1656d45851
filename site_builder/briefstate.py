"""The load's part of the build state: parsed briefs and rendered Markdown, kept in the cache by what they are made from.

`BuildState.briefs` answers the loader (load.py): which brief files changed since an earlier build hashed
them, which briefs and bodies the cache holds for the same bytes and settings, and notes in the build's
report each one parsed or rendered now, with why.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import time
from collections.abc import Callable
from pathlib import Path

from .brief import Brief
from .buildreport import BuildReport
from .cache import BuildCache
from .config import SiteConfig
from .contentfiles import file_stats, logo_files, read_limited
from .fingerprint import bytes_digest, digest_of, keyed
from .markup import RenderedBody
from .model import Body
from .months import MonthPart
from .parallel import in_background

NO_CACHE = "the cache is off"


class BriefState:
    """What one build takes from the cache of its briefs and bodies, and what it parsed and rendered instead."""

    def __init__(self, cache: BuildCache, report: BuildReport, building: bool) -> None:
        self.cache, self.report, self.building = cache, report, building  # building: a build's, not a preview's
        self._body_key = keyed(cache.body_code)
        self._brief_key = keyed("")
        self._logos: frozenset[str] = frozenset()  # the logos a brief may name (`start`)
        self._keys: dict[int, tuple[str, Brief]] = {}  # id -> (key, brief): a brief's key is its digest
        self._readers: dict[Callable[[str], RenderedBody], Callable[[str, str], str]] = {}  # each body's `read`, by how it is made again
        self.settings = ""  # what a brief's key is made under besides its bytes (`start`)
        self._files: dict[str, tuple[tuple[int, int, int], str]] = {}  # path -> its stat and its bytes' hash, as keyed now
        # What an archive month is made of, by slug (its brief's file, stat, hash, key and Markdown's key): kept
        # for the briefs closed before this month, which a build keeps as archive months (monthparts.py).
        self.sources: dict[str, tuple[str, tuple[int, int, int], str, str, str]] = {}

    def start(self, root: Path, config: SiteConfig) -> None:
        """Everything besides its own bytes that decides whether a brief is valid and what it says: the settings
        (but the base URL, so `board serve` and `board build` share entries) and the code, in its key; and the
        logos, which a brief from the cache is checked against (`known_brief`): a new one is no change to the others."""
        settings = repr(dataclasses.replace(config, base_url="")).encode()
        self._logos = logo_files(root)
        self._root = f"{root}/"  # an archive month names its files from here: a checkout elsewhere takes it too
        self.settings = digest_of(self.cache.code.encode(), settings)
        self._brief_key = keyed(self.settings)

    def keys_by_id(self) -> dict[int, tuple[str, Brief]]:
        """Each brief's key, by the brief's id, for the planning's digests (the brief's key is its digest);
        handed over once, and let go of here."""
        keys, self._keys = self._keys, {}
        return keys

    def brief_keys(self, paths: list[str], month: str | None = None) -> tuple[list[str], list[str | None], list[MonthPart]]:
        """The archive months that can be taken whole (`month` given: the build's, whose earlier months may be),
        and the other paths with the key of each one's bytes (read only if its stat changed since an earlier
        build hashed it), or None (it cannot be read). Another process stats the files while this one loads
        the cache's entries."""
        stats = in_background(file_stats, paths, items=len(paths))
        parts = self.cache.months.parts() if month and self.building else []
        self.cache.load_entries()
        found = dict(zip(paths, stats()))
        whole = [taken for part in parts if (taken := self._whole(part, month, found))]  # type: ignore[arg-type]  # month is given with parts
        for part in parts:
            if part.name not in {taken.name for taken in whole}:
                self._take_back(part, found)
        self.cache.hold_bodies(set().union(*(part.body_keys for part in whole)))
        if whole:
            taken = {self._root + file for part in whole for file in part.files}
            paths = [path for path in paths if path not in taken]
        return paths, [self._file_key(path, found[path]) for path in paths], whole

    def _whole(self, part: MonthPart, month: str, stats: dict[str, tuple[int, int, int] | None]) -> MonthPart | None:
        """An archive month as it was kept, if it holds: over, its briefs' files holding the bytes they held
        (looked at only where a stat moved: a new checkout's), under the same settings and code, and every
        logo they name still there; with the stats its files have now."""
        if not (part.name < month and part.settings == self.settings and part.body_code == self.cache.body_code and part.logos <= self._logos
                and self.cache.months.has_rest(part)):
            return None
        files = [self._root + file for file in part.files]
        now = tuple(map(stats.get, files))
        if now != part.stats:
            if None in now or any(_bytes_digest(path) != digest for path, stat, before, digest in
                                  zip(files, now, part.stats, self.cache.months.rest(part).file_digests) if stat != before):
                return None
            part = dataclasses.replace(part, stats=now)  # type: ignore[arg-type]  # none is None
            self.cache.months.keep(part)
        self.cache.months.taken(part)
        return part

    def _take_back(self, part: MonthPart, stats: dict[str, tuple[int, int, int] | None]) -> None:
        """What of an archive month that no longer holds is still current: the hashes of its files that kept
        their stats, and, under the same settings and code, their briefs and bodies, into the cache's
        tables, where the load looks them up as it does any other brief's."""
        same_settings, same_bodies, now, rest = part.settings == self.settings, part.body_code == self.cache.body_code, time.time_ns(), \
            self.cache.months.rest(part, needed=False)
        if rest is None:  # gone or foreign: its briefs are read again
            return
        for (brief, summary), file, stat, digest, key, markdown, body_key in zip(
                rest.briefs, part.files, part.stats, rest.file_digests, rest.keys, rest.markdowns, part.body_keys):
            if stats.get(path := self._root + file) == stat:
                self.cache.keep_file_digest(path, stat, digest, now)
            if same_settings:
                self.cache.keep_brief(key, brief, markdown)
            if same_bodies:
                self.cache.keep_summary(body_key, summary)

    def held(self, part: MonthPart, again: Callable[[str], RenderedBody]) -> tuple[list[Brief], dict[str, tuple[Body, str]]]:
        """The briefs of an archive month taken whole, with each one's body and summary by slug, as the load
        would have made them; and what each is made of, should the month be made again."""
        briefs, bodies, reader, rest = [], {}, self._reader(again), self.cache.months.rest(part)
        for (brief, summary), file, stat, digest, key, markdown, body_key in zip(
                rest.briefs, part.files, part.stats, rest.file_digests, rest.keys, rest.markdowns, part.body_keys):
            briefs.append(brief)
            bodies[brief.slug] = (Body(body_key, self._root + file, reader), summary)
            self.sources[brief.slug] = (file, stat, digest, key, markdown)
        return briefs, bodies

    def forget_sources(self) -> None:
        """Let go of what the briefs are made of, once the archive months are made (40 MB at 100,000 briefs)."""
        self.sources, self._files = {}, {}

    def source(self, brief: Brief, path: str, key: str, markdown: str) -> None:
        """Note what a brief closed before this month is made of, should its month be kept whole."""
        stat, digest = self._files[path]
        self.sources[brief.slug] = (path.removeprefix(self._root), stat, digest, key, markdown)

    def brief_key(self, path: str, raw: bytes) -> str:
        """The key of a brief's bytes `raw`, read from `path`."""
        return self._brief_key(os.path.basename(path), bytes_digest(raw))

    def _file_key(self, path: str, stat: tuple[int, int, int] | None) -> str | None:
        if stat is None:
            return None
        digest = self.cache.file_digest(path, stat)
        if digest is None:
            read_at = time.time_ns()
            try:
                raw = read_limited(path)
            except OSError:
                return None
            digest = bytes_digest(raw)
            self.cache.keep_file_digest(path, stat, digest, read_at)
        self._files[path] = (stat, digest)
        return self._brief_key(os.path.basename(path), digest)

    def known_brief(self, key: str | None) -> tuple[Brief, str] | None:
        """The brief an earlier build parsed from the same bytes and settings (without its Markdown), and
        its Markdown's `markdown_key`; while the logo it names, if any, is there."""
        known = self.cache.brief(key) if key else None
        if known is None or (logo := known[0].company.logo) is not None and logo not in self._logos:
            return None  # else the logo it names is gone: parsed again, to say so on its line
        self._keys[id(known[0])] = (key, known[0])
        return known

    def parsed(self, source: str, key: str | None, brief: Brief | None, markdown: str | None) -> None:
        """Note a brief parsed now (held without its Markdown, whose `markdown_key` is given), and keep it
        for the next build."""
        self.report.note("parse", source, NO_CACHE if not self.cache.enabled else "new or edited, or the settings or logos changed")
        if key and brief and markdown:
            self.cache.keep_brief(key, brief, markdown)
            if self.cache.enabled:
                self._keys[id(brief)] = (key, brief)

    def body_key(self, markdown: str) -> str:
        """The key a body is kept under, rendered from the Markdown and summary whose `markdown_key` is given."""
        return self._body_key(markdown)

    def has_body(self, key: str) -> bool:
        """Whether the cache holds this body rendered (its HTML is not read)."""
        return self.cache.body_summary(key) is not None

    def body(self, source: str, key: str, rendered: RenderedBody | None, again: Callable[[str], RenderedBody],
             origin: str = "") -> tuple[Body, str]:
        """A body and its summary from the cache, else `rendered` (by another process) or rendered now
        (`again(origin)`) and kept for the next build. The HTML stays in the cache until a page or feed shows
        it, and `again` makes it anew should the cache lose it meanwhile. A body rendered outside a build (a
        preview under `board serve`) is taken as it is: the cache let go of its tables after the last build,
        and reading them back is a quarter of a second at 10,000 briefs."""
        known = None if rendered is not None and not self.building else self.cache.body_summary(key)
        if known is None:
            made = rendered or again(origin)
            self.report.note("markdown", source, NO_CACHE if not self.cache.enabled else "not rendered before")
            if not self.building or not self.cache.keep_body(key, made):  # only a build keeps what it made
                return Body(key, origin, functools.partial(_given, made.html)), made.summary
            known = made.summary
        return Body(key, origin, self._reader(again)), known

    def _reader(self, again: Callable[[str], RenderedBody]) -> Callable[[str, str], str]:
        """The `read` of every body made again by `again` should the cache lose its HTML: one function for all."""
        reader = self._readers.get(again)
        if reader is None:
            reader = self._readers[again] = functools.partial(_kept_html, self.cache, again)
        return reader


def _bytes_digest(path: str) -> str | None:
    try:
        return bytes_digest(read_limited(path))
    except OSError:
        return None


def _kept_html(cache: BuildCache, again: Callable[[str], RenderedBody], key: str, origin: str) -> str:
    """A body's HTML from the cache, or rendered again from `origin` when the cache lost it."""
    return cache.body_html(key) or again(origin).html


def _given(html: str, key: str, origin: str) -> str:
    return html
