"""Load stage: a board's sources -> a validated `Board`, or every problem in them. `check` and `build` both call it.

Reading is the whole of `board check`: site.toml, every brief (parsed over all cores, Markdown
rendered), the content pages, and every layout compiled. So anything in the sources that would stop
`board build` stops `board check` first, with the same `file:line: message`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from .brief import Brief, with_shared_values
from .briefstate import BriefState
from .buildstate import BuildState
from .fingerprint import markdown_key
from .config import SiteConfig, load_config
from .content import company_problems, earliest_by_company, read_brief, unique_briefs
from .contentfiles import CONTENT_DIR, PROJECTS_DIR, brief_paths, link_problems, read_limited
from .contentpages import PageSource, load_pages
from .errors import BoardError, Problem
from .layouts import Layouts, compile_layouts
from .lifecycle import Status, status_of
from .markup import RenderedBody, UnrenderableBody, render_markdown
from .model import Body, ContentPage
from .months import Held, HeldMonth, MonthPart, MonthSums, month_of
from .parallel import imap_in_processes
from .text import same_name_key
from .theme import Theme
from .statics import load_statics


@dataclass(frozen=True)
class Board:
    """A board's sources, read and valid: what the model is built from."""

    config: SiteConfig
    briefs: list[Brief]  # every valid brief, by slug
    bodies: dict[str, tuple[Body, str]]  # by slug, of each brief the board shows: its body and summary
    pages: tuple[ContentPage, ...]
    layouts: Layouts | None  # every layout compiled; None when only some briefs were read
    theme: Theme  # where each layout and static file is read from: the board's own or the theme's
    statics: dict[str, bytes]  # what the board publishes under static/, by output path; empty when only some briefs were read
    held: Held = Held()  # the archive months taken whole, whose briefs are in neither `briefs` nor `bodies` (months.py)


def load_board(root: Path, today: date, state: BuildState, *, base_url: str | None = None, drafts: bool = False,
               files: list[Path] | None = None, jobs: int | None = None) -> Board:
    """Read and validate the board (or only the briefs `files`), taking from `state` what is current;
    raise BoardError listing every problem found."""
    config = load_config(root, base_url)
    briefs, bodies, held, problems = read_briefs(root, config, today, drafts, state.briefs, jobs, files)
    pages: tuple[ContentPage, ...] = ()
    layouts, theme, statics = None, Theme(root), {}
    if files is None:
        sources, page_problems = load_pages(root)
        layouts, layout_problems = compile_layouts(theme, state.cache.compiled_layouts(), keep=not state.cache.read_only)
        published = load_statics(root, theme)
        statics = published.files
        problems += page_problems + layout_problems + link_problems(root, CONTENT_DIR, listed=PROJECTS_DIR) + published.problems
        rendered = [(page, rendered_page(state.briefs, page)) for page in sources]
        problems += [body for _, body in rendered if isinstance(body, Problem)]
        pages = tuple(ContentPage(p.slug, p.title, p.description, body.html) for p, body in rendered if isinstance(body, RenderedBody))
    if problems:
        raise BoardError(sorted(problems))
    return Board(config, briefs, bodies, pages, layouts, theme, statics, held)


def read_briefs(root: Path, config: SiteConfig, today: date, drafts: bool, kept: BriefState, jobs: int | None,
                files: list[Path] | None = None) -> tuple[list[Brief], dict[str, tuple[Body, str]], Held, list[Problem]]:
    """Every brief (or those of `files`), valid or with its problems, and the rendered body of each one the
    board shows, but those of the archive months taken whole (months.py), which come apart; what the cache
    holds (`kept`) is taken from it, the rest is parsed and rendered over all cores.
    A brief is held without its Markdown (a board's history of it is more than a build can hold): its
    body's key stands for it, and the HTML stays in the cache until a page shows it."""
    paths, problems = brief_paths(root) if files is None else ([str(file) for file in files], [])
    kept.start(root, config)
    this_month = month_of(today)
    paths, keys, whole = kept.brief_keys(paths, this_month if files is None and not drafts else None)
    known = [kept.known_brief(key) for key in keys]

    def load(path: str) -> tuple[str | None, Brief | None, str | None, list[Problem], RenderedBody | None]:
        """Parse a brief and render its body unless the cache has it: the work shared out. Returns the key of
        the bytes parsed (the file may have changed since it was first read), the brief without its
        Markdown, that Markdown's `markdown_key`, its problems, and its body when rendered now."""
        found: list[Problem] = []
        raw = brief_bytes(Path(path))
        key, brief = kept.brief_key(path, raw) if raw is not None else None, read_brief(Path(path), root, config, found, raw)
        if brief is None:
            return key, None, None, found, None
        markdown = markdown_key(brief.body, brief.summary)
        rendered = None if kept.has_body(kept.body_key(markdown)) else rendered_brief(brief)
        if isinstance(rendered, Problem):
            return key, None, None, [*found, rendered], None
        return key, replace(brief, body=""), markdown, found, rendered

    # Every body is rendered, shown or not yet, so a scheduled brief cannot stop a later build.
    # Only briefs with work left go to the processes; a cached brief with a cached body is done here.
    # Their results are taken one by one as they come, each body kept in the cache and let go.
    body_keys = [kept.body_key(entry[1]) if entry else None for entry in known]
    todo = [i for i, body_key in enumerate(body_keys) if body_key is None or not kept.has_body(body_key)]
    results = imap_in_processes(load, [paths[i] for i in todo], jobs)
    todo_left = iter(todo)
    next_todo = next(todo_left, None)
    bodies: dict[str, tuple[Body, str]] = {}
    briefs = []
    shared: dict[object, object] = {}  # the values briefs parsed now repeat, each once (`with_shared_values`)
    again = functools.partial(_body_again, root, config)  # one for every brief, given its file as a string (a Path is 0.5 KB more)
    for index, path in enumerate(paths):
        rendered = None
        if index == next_todo:
            parsed_key, brief, markdown, found, rendered = next(results)
            brief = with_shared_values(brief, shared) if brief else None
            key, next_todo = parsed_key or keys[index], next(todo_left, None)
            problems += found
            if known[index] is None or key != keys[index]:  # else read again only to render its body (the markup stage changed)
                file = Path(path)
                kept.parsed(file.relative_to(root).as_posix() if file.is_relative_to(root) else file.as_posix(), key, brief, markdown)
            body_key = kept.body_key(markdown) if markdown else None
        else:
            (brief, markdown), key, body_key = known[index], keys[index], body_keys[index]  # type: ignore[misc]  # only briefs known with their body are not todo
        if brief is None or body_key is None:
            continue
        briefs.append(brief)
        body = kept.body(brief.source, body_key, rendered, again, path)  # kept for the next build, shown or not
        status = status_of(brief, today, drafts)
        if status in (Status.OPEN, Status.CLOSED):
            bodies[brief.slug] = body
        if status is Status.CLOSED and month_of(brief.deadline) < this_month and key and markdown:  # its month may be kept whole
            kept.source(brief, path, key, markdown)
    next(results, None)  # past the last result: the processes end here, not when the collector finds them
    if files is None:  # every brief looked up: the files no longer there leave the table
        kept.cache.keep_file_digests()
    months = kept.cache.months
    held = Held(tuple(HeldMonth(part, functools.partial(kept.held, part, again)) for part in whole), months.summed(whole), months.summed) \
        if files is None and not drafts else Held()
    held = _unpack_doubtful(briefs, bodies, held, this_month, lambda part: months.rest(part).sums)
    unique, duplicates = unique_briefs(briefs)
    return unique, bodies, held, sorted(problems + duplicates + company_problems(unique, held.sums.identities))


def _unpack_doubtful(briefs: list[Brief], bodies: dict[str, tuple[Body, str]], held: Held, this_month: str,
                     sums_of: Callable[[MonthPart], MonthSums]) -> Held:
    """The archive months taken whole that stay so; the briefs and bodies of the others go into `briefs` (in
    the order of their files) and `bodies`, to be read one by one: a month a brief read now closed in (new,
    or edited into it), and a month whose company names the checks across briefs must look at brief by
    brief (one whose briefs write a company otherwise than its earliest brief, now)."""
    if not held.months:
        return held
    closed_in = {month_of(brief.deadline) for brief in briefs if brief.slug in bodies and month_of(brief.deadline) < this_month}
    first = earliest_by_company(briefs, [same_name_key(brief.company.name) for brief in briefs], held.sums.identities)
    agree = all(identity.agrees_with(first[key]) for key, identity in held.sums.identities.items())
    doubtful = [month for month in held.months if month.part.name in closed_in
                or not agree and not all(identity.agrees_with(first[key]) for key, identity in sums_of(month.part).identities.items())]
    held, unpacked, their_bodies = held.apart(doubtful)
    if unpacked:
        briefs += unpacked
        briefs.sort(key=lambda brief: brief.source)
        bodies |= their_bodies
    return held


def rendered_brief(brief: Brief) -> RenderedBody | Problem:
    """A brief's body rendered now, or the problem on its line when the markup stage refuses it (too long,
    nested too deeply, too slow)."""
    try:
        return render_markdown(brief.body, brief.summary)
    except UnrenderableBody as error:
        return Problem(brief.source, brief.body_line + error.line, error.message)


def _body_again(root: Path, config: SiteConfig, file: str) -> RenderedBody:
    """A brief's body rendered again from its file, for a page whose HTML the cache lost during the build."""
    problems: list[Problem] = []
    path = Path(file)
    brief = read_brief(path, root, config, problems, brief_bytes(path))
    rendered = rendered_brief(brief) if brief else None
    if not isinstance(rendered, RenderedBody):
        raise BoardError(problems + ([rendered] if isinstance(rendered, Problem) else []))
    return rendered


def rendered_page(kept: BriefState, page: PageSource) -> RenderedBody | Problem:
    """A content page's rendered body, kept for the next build, or the problem when the markup stage refuses it."""
    try:
        again = functools.partial(_page_again, page.body)
        body, summary = kept.body(page.source, kept.body_key(markdown_key(page.body, None)), None, again)
        return RenderedBody(body.html, summary)
    except UnrenderableBody as error:
        return Problem(page.source, page.body_line + error.line, error.message)


def _page_again(markdown: str, origin: str) -> RenderedBody:
    return render_markdown(markdown, None)


def brief_bytes(path: Path) -> bytes | None:
    """A brief's bytes, or None when it cannot be read (read_brief then says why)."""
    try:
        return read_limited(path)
    except OSError:
        return None
