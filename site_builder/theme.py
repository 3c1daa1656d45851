"""The default theme, packaged with microboard, and a board's own files that replace it one by one.

Lookup order, for a layout as for a static file: the board's own `layouts/NAME` (`static/NAME`) when it
exists, else the theme's file of that name. A layout can name the theme's original explicitly as
`theme/NAME`, so that an override extends it instead of copying it: `{% extends "theme/project.html" %}`.

The theme is this repository's top-level layouts/ and static/ (see `shipped` for where an installed
microboard finds them). In a checkout, the repository's example board is then the theme's own source,
with no overrides. static/logos/ is a board's content, never part of the theme.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

from .contentfiles import LOGOS_DIR, is_editor_noise
from .shipped import SHIPPED

LAYOUTS_DIR = Path("layouts")
STATIC_DIR = Path("static")
THEME_PREFIX = "theme/"  # a layout's name for the theme's original: "theme/base.html"


def _files(folder: Path) -> dict[str, Path]:
    """The files under `folder` by their path inside it, hidden files and editors' temps and backups left out."""
    if not folder.is_dir():
        return {}
    return {path.relative_to(folder).as_posix(): path for path in sorted(folder.rglob("*"))
            if path.is_file() and not is_editor_noise(path.name)}


@dataclass(frozen=True)
class Theme:
    """A board's layouts and static files, each resolved to the one file the build reads: the board's own
    or the theme's. The loader, the fingerprints of the cache and the static file versions all read these
    maps, so an override, its removal or a new version of the theme redoes exactly the pages it changes."""

    board: Path
    source: Path = SHIPPED

    @functools.cached_property
    def is_theme_source(self) -> bool:
        """True for the repository's own example board, whose layouts/ and static/ are the theme itself."""
        return os.path.realpath(self.board) == os.path.realpath(self.source)

    @functools.cached_property
    def _theme_layouts(self) -> dict[str, Path]:
        return _files(self.source / LAYOUTS_DIR)

    @functools.cached_property
    def _theme_static(self) -> dict[str, Path]:
        logos = LOGOS_DIR.relative_to(STATIC_DIR).as_posix() + "/"
        return {name: path for name, path in _files(self.source / STATIC_DIR).items() if not name.startswith(logos)}

    @functools.cached_property
    def _own_layouts(self) -> dict[str, Path]:
        return {} if self.is_theme_source else _files(self.board / LAYOUTS_DIR)

    @functools.cached_property
    def _own_static(self) -> dict[str, Path]:
        return _files(self.board / STATIC_DIR)

    @functools.cached_property
    def layouts(self) -> dict[str, Path]:
        """Every layout a page can name -> the file it is read from: each theme layout also as theme/NAME."""
        originals = {THEME_PREFIX + name: path for name, path in self._theme_layouts.items()}
        return dict(sorted((originals | self._theme_layouts | self._own_layouts).items()))

    @functools.cached_property
    def static(self) -> dict[str, Path]:
        """Every static file of the board (its path under static/) -> the file it is copied from."""
        return dict(sorted((self._theme_static | self._own_static).items()))

    def overrides(self) -> list[str]:
        """The board's files that replace one of the theme's, like layouts/404.html or static/style.css."""
        if self.is_theme_source:
            return []
        return ([f"{LAYOUTS_DIR.as_posix()}/{name}" for name in self._own_layouts if name in self._theme_layouts]
                + [f"{STATIC_DIR.as_posix()}/{name}" for name in self._own_static if name in self._theme_static])

    def shown(self, name: str) -> str:
        """The layout `name` as a problem names it: the board's own as layouts/NAME, the theme's by its file."""
        path = self.layouts.get(name)
        if path is None:
            return f"{LAYOUTS_DIR.as_posix()}/{name}"
        relative = os.path.relpath(path, self.board)
        return str(path) if relative.startswith(os.pardir) else Path(relative).as_posix()
