"""The pipeline, top to bottom: load, model, render, index, write. `check` is the load alone.

Each stage asks one `BuildState` what of the last build is still current (see buildstate.py), so the
stages read as the pipeline and the reuse lives in one place.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from .brief import Brief
from .buildreport import BuildReport
from .buildstate import BuildState
from .fingerprint import bytes_digest, markdown_key
from .cache import BuildCache
from .config import CONFIG_FILE, SiteConfig
from .content import read_brief
from .crawl import crawl_specs
from .errors import BoardError, Problem
from .feeds import feed_specs
from .indexing import index, start_open_bundle
from .lifecycle import Status, status_of
from .load import brief_bytes, load_board, rendered_brief
from .markup import RenderedBody
from .model import Body, Project, Site, build_model
from .money import money_warnings
from .outputs import FEED_FORMATS, SiteFile
from .ownership import ownership_problems
from .pages import PageSpec, Renderer, page_specs, project_spec
from .pagekeys import PageKeys
from .parallel import MIN_ITEMS, collector_settling, map_in_processes
from .search import indexed_part
from .search_parts import OPEN_BUNDLE, search_bundles
from .statics import static_outputs
from .writer import Staged, Staging, write_over


@dataclass(frozen=True)
class CheckResult:
    config: SiteConfig
    briefs: list[Brief]
    open_count: int
    warnings: list[Problem]  # what to fix before it misleads, though nothing is wrong yet (old exchange rates)
    report: BuildReport  # each brief parsed and body rendered, and why the cache could not spare it


@dataclass(frozen=True)
class BuildResult:
    site: Site
    page_count: int
    feed_count: int
    search_records: int | None  # None when the build skipped search
    seconds: float
    renderer: Renderer  # the build's layouts and helpers, for `preview_edits` to render with
    search_keys: dict[str, str | None]  # the fingerprint of each search bundle's pages, by name (None: unknown)
    report: BuildReport  # the work done and why (`board build --explain`)
    warnings: tuple[str, ...] = ()  # what the build worked around and someone should look at
    search_parts: tuple[int, tuple[str, ...]] | None = None  # how many bundles the index has, and those indexed now

    def summary(self) -> str:
        site = self.site
        built = len(site.projects) + len(site.scheduled)
        lines = [
            f"built {built} project{'s' * (built != 1)} ({len(site.open)} open, {len(site.archive)} closed, "
            f"{len(site.scheduled)} scheduled) -> {self.page_count} pages, {self.feed_count} feeds in {self.seconds:.2f} s",
        ]
        if self.search_records is None:
            lines.append("search skipped (--no-search)")
        elif self.search_parts is None:
            lines.append(f"search {self.search_records} records")
        else:
            count, indexed = self.search_parts
            lines.append(f"search {self.search_records} records in {count} parts; indexed now: {', '.join(indexed) or 'none'}")
        if site.drafts_left_out:
            lines.append(f"left out {site.drafts_left_out} draft{'s' * (site.drafts_left_out != 1)} (build with --drafts to see them)")
        lines.append(f"next change: {site.next_change}" if site.next_change else "next change: none scheduled")
        if untranslated := site.config.words.summary():
            lines.append(untranslated)
        if overrides := self.renderer.theme.overrides():
            lines.append(f"theme: {len(overrides)} file{'s' * (len(overrides) != 1)} of the board's own replace the theme's: "
                         + ", ".join(overrides))
        return "\n".join(lines + [f"warning: {warning}" for warning in self.warnings])


def check_board(root: Path, today: date, files: list[Path] | None = None,
                base: str | None = None, author: str | None = None, cache_folder: Path | None = None) -> CheckResult:
    """Load the board as `build` does (all of it, or only the briefs `files`), without rendering or writing;
    given `base`, also check `author`'s right to every change since it. The cache is the board's own, or
    the one in `cache_folder`."""
    problems = ownership_problems(root, base, author) if base is not None and author is not None else []
    # The cache is read, never written; and never the one in a pull request's tree (checked with --base), whose
    # .cache/ would be the pull request's own pickles and compiled layouts: loading them would run its code.
    # One its caller names (the base branch's, which the Check workflow restores beside the tree) is read.
    cache = BuildCache(cache_folder, read_only=True) if cache_folder else \
        BuildCache.for_board(root, enabled=base is None, read_only=True)
    state = BuildState(cache)
    try:
        with collector_settling():  # the load makes what it keeps, as a build's does
            board = load_board(root, today, state, files=files)
    except BoardError as error:
        raise BoardError(error.problems + problems) from None
    if problems:
        raise BoardError(problems)
    open_count = sum(status_of(brief, today) is Status.OPEN for brief in board.briefs)
    warnings = money_warnings(board.config, (root / CONFIG_FILE).read_text(encoding="utf-8-sig"),
                              {brief.compensation.currency for brief in board.briefs}, today)
    return CheckResult(board.config, board.briefs, open_count, warnings, state.report)


def build(root: Path, output: Path, today: date, base_url: str | None = None, drafts: bool = False,
          search: bool = True, *, cache: BuildCache | None = None, use_cache: bool = True, jobs: int | None = None,
          progress: Callable[[str], None] = lambda stage: None) -> BuildResult:
    """Build the whole board into `output`, replacing it only if every stage succeeds.

    Work an earlier build did is reused through `cache` (by default the board's `.cache/`, unless
    `use_cache` is false): a rebuild parses and renders only what changed and rewrites only changed files.
    `progress` hears the name of each stage as it starts, for a terminal to show on long builds."""
    started = time.perf_counter()
    with collector_settling() as settle:
        state = BuildState(cache or BuildCache.for_board(root, use_cache), output)
        progress("reading and rendering briefs")
        board = load_board(root, today, state, base_url=base_url, drafts=drafts, jobs=jobs)
        history = state.commit_times(root)
        site = build_model(board.config, board.briefs, board.bodies, today, board.pages, drafts, changed=history.times, held=board.held)
        renderer = Renderer(board.theme, site, board.layouts, board.statics)
        bundles = search_bundles(site)
        while True:  # once, or again afresh should the output folder prove touched since the last build
            with state.open_staging(root) as staging, ExitStack() as leaving:
                with state.planning(renderer):
                    first = bundles[OPEN_BUNDLE]
                    state.first = [project.path + "index.html" for project in first]
                    rendered, deferred = render_first(renderer, first, state)
                    opened = start_open_bundle(site, bundles, state, progress) if search and not deferred else None
                    if opened:
                        leaving.callback(opened.stop)  # a build that fails does not wait for the index
                    # Every brief and body looked up: the cache writes what it holds of them and lets go, while the
                    # index is made (0.2 to 0.3 s at 100,000 briefs, before the index began); the rest reads only HTML.
                    state.cache.keep_entries()
                    work = plan(site, renderer, state, first, rendered, deferred)
                    if not drafts:  # a draft is no part of the months a build without drafts takes whole
                        state.keep_months(site, history.times)
                settle()
                if opened and len(work.pages) >= MIN_ITEMS:  # worth a pool of processes, which fork only once the indexing is done
                    opened = opened.finished()
                outputs = render(renderer, work, state, jobs, progress)
                search_index = index(site, bundles, state, search, opened, progress, jobs)
                if not state.verified():
                    continue
                progress("writing the board")
                state.write(outputs.pages + outputs.files + search_index.files + [staging.put(file) for file in static_outputs(board.statics)])
            break
    return BuildResult(site, outputs.page_count, len(site.feeds()) * len(FEED_FORMATS), len(site.projects) if search else None,
                       time.perf_counter() - started, renderer, search_index.keys, state.report, history.warnings,
                       (search_index.parts, search_index.indexed) if search else None)


@dataclass(frozen=True)
class RenderPlan:
    pages: list[tuple[PageSpec | Project, str | None]]  # the HTML pages to render now, each with its context's fingerprint
    files: list[SiteFile]  # the feeds and crawl files to render now
    page_count: int  # every HTML page of the board
    rendered: list[Staged]  # the pages rendered first (`render_first`)


@dataclass(frozen=True)
class Rendered:
    pages: list[Staged]  # the HTML pages rendered now (the others are kept in the output folder)
    files: list[Staged]  # the feeds and crawl files rendered now
    page_count: int  # every HTML page of the board


def render_first(renderer: Renderer, projects: tuple[Project, ...],
                 state: BuildState) -> tuple[list[Staged], list[tuple[PageSpec | Project, str | None]]]:
    """The pages of `projects` (the open bundle's) that are not current: rendered now when they are an
    edit's few, in this process, so that the search index makes their bundle while the rest is planned
    (indexing.py); else left to render at the head of the rest, over all cores. Either way they render
    before the rest, with search or without, so a layout's error names the same page."""
    pages, _ = state.plan([], projects, [])
    return ([], pages) if len(pages) >= MIN_ITEMS else (render_in_processes(renderer, pages, [], 1, state)[0], [])


def plan(site: Site, renderer: Renderer, state: BuildState, first: tuple[Project, ...], rendered: list[Staged],
         deferred: list[tuple[PageSpec | Project, str | None]]) -> RenderPlan:
    """The HTML pages and the board files (feeds, crawl files) that are not current in the output folder:
    the pages of the projects planned `first` that were not `rendered` yet (`deferred`), then the rest."""
    state.read_all_records()
    specs = page_specs(site, renderer)
    done = set(map(id, first))
    rest = [project for project in site.placed if id(project) not in done]
    pages, files = state.plan(specs, rest, feed_specs(site) + crawl_specs(site), site.months)
    return RenderPlan(deferred + pages, files, len(specs) + len(site.projects), rendered)


def render(renderer: Renderer, work: RenderPlan, state: BuildState, jobs: int | None, progress: Callable[[str], None]) -> Rendered:
    """Render and stage what `work` lists."""
    progress(f"rendering {len(work.rendered) + len(work.pages)} pages and {len(work.files)} feeds and other board files")
    pages, files = render_in_processes(renderer, work.pages, work.files, jobs, state)
    return Rendered(work.rendered + pages, files, work.page_count)


def preview_edits(root: Path, output: Path, last: BuildResult, briefs: list[Path], cache: BuildCache) -> list[str]:
    """Write at once into `output` (which `last` built) the pages of `briefs` edited in place (see
    `edited_in_place`): what `board serve` shows first, before the build that brings the rest of the
    board up to date. Returns the pages written; none when an edit is invalid or may move its project."""
    site, renderer = last.site, last.renderer
    kept = BuildState(cache).briefs
    pages = []
    for path in briefs:
        problems: list[Problem] = []
        brief = read_brief(path, root, site.config, problems, brief_bytes(path))
        rendered = rendered_brief(brief) if brief else None
        project = None
        if brief and isinstance(rendered, RenderedBody):
            body = kept.body(brief.source, kept.body_key(markdown_key(brief.body, brief.summary)), rendered, lambda origin, made=rendered: made)
            project = edited_in_place(site, brief, *body)
        if project is None:
            return []
        pages.append(renderer.render(project_spec(project, renderer)))
    return sorted(page.path for page in pages) if write_over(output, root, pages, cache) else []


def render_in_processes(renderer: Renderer, pages: list[tuple[PageSpec | Project, str | None]], board_files: list[SiteFile],
                        jobs: int | None, state: BuildState) -> tuple[list[Staged], list[Staged]]:
    """The `pages` (a spec or a project, with its context's fingerprint: see `BuildState.plan`) and the
    `board_files` (feeds, crawl files), over all cores, each staged by the process that makes it, which
    hands back only its record. The process that renders a page completes its fingerprint with the static
    files it links, for `state`. The board files that grow with the board go first, each alone: a big task
    last would leave a core idle."""
    staging = state.staging
    assert staging is not None
    page_tasks = [functools.partial(_render_one, renderer, page, context, state.page_keys, staging) for page, context in pages]
    file_tasks = [functools.partial(_stage_all, spec, staging) for spec in board_files]
    results = map_in_processes(_run, file_tasks + page_tasks, jobs, heavy=sum(spec.grows for spec in board_files), share=True)
    rendered = results[len(board_files):]
    for page, made in rendered:
        if made is not None:
            state.rendered(page.path, *made)
    return [page for page, _ in rendered], [file for files in results[:len(board_files)] for file in files]


def _render_one(renderer: Renderer, page: PageSpec | Project, context: str | None, page_keys: PageKeys | None,
                staging: Staging) -> tuple[Staged, tuple[str, tuple[str, ...], str] | None]:
    spec = page if isinstance(page, PageSpec) else project_spec(page, renderer)
    rendered = renderer.render(spec)
    links = tuple(sorted(renderer.linked))
    if not page_keys or not context:
        return staging.put(rendered), None
    searched = "" if isinstance(page, PageSpec) else bytes_digest(indexed_part(rendered.data))  # a project page's, for its bundle's key
    return staging.put(rendered), (page_keys.page(spec.template, context, links), links, searched)


def _stage_all(spec: SiteFile, staging: Staging) -> list[Staged]:
    return [staging.put(file) for file in spec.files()]


def _run(task: Callable[[], Any]) -> Any:
    return task()


def edited_in_place(site: Site, brief: Brief, body: Body, summary: str) -> Project | None:
    """The project an edited `brief` becomes on `site`, when the edit leaves every collection as it was:
    same slug, dates, draft flag, category, company and skills, so only its own page shows the change.
    None when the edit may move it, which only a new model can place (`board serve` then waits for it)."""
    old = next((p for p in site.projects if p.brief.slug == brief.slug), None)
    placed = ("slug", "posted", "deadline", "draft", "category", "skills", "countries")
    if old is None or any(getattr(old.brief, name) != getattr(brief, name) for name in placed) \
            or old.brief.company.name != brief.company.name:
        return None
    return replace(old, brief=brief, body=body, summary=summary)
