"""The pipeline, top to bottom. `check` is the same chain as `build`, minus rendering pages and writing."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from .cache import BuildCache, Digester, OutputRecord, brief_fingerprint, entry_key
from .config import SiteConfig, load_config
from .content import Brief, PageSource, brief_paths, is_editor_noise, load_briefs, load_pages, read_brief, read_limited, unique_briefs
from .crawl import crawl_specs
from .errors import BoardError, Problem
from .feeds import feed_specs
from .history import last_commit_times
from .layouts import LAYOUTS_DIR, layout_problems, layouts_used
from .markup import RenderedBody, UnrenderableBody, render_markdown
from .model import FEED_FORMATS, ContentPage, OutputFile, Site, SiteFile, Status, build_model, edited_in_place, status_of
from .ownership import ownership_problems
from .pages import PageSpec, Renderer, page_specs, project_spec, static_files
from .parallel import map_in_processes
from .search import PAGEFIND_VERSION, index_search
from .writer import intact_records, write_site


@dataclass(frozen=True)
class CheckResult:
    config: SiteConfig
    briefs: list[Brief]
    open_count: int


@dataclass(frozen=True)
class BuildResult:
    site: Site
    page_count: int
    feed_count: int
    search_records: int | None  # None when the build skipped search
    seconds: float
    renderer: Renderer  # the build's layouts and helpers, for `preview_edits` to render with
    search_key: str | None = None  # fingerprint of the project pages the search index is made from (None: unknown)
    warnings: tuple[str, ...] = ()  # what the build worked around and someone should look at

    def summary(self) -> str:
        site = self.site
        built = len(site.projects) + len(site.scheduled)
        lines = [
            f"built {built} project{'s' * (built != 1)} ({len(site.open)} open, {len(site.archive)} closed, "
            f"{len(site.scheduled)} scheduled) -> {self.page_count} pages, {self.feed_count} feeds in {self.seconds:.2f} s",
        ]
        lines.append(f"search {self.search_records} records" if self.search_records is not None
                     else "search skipped (--no-search)")
        if site.drafts_left_out:
            lines.append(f"left out {site.drafts_left_out} draft{'s' * (site.drafts_left_out != 1)} (build with --drafts to see them)")
        lines.append(f"next change: {site.next_change}" if site.next_change else "next change: none scheduled")
        if untranslated := site.config.words.summary():
            lines.append(untranslated)
        return "\n".join(lines + [f"warning: {warning}" for warning in self.warnings])


def check_board(root: Path, today: date, files: list[Path] | None = None,
                base: str | None = None, author: str | None = None) -> CheckResult:
    """Validate config and briefs (all, or only `files`) and, given `base`, `author`'s right to every change since it.

    Each description is rendered as the build renders it (reusing, never writing, the build's cache), so a
    body the build would refuse or stop is a problem here too."""
    config = load_config(root)
    briefs, problems = load_briefs(root, config, files)
    cache = BuildCache.for_board(root)
    problems += [rendered for brief in briefs if isinstance(rendered := rendered_brief(cache, brief), Problem)]
    if files is None:
        problems += load_pages(root)[1]
    if base is not None and author is not None:
        problems += ownership_problems(root, base, author)
    if problems:
        raise BoardError(problems)
    open_count = sum(status_of(brief, today) is Status.OPEN for brief in briefs)
    return CheckResult(config, briefs, open_count)


def build(root: Path, output: Path, today: date, base_url: str | None = None, drafts: bool = False,
          search: bool = True, *, cache: BuildCache | None = None, use_cache: bool = True, jobs: int | None = None,
          progress: Callable[[str], None] = lambda stage: None) -> BuildResult:
    """Build the whole board into `output`, replacing it only if every stage succeeds.

    Work an earlier build did is reused through `cache` (by default the board's `.cache/`, unless
    `use_cache` is false): a rebuild parses and renders only what changed and rewrites only changed files.
    `progress` hears the name of each stage as it starts, for a terminal to show on long builds."""
    started = time.perf_counter()
    cache = cache or BuildCache.for_board(root, use_cache)
    config = load_config(root, base_url)
    progress("reading and rendering briefs")
    briefs, bodies, problems = read_briefs(root, config, today, drafts, cache, jobs)
    page_sources, page_problems = load_pages(root)
    if problems or page_problems:
        raise BoardError(problems + page_problems)
    pages = tuple(ContentPage(p.slug, p.title, p.description, page_body(cache, p)) for p in page_sources)
    changed, warnings = last_commit_times(root)
    site = build_model(config, briefs, bodies, today, pages, drafts, changed=changed)
    renderer, statics = Renderer(root, site), static_files(root)
    specs = page_specs(site, renderer)
    previous = intact_records(output, cache.outputs(output))
    board_files = feed_specs(site) + crawl_specs(site)
    reuse = plan_reuse(root, renderer, specs, board_files, cache, previous)
    pages_todo = [spec for spec in specs if spec.context.output_path not in reuse.kept]
    board_todo = sorted((spec for spec in board_files if not reuse.kept.keys() >= set(spec.paths)), key=lambda spec: not spec.grows)
    progress(f"rendering {len(pages_todo)} pages and {len(board_todo)} feeds and other board files")
    site_files, html_pages, rendered = render_in_processes(renderer, pages_todo, board_todo, jobs, reuse.page_keys)
    inputs = reuse.inputs | {path: key for path, (key, _) in rendered.items()}
    links = {path: record.links for path, record in reuse.kept.items()} | {path: linked for path, (_, linked) in rendered.items()}
    search_key = entry_key(cache.code, "search", PAGEFIND_VERSION, *(inputs.get(p.path + "index.html", "") for p in site.projects))
    search_kept = {path: record for path, record in previous.items() if search and record.inputs == search_key}
    if search and not search_kept:
        progress(f"indexing {len(site.projects)} projects for search")
    search_files = search_bundle(site, html_pages, output) if search and not search_kept else []
    inputs |= dict.fromkeys((f.path for f in search_files), search_key)
    progress("writing the board")
    outputs = html_pages + site_files + search_files + statics
    records = write_site(output, root, outputs, reuse.kept | search_kept, previous, inputs, record=cache.enabled, links=links)
    cache.keep_outputs(output, records)
    cache.save()
    return BuildResult(site, len(specs), len(site.feeds()) * len(FEED_FORMATS),
                       len(site.projects) if search else None, time.perf_counter() - started, renderer,
                       search_key if cache.enabled else None, tuple(warnings))


def preview_edits(root: Path, output: Path, last: BuildResult, briefs: list[Path], cache: BuildCache) -> list[str]:
    """Write at once into `output` (which `last` built) the pages of `briefs` edited in place (see
    `edited_in_place`): what `board serve` shows first, before the build that brings the rest of the
    board up to date. Returns the pages written; none when an edit is invalid or may move its project."""
    site, renderer = last.site, last.renderer
    pages = []
    for path in briefs:
        problems: list[Problem] = []
        brief = read_brief(path, root, site.config, problems, _bytes(path))
        rendered = rendered_brief(cache, brief) if brief else None
        project = edited_in_place(site, brief, rendered) if isinstance(rendered, RenderedBody) else None
        if project is None:
            return []
        pages.append(renderer.render(project_spec(project, renderer)))
    previous = cache.outputs(output)
    if not previous:
        return []
    written = {page.path for page in pages}
    records = write_site(output, root, pages, {p: r for p, r in previous.items() if p not in written}, previous, {}, record=True)
    cache.keep_outputs(output, records)
    return sorted(written)


@dataclass(frozen=True)
class Reuse:
    """What this build takes from the last one: the outputs whose inputs are unchanged, kept as they
    are on disk, and the fingerprints of what each new output is made from."""

    kept: dict[str, OutputRecord]
    inputs: dict[str, str]  # page or board file path -> fingerprint of what it is made from
    page_keys: PageKeys | None = None  # fingerprints the pages as they render (None: the cache is off)


def plan_reuse(root: Path, renderer: Renderer, specs: list[PageSpec], board_files: list[SiteFile],
               cache: BuildCache, previous: dict[str, OutputRecord]) -> Reuse:
    """Fingerprint every output by what it is made from: a page by its layouts and context, a feed or
    crawl file by the arguments of the function that writes it. A page kept from the last build is
    compared here, with the versions of the static files it linked then; a page rendered now is
    fingerprinted by the process that renders it, with the files it links now. Nothing is kept when the
    cache is off or the output folder is not as we left it."""
    if not cache.enabled:
        return Reuse({}, {})
    digest = Digester(known=cache.brief_digests())
    page_keys = PageKeys(layout_keys(root, renderer, {spec.template for spec in specs}, cache.code, digest), digest, renderer.static_version)
    inputs = {path: page_keys(spec, previous[path].links) for spec in specs if (path := spec.context.output_path) in previous}
    for spec in board_files:
        inputs |= dict.fromkeys(spec.paths, entry_key(cache.code, spec.render.__qualname__, digest(spec.inputs)))
    kept = {path: previous[path] for path, key in inputs.items() if path in previous and previous[path].inputs == key}
    return Reuse(kept, inputs, page_keys)


def search_bundle(site: Site, html_pages: list[OutputFile], output: Path) -> list[OutputFile]:
    """The Pagefind bundle of every project page: those rendered now, and those kept, read from `output`."""
    rendered = {page.path for page in html_pages}
    kept_projects = [OutputFile(path, (output / path).read_bytes()) for project in site.projects
                     if (path := project.path + "index.html") not in rendered]
    return index_search(site, html_pages + kept_projects)


def read_briefs(root: Path, config: SiteConfig, today: date, drafts: bool, cache: BuildCache,
                jobs: int | None) -> tuple[list[Brief], dict[str, RenderedBody], list[Problem]]:
    """Every brief, valid or with its problems, and the rendered body of each one the board shows;
    what the cache holds is taken from it, the rest is parsed and rendered over all cores."""
    paths, problems = brief_paths(root)
    brief_key = brief_fingerprint(root, config, cache.code)
    sources = [(path, raw, entry_key(brief_key, path.name, raw) if raw is not None else None) for path in paths for raw in [_bytes(path)]]
    known = [cache.brief(key) if key else None for _, _, key in sources]

    def shown(brief: Brief) -> bool:
        return status_of(brief, today, drafts) in (Status.OPEN, Status.CLOSED)

    def load(item: tuple[Path, bytes | None, Brief | None]) -> tuple[Brief | None, list[Problem], RenderedBody | None]:
        """Parse a brief unless given it, and render its body unless the cache has it: the work shared out."""
        path, raw, brief = item
        found: list[Problem] = []
        brief = brief or read_brief(path, root, config, found, raw)
        rendered = rendered_brief(cache, brief) if brief else None
        if isinstance(rendered, Problem):
            return None, [*found, rendered], None
        return brief, found, rendered

    # Every body is rendered, shown or not yet, so a scheduled brief cannot stop a later build.
    # Only briefs with work left go to the processes; a cached brief with a cached body is done here.
    todo = [i for i, brief in enumerate(known) if brief is None or cached_body(cache, brief.body, brief.summary) is None]
    loaded = dict(zip(todo, map_in_processes(load, [(*sources[i][:2], known[i]) for i in todo], jobs)))
    bodies: dict[str, RenderedBody] = {}
    briefs = []
    for index, (_, _, key) in enumerate(sources):
        brief, found, body = loaded.get(index) or (known[index], [], None)
        problems += found
        if brief is None:
            continue
        briefs.append(brief)
        if key:
            cache.keep_brief(key, brief)
        if shown(brief):
            bodies[brief.slug] = rendered_body(cache, brief.body, brief.summary, body)
    unique, duplicates = unique_briefs(briefs)
    return unique, bodies, sorted(problems + duplicates)


def _bytes(path: Path) -> bytes | None:
    """A brief's bytes, or None when it cannot be read (read_brief then says why)."""
    try:
        return read_limited(path)
    except OSError:
        return None


def _body_key(cache: BuildCache, body: str, summary: str | None) -> str:
    return entry_key(cache.body_fingerprint, body, "\0" if summary is None else "\1" + summary)


def cached_body(cache: BuildCache, body: str, summary: str | None) -> RenderedBody | None:
    return cache.body(_body_key(cache, body, summary))


def page_body(cache: BuildCache, page: PageSource) -> str:
    """A content page's HTML; a page the markup stage refuses stops the build with its file named."""
    try:
        return rendered_body(cache, page.body, None).html
    except UnrenderableBody as error:
        raise BoardError([Problem(page.source, 1, error.message)]) from None


def rendered_brief(cache: BuildCache, brief: Brief) -> RenderedBody | Problem:
    """A brief's rendered body, or the problem on its line when the markup stage refuses it."""
    try:
        return rendered_body(cache, brief.body, brief.summary)
    except UnrenderableBody as error:
        return Problem(brief.source, brief.body_line + error.line, error.message)


def rendered_body(cache: BuildCache, body: str, summary: str | None, rendered: RenderedBody | None = None) -> RenderedBody:
    """A body's HTML and summary from the cache, else `rendered` or rendered now; kept for the next build."""
    known = cached_body(cache, body, summary)
    if known is None:
        known = rendered or render_markdown(body, summary)
        cache.keep_body(_body_key(cache, body, summary), known)
    return known


def layout_keys(root: Path, renderer: Renderer, templates: set[str], code: str, digest: Digester) -> dict[str, str]:
    """For each page layout, a fingerprint of what its pages are made from besides their own context and
    static files: the layouts it uses (all of them, when that cannot be told before rendering) and the
    data every layout sees. Editing one layout redoes only its pages."""
    folder = root / LAYOUTS_DIR
    files = {p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*")) if p.is_file() and not is_editor_noise(p.name)}
    shared = entry_key(code, digest(renderer.data))
    keys = {}
    for template in sorted(templates):
        with layout_problems(root, template):
            used = layouts_used(renderer.env, template)
        keys[template] = entry_key(shared, *(name.encode() + files[name].read_bytes() for name in (used or files) if name in files))
    return keys


@dataclass(frozen=True)
class PageKeys:
    """A page's fingerprint: its layouts', its context's and the versions of the static files it links."""

    layouts: dict[str, str]  # page layout -> layout_keys
    digest: Digester
    static_version: Callable[[str], str | None]

    def __call__(self, spec: PageSpec, links: tuple[str, ...]) -> str:
        return entry_key(self.layouts[spec.template], spec.template, self.digest(spec.context),
                         *(f"{path}\0{self.static_version(path)}" for path in links))


def render_in_processes(renderer: Renderer, specs: list[PageSpec], board_files: list[SiteFile], jobs: int | None,
                        page_keys: PageKeys | None) -> tuple[list[OutputFile], list[OutputFile], dict[str, tuple[str, tuple[str, ...]]]]:
    """The `board_files` (feeds, crawl files) and the pages of `specs`, over all cores, and for each page
    the fingerprint `page_keys` takes of it there and the static files it links. The board files that
    grow with the board go first, each alone: a big task last would leave a core idle."""
    renderer.load_templates(specs)
    page_tasks = [functools.partial(_render_one, renderer, spec, page_keys) for spec in specs]
    results = map_in_processes(_run, [spec.files for spec in board_files] + page_tasks, jobs,
                               heavy=sum(spec.grows for spec in board_files))
    pages = results[len(board_files):]
    return ([file for files in results[:len(board_files)] for file in files], [page for page, _ in pages],
            {page.path: made for page, made in pages if made is not None})


def _render_one(renderer: Renderer, spec: PageSpec, page_keys: PageKeys | None) -> tuple[OutputFile, tuple[str, tuple[str, ...]] | None]:
    page = renderer.render(spec)
    links = tuple(sorted(renderer.linked))
    return page, (page_keys(spec, links), links) if page_keys else None


def _run(task: Callable[[], Any]) -> Any:
    return task()
