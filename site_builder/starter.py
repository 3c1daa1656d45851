"""`board init [DIR]`: a new board that builds at once, with the packaged theme and no copy of it; and
`board upgrade`: the files microboard gave a board, brought to this version.

What a board needs besides the theme comes from one place each: `site.toml` from the declaration of
the options (`config.commented_site_toml`) with the example board's categories (which the issue forms
offer), the example brief from `board new`'s template, and the employers' guide, the workflows, the
pull request template and the issue forms from this repository's own files (see `shipped`). Their workflows install this repository's checkout (`pip install .`); a
board's install the same version of microboard from the package index instead.

Those last files stay microboard's: a new version may fix a workflow, and the workflows name the version
they install. `.microboard.json` records the hash of each as microboard wrote it, so `board upgrade`
replaces only those the board's maintainers left alone, and puts a new version beside any they changed.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath

from . import __version__
from .config import CONFIG_FILE, Category, commented_site_toml, config_from_text, load_config
from .contentfiles import PROJECTS_DIR
from .lifecycle import today_in
from .scaffold import example_brief
from .shipped import SHIPPED
from .tables import write_whole

EXAMPLE_SLUG = "example-garden-volunteers"
COPIED = (".github", "CONTRIBUTING.md", "docs/deploy.md")  # this repository's own files, under SHIPPED
WORKFLOWS = ".github/workflows/"
# This repository's checkout, in a workflow: `.`, or `./checker` where check.yml checks out the base commit.
LOCAL_INSTALL = re.compile(r"\bpip install (?:-e )?\.(?:/checker)?(?=\s*$)", re.M)
MANIFEST = ".microboard.json"  # the files microboard gave the board, each with the hash of what it wrote
PINNED = re.compile(rb"\bmicroboard==\S+")  # the version a board's workflow installs
NEW_SUFFIX = ".new"  # this version's file, beside one the board changed

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
board upgrade      # after `pip install --upgrade microboard`: its workflows and forms brought up to date
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
    copied = copied_files()
    files = {
        CONFIG_FILE: site_toml.encode(),
        f"{PROJECTS_DIR.as_posix()}/{EXAMPLE_SLUG}.md": example_brief(config, today or today_in(config.timezone)).encode(),
        ".gitignore": GITIGNORE.encode(),
        "README.md": README.format(version=__version__).encode(),
        MANIFEST: manifest(copied),
        **copied,
    }
    return dict(sorted(files.items()))


def copied_files() -> dict[str, bytes]:
    """The files of a board that stay microboard's (`COPIED`), as this version writes them, by path."""
    files = {}
    for name in COPIED:
        source = SHIPPED / name
        for path in sorted(source.rglob("*")) if source.is_dir() else [source]:
            if path.is_file():
                relative = path.relative_to(SHIPPED).as_posix()
                files[relative] = board_workflow(path.read_text(encoding="utf-8")).encode() \
                    if relative.startswith(WORKFLOWS) else path.read_bytes()
    return files


def manifest(files: dict[str, bytes]) -> bytes:
    """`.microboard.json`: this version, and the hash of each of `files` as it writes them."""
    hashes = {path: _hash(data) for path, data in sorted(files.items())}
    return (json.dumps({"microboard": __version__, "files": hashes}, indent=2) + "\n").encode()


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


@dataclass
class Upgrade:
    """What `upgrade_board` did, file by file (paths in the board)."""

    updated: list[str] = field(default_factory=list)  # replaced by this version's: the board had left them as written
    added: list[str] = field(default_factory=list)  # new in this version
    changed: list[str] = field(default_factory=list)  # changed in the board: left, with this version's beside as PATH.new
    removed: list[str] = field(default_factory=list)  # no longer microboard's, and left as written: deleted
    retired: list[str] = field(default_factory=list)  # no longer microboard's, but changed in the board: left

    def summary(self) -> str:
        """What `board upgrade` prints: a line for each file it did something about, then the counts."""
        lines = [f"updated {name}" for name in self.updated] + [f"added {name}" for name in self.added]
        lines += [f"kept {name}, which differs from what microboard wrote: this version's is beside it, in {name}{NEW_SUFFIX}; "
                  "merge what you need into it, then delete that file" for name in self.changed]
        lines += [f"removed {name}: no longer part of microboard, and as microboard wrote it" for name in self.removed]
        lines += [f"kept {name}: no longer part of microboard, but changed here; delete it unless something needs it"
                  for name in self.retired]
        counts = (f"{len(self.updated)} updated, {len(self.added)} added, {len(self.changed)} to merge by hand, "
                  f"{len(self.removed)} removed; review with `git diff`, then commit")
        return "\n".join(lines + [f"microboard {__version__}: " + (counts if lines else "the files it gave this board are up to date")])


def upgrade_board(folder: Path) -> Upgrade:
    """Bring the files microboard gave the board in `folder` to this version. A file is replaced only where
    the board left it as microboard wrote it (its hash in `.microboard.json`, or, for a board made before
    that file, the same text but for the version its workflow installs); one the board changed is left,
    and this version's is written beside it. A file that is a link is never written through nor deleted: it
    counts as changed."""
    recorded = _recorded_hashes(folder)
    copied = copied_files()
    done = Upgrade()
    for name, data in copied.items():
        path = folder / name
        current = path.read_bytes() if path.is_file() and not path.is_symlink() else None
        if current == data:
            continue
        if not path.exists() and not path.is_symlink():
            done.added.append(name)
        elif current is not None and (recorded.get(name) == _hash(current) or PINNED.sub(b"", current) == PINNED.sub(b"", data)):
            done.updated.append(name)
        else:
            done.changed.append(name)
            name = name + NEW_SUFFIX
        write_whole(folder / name, data, mode=0o644)
    for name in sorted(recorded.keys() - copied.keys()):
        path = folder / name
        if path.is_file() and not path.is_symlink() and recorded[name] == _hash(path.read_bytes()):
            path.unlink()
            done.removed.append(name)
        elif path.exists():
            done.retired.append(name)
    write_whole(folder / MANIFEST, manifest(copied), mode=0o644)
    return done


def _recorded_hashes(folder: Path) -> dict[str, str]:
    """The hashes `.microboard.json` records, by path; none when it is missing or not one microboard wrote."""
    try:
        files = json.loads((folder / MANIFEST).read_text(encoding="utf-8")).get("files")
    except (OSError, ValueError, AttributeError):
        return {}
    if not isinstance(files, dict):
        return {}
    return {name: value for name, value in files.items() if isinstance(value, str) and _copied_path(name)}


def _copied_path(name: str) -> bool:
    """Whether `name` is a path where microboard's files go (`COPIED`): a record naming any other is not taken,
    so an upgrade deletes nothing outside them."""
    return ".." not in PurePosixPath(name).parts and any(name == copied or name.startswith(copied + "/") for copied in COPIED)


def _hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
