"""The board's layouts as one Jinja environment, and every mistake in them as a `layouts/NAME:LINE:` problem.

A board's owners edit layouts/ by hand (their own files over the packaged theme's: see `theme`). Whatever goes wrong in a layout, when it is compiled (a syntax
error, an unknown filter) or while a page renders (an undefined name, a filter given a bad argument,
`{{ 1/0 }}`, a missing include or macro), the build names the layout and the line, never a traceback.
Jinja rewrites a rendering error's traceback so that each template's frame carries the template's own
file name and line number: the innermost such frame is the line to show.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.utils import missing

from .errors import BoardError, Problem, did_you_mean
from .tables import write_whole
from .theme import LAYOUTS_DIR, THEME_PREFIX, Theme
# The layouts the pages stage renders pages with: a theme must have each of them.
PAGE_LAYOUTS = ("listing.html", "project.html", "categories.html", "groups.html", "page.html", "search.html", "404.html")
LAYOUT_SUFFIXES = (".html", ".xml", ".txt", ".j2")  # what is compiled as a layout; other files there are left alone


class LayoutUndefined(jinja2.StrictUndefined):
    """StrictUndefined (a typo fails the build instead of leaving an empty spot on the page) whose message
    names the kind of value, not its Python module, and the closest name it does have."""

    __slots__ = ()

    @property
    def _undefined_message(self) -> str:
        value, name = self._undefined_obj, self._undefined_name
        if self._undefined_hint or value is missing or not isinstance(name, str):
            return super()._undefined_message
        known = [str(key) for key in value] if isinstance(value, Mapping) else [n for n in dir(value) if not n.startswith("_")]
        return f"{type(value).__name__} has no attribute '{name}'{did_you_mean(name, known)}"


class ThemeLoader(jinja2.BaseLoader):
    """Loads the layouts `theme` resolves: the same files the cache fingerprints."""

    def __init__(self, theme: Theme):
        self.theme = theme
        self.references: dict[str, tuple[Reference, ...]] = {}  # of each layout this loader parsed to compile it

    def load(self, environment: jinja2.Environment, name: str, globals: MutableMapping[str, Any] | None = None) -> jinja2.Template:
        """Jinja's own loading (from the bytecode cache, else compiled), noting what a layout compiled now
        names from the one syntax tree its compiling parses: a layout is parsed once, not twice."""
        source, filename, uptodate = self.get_source(environment, name)
        cache = environment.bytecode_cache
        bucket = cache.get_bucket(environment, name, filename, source) if cache else None
        code = bucket.code if bucket else None
        if code is None:
            tree = environment.parse(source, name, filename)
            self.references[name] = _references(tree)
            code = environment.compile(tree, name, filename)
            if cache and bucket:
                bucket.code = code
                cache.set_bucket(bucket)
        return environment.template_class.from_code(environment, code, environment.make_globals(globals), uptodate)

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, None]:
        path = self.theme.layouts.get(template)
        if path is None:
            raise jinja2.TemplateNotFound(template)
        return path.read_text(encoding="utf-8"), str(path), None

    def list_templates(self) -> list[str]:
        """Each layout file once: the board's and the theme's by their names, and as theme/NAME only the
        theme's originals that a board's file replaces."""
        layouts = self.theme.layouts
        return [name for name, path in layouts.items()
                if not name.startswith(THEME_PREFIX) or layouts.get(name.removeprefix(THEME_PREFIX)) != path]


class LayoutEnvironment(jinja2.Environment):
    """Jinja's environment, with each layout's globals the environment's own rather than a ChainMap over
    them: a board's layouts have none of their own, and every page pays for the ChainMap, when Jinja
    copies it into the page's context and at each `{% from ... import %}`, where it compares its keys
    with the importing page's in Python, 28 us each time (about 0.5 s of processor time over a
    10,000-brief board's pages)."""

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return super().make_globals(d) if d else self.globals


def layout_environment(theme: Theme, compiled: jinja2.BytecodeCache | None = None) -> jinja2.Environment:
    """The one Jinja environment of a build: autoescaped, strict about undefined names, with gettext
    (`_`, `ngettext`, `{% trans %}`) that the build points at the board's language. Layouts compiled by
    an earlier build are loaded from `compiled` (each checked against its source)."""
    env = LayoutEnvironment(
        loader=ThemeLoader(theme), autoescape=True, extensions=["jinja2.ext.i18n"],
        undefined=LayoutUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        auto_reload=False,  # one build, one set of layouts: no stat of every layout on every page
        bytecode_cache=compiled,
    )
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    return env


@dataclass(frozen=True)
class Reference:
    """A layout's `extends`, `include` or `import` of another."""

    line: int
    name: str | None  # None: named by a value known only while rendering
    optional: bool  # `ignore missing`


@dataclass(frozen=True)
class Layouts:
    """Every layout of a build, compiled, with the layouts each one names."""

    env: jinja2.Environment
    references: dict[str, tuple[Reference, ...]]  # by layout name

    def used(self, template: str) -> list[str] | None:
        """`template` and every layout it extends, includes or imports, however deep; None when one of them
        names another only by a value known while rendering, or names one that is missing (rendering then
        reports it): such a page may use any layout."""
        seen, waiting = set(), [template]
        while waiting:
            name = waiting.pop()
            if name in seen:
                continue
            if name not in self.references:
                return None
            seen.add(name)
            for reference in self.references[name]:
                if reference.name is None:
                    return None
                waiting.append(reference.name)
        return sorted(seen)


class _CompiledLayouts(jinja2.FileSystemBytecodeCache):
    """The layouts as earlier builds compiled them, in the build cache: a damaged file is only a slower build.
    Unless `keep` is false (`board check`), what is compiled now is kept for the next build."""

    def __init__(self, folder: Path, keep: bool):
        super().__init__(str(folder))
        self.keep = keep

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # noqa: BLE001 - truncated or foreign: compile the layout again
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if self.keep:
            super().dump_bytecode(bucket)


def compile_layouts(theme: Theme, compiled: Path | None = None, keep: bool = True) -> tuple[Layouts, list[Problem]]:
    """Every layout compiled, and a problem for each that does not compile or names a layout that is not
    there: `board check` finds these as `board build` would, before any page renders. Given a `compiled`
    folder (in the build cache), a layout unchanged since an earlier build is neither parsed nor compiled
    again; and, unless `keep` is false, one compiled now is kept there for the next build."""
    if compiled and keep:
        (compiled / "code").mkdir(parents=True, exist_ok=True)
    bytecode = _CompiledLayouts(compiled / "code", keep) if compiled and (compiled / "code").is_dir() else None
    env = layout_environment(theme, bytecode)
    loader = env.loader
    assert isinstance(loader, ThemeLoader)
    names = env.list_templates(filter_func=lambda name: name.endswith(LAYOUT_SUFFIXES))
    problems = [_missing(theme.shown(name), 1, name) for name in PAGE_LAYOUTS if name not in theme.layouts]
    known = _read_references(compiled)
    references: dict[str, tuple[Reference, ...]] = {}
    digests: dict[str, list[list[Any]]] = {}
    # The theme's original of a layout the board replaces is compiled only when a layout names it: no page can use it otherwise.
    originals = [name for name in names if name.startswith(THEME_PREFIX)]
    waiting = [name for name in reversed(names) if not name.startswith(THEME_PREFIX)]
    while waiting:
        name = waiting.pop()
        if name in references:
            continue
        try:
            with layout_problems(theme, name):
                env.get_template(name)
                source = theme.layouts[name].read_text(encoding="utf-8")
                digest = hashlib.sha256(source.encode()).hexdigest()
                if name in loader.references:  # compiled now
                    references[name] = loader.references[name]
                elif (found := known.get(digest)) is not None:  # compiled by an earlier build
                    references[name] = tuple(Reference(*row) for row in found)
                else:
                    references[name] = _references(env.parse(source, name))
                digests[digest] = [[r.line, r.name, r.optional] for r in references[name]]
        except BoardError as error:
            problems += error.problems
            continue
        problems += [_missing(theme.shown(name), r.line, r.name) for r in references[name]
                     if r.name is not None and r.name not in theme.layouts and not r.optional]
        named = [r.name for r in references[name]]
        waiting += originals if None in named else [used for used in named if used in originals]
    if compiled and keep and digests != known:
        _write_references(compiled, digests)
    return Layouts(env, references), problems


def _references(tree: nodes.Template) -> tuple[Reference, ...]:
    """The layouts a layout names, read from its syntax tree."""
    found = []
    for node in tree.find_all((nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)):
        used = node.template.value if isinstance(node.template, nodes.Const) else None
        found.append(Reference(node.lineno, used if isinstance(used, str) else None, bool(getattr(node, "ignore_missing", False))))
    return tuple(found)


def _read_references(compiled: Path | None) -> dict[str, list[list[Any]]]:
    """What an earlier build found each layout to name, by the hash of the layout's source."""
    try:
        stored = json.loads((compiled / "references.json").read_text(encoding="utf-8")) if compiled else {}
    except (OSError, ValueError):
        return {}
    if not isinstance(stored, dict):
        return {}
    return {digest: rows for digest, rows in stored.items() if isinstance(rows, list) and all(
        isinstance(row, list) and len(row) == 3 and type(row[0]) is int and isinstance(row[1], (str, type(None))) and type(row[2]) is bool
        for row in rows)}


def _write_references(compiled: Path, digests: dict[str, list[list[Any]]]) -> None:
    write_whole(compiled / "references.json", json.dumps(digests, sort_keys=True).encode())


def _missing(shown: str, line: int, name: str) -> Problem:
    """`shown` (a layout as `Theme.shown` names it) names at `line` the layout `name`, which neither the board nor the theme has."""
    return Problem(shown, line, f"template error: there is no layout '{name}' in {LAYOUTS_DIR.as_posix()}/ or the theme")


@contextlib.contextmanager
def layout_problems(theme: Theme, template: str, page: str = "") -> Iterator[None]:
    """Turn a mistake in the layouts, met while compiling `template` or rendering `page` with it, into a
    BoardError. An error raised outside every layout is a bug of the generator and keeps its traceback."""
    try:
        yield
    except BoardError:
        raise
    except jinja2.TemplateSyntaxError as error:  # the compiler knows the layout and line, even of an included one
        raise BoardError([Problem(theme.shown(error.name or template), error.lineno or 1,
                                  f"template error: {error.message}")]) from None
    except Exception as error:
        place = innermost_layout_line(error.__traceback__, theme)
        if isinstance(error, jinja2.TemplateNotFound):  # an include, import or extends; or the page's own layout
            shown, line = place or (theme.shown(template), 1)
            raise BoardError([_missing(shown, line, str(error.name))]) from None
        if place is None:
            raise
        # The page, for an error that only some pages' data cause (the first such page: pages render in path order).
        rendering = f", while rendering {page}" if page else ""
        raise BoardError([Problem(place[0], place[1], f"template error: {_message(error)}{rendering}")]) from None


def innermost_layout_line(trace: TracebackType | None, theme: Theme) -> tuple[str, int] | None:
    """The layout (as `theme` shows it) and line of the deepest template frame of a rendering error's traceback."""
    names = {os.path.abspath(path): name for name, path in theme.layouts.items()}
    place = None
    while trace is not None:
        name = names.get(os.path.abspath(trace.tb_frame.f_code.co_filename))
        if name is not None:
            place = (theme.shown(name), trace.tb_lineno)
        trace = trace.tb_next
    return place


def _message(error: Exception) -> str:
    """Jinja's own message as it is; any other error with its kind, which its text alone may not say."""
    if isinstance(error, jinja2.TemplateError) and error.message:
        return error.message
    text = str(error)
    return f"{text} ({type(error).__name__})" if text else type(error).__name__
