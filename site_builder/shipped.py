"""Where the files this repository ships with the package are: the theme (layouts/, static/, the
interface's translations/) and what `board init` copies into a new board (.github/, CONTRIBUTING.md,
docs/deploy.md, and the categories of site.toml, which the issue forms offer).

One copy of each: the repository's own files. The wheel carries them under site_builder/shipped_files/
(hatchling's force-include, see pyproject.toml); a checkout of microboard (an editable install) reads
them where they are, at the repository's root.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_IN_WHEEL = _PACKAGE / "shipped_files"
SHIPPED = _IN_WHEEL if _IN_WHEEL.is_dir() else _PACKAGE.parent
