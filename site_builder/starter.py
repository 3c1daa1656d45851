"""`board init [DIR]`: a new board that builds at once, with the packaged theme and no copy of it.

What a board needs besides the theme comes from one place each: `site.toml` from the declaration of
the options (`config.commented_site_toml`) with the example board's categories (which the issue forms
offer), the example brief from `board new`'s template, and the employers' guide, the workflows, the
pull request template and the issue forms from this repository's own files (see `shipped`). Their workflows install this repository's checkout (`pip install .`); a
board's install the same version of microboard from the package index instead.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

from . import __version__
from .config import CONFIG_FILE, Category, commented_site_toml, config_from_text, load_config
from .contentfiles import PROJECTS_DIR
from .lifecycle import today_in
from .scaffold import example_brief
from .shipped import SHIPPED

EXAMPLE_SLUG = "example-garden-volunteers"
COPIED = (".github", "CONTRIBUTING.md", "docs/deploy.md")  # this repository's own files, under SHIPPED
WORKFLOWS = ".github/workflows/"
# This repository's checkout, in a workflow: `.`, or `./checker` where check.yml checks out the base commit.
LOCAL_INSTALL = re.compile(r"\bpip install (?:-e )?\.(?:/checker)?(?=\s*$)", re.M)

GITIGNORE = """\
# What `board build` and `board serve` write: never committed
public/
.cache/
.venv/
__pycache__/
# Editors' backups and swap files (the build skips them too)
*~
*.swp
*.swo
#*#
.#*
"""

README = """\
# A micro-internship board

Short, paid projects, posted as one Markdown file each in `content/projects/` and built into a static
site by [microboard](https://pypi.org/project/microboard/) {version}.

```sh
pip install microboard=={version}
board serve        # preview at http://127.0.0.1:8000/, rebuilt on every save
board new SLUG     # a blank brief in content/projects/SLUG.md
board check        # every problem in site.toml and the briefs, as file:line: message
board build        # the whole board into public/
```

- `site.toml`: the board's name, address, language, categories and pay floor, each option explained.
- Employers post a project as described in [CONTRIBUTING.md](CONTRIBUTING.md); the workflows in
  `.github/workflows/` check every pull request and publish the board on GitHub Pages
  ([docs/deploy.md](docs/deploy.md) for other hosts).
- The look comes with microboard. To change one layout or stylesheet, put a file of the same name in
  `layouts/` or `static/`: it replaces the theme's; `{{% extends "theme/base.html" %}}` extends the original.
"""


class FolderNotEmpty(Exception):
    """`board init` was pointed at a folder that already holds files, without --force."""


def starter_files(today: date | None = None) -> dict[str, bytes]:
    """Every file of a new board, by its path in the board; the example brief is posted `today` (by
    default, today where the new board is)."""
    site_toml = commented_site_toml({"categories": categories_toml(load_config(SHIPPED).categories)})
    config = config_from_text(site_toml)
    files = {
        CONFIG_FILE: site_toml.encode(),
        f"{PROJECTS_DIR.as_posix()}/{EXAMPLE_SLUG}.md": example_brief(config, today or today_in(config.timezone)).encode(),
        ".gitignore": GITIGNORE.encode(),
        "README.md": README.format(version=__version__).encode(),
    }
    for name in COPIED:
        source = SHIPPED / name
        for path in sorted(source.rglob("*")) if source.is_dir() else [source]:
            if path.is_file():
                relative = path.relative_to(SHIPPED).as_posix()
                files[relative] = board_workflow(path.read_text(encoding="utf-8")).encode() \
                    if relative.startswith(WORKFLOWS) else path.read_bytes()
    return dict(sorted(files.items()))


def categories_toml(categories: tuple[Category, ...]) -> str:
    """The [categories.KEY] tables of site.toml that declare `categories`."""
    return "\n\n".join(f"[categories.{category.key}]\ntitle = {json.dumps(category.title, ensure_ascii=False)}\n"
                       f"description = {json.dumps(category.description, ensure_ascii=False)}" for category in categories)


def board_workflow(text: str) -> str:
    """This repository's workflow as a board's: microboard installed from the package index at this
    version, and the caches keyed by the workflows (which name that version), as a board has no
    pyproject.toml."""
    return LOCAL_INSTALL.sub(f"pip install microboard=={__version__}", text).replace("pyproject.toml", WORKFLOWS + "*.yml")


def init_board(folder: Path, today: date | None = None, force: bool = False) -> tuple[list[str], list[str]]:
    """Write a new board into `folder`: (the files written, the files left as they were). A folder that
    holds anything is refused unless `force`, and even then no existing file is overwritten."""
    if folder.exists() and not folder.is_dir():
        raise FolderNotEmpty(f"{folder} is a file, not a folder: give the name of a new folder, like myboard")
    present = sorted(entry.name for entry in folder.iterdir()) if folder.is_dir() else []
    if present and not force:
        shown = ", ".join(present[:3]) + (f" and {len(present) - 3} more" if len(present) > 3 else "")
        raise FolderNotEmpty(f"{folder} is not empty (it holds {shown}): give a new folder, like `board init myboard`, "
                             "or add --force to write only the files that are missing")
    written, kept = [], []
    for name, data in starter_files(today).items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with path.open("xb") as file:  # never over a file, nor through a link, that is already there
                file.write(data)
        except FileExistsError:
            kept.append(name)
            continue
        written.append(name)
    return written, kept
