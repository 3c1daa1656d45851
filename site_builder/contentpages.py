"""Content pages: content/pages/*.md (about, how to post) -> `PageSource`, read as briefs are read.

The front matter goes through `frontyaml`, as a brief's does, so a mistake in a page is reported on
its own line, with the same words a brief's would get.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from yaml.nodes import MappingNode

from .config import SLUG_PATTERN
from .contentfiles import CONTENT_DIR, decoded_source, is_editor_noise
from .errors import Problem
from .frontyaml import FieldReader, compose_front_matter, split_front_matter

PAGES_DIR = Path("content/pages")
PAGE_FIELDS = ["title", "description"]
# Top-level paths the board itself writes; a content page may not take one of them.
RESERVED_SLUGS = {"projects", "categories", "skills", "companies", "archive", "search", "page", "pagefind", "static"}


@dataclass(frozen=True)
class PageSource:
    """An extra page from content/pages/ (about, how to post), written by the board's owners."""

    slug: str
    source: str
    title: str
    description: str
    body: str
    body_line: int  # the file line the body starts on


def load_pages(root: Path) -> tuple[list[PageSource], list[Problem]]:
    """Read content/pages/*.md: a `title:` (and optional `description:`) in front matter, then Markdown."""
    folder = root / PAGES_DIR
    pages: list[PageSource] = []
    problems: list[Problem] = []
    linked = folder.is_symlink() or (root / CONTENT_DIR).is_symlink()  # a link is one of link_problems, never followed
    for path in sorted(folder.glob("*.md")) if folder.is_dir() and not linked else []:
        if not is_editor_noise(path.name) and not path.is_symlink():  # such as Emacs's lock .#about.md, a link to nowhere
            page = read_page(path, path.relative_to(root).as_posix(), problems)
            pages += [page] if page else []
    return pages, problems


def read_page(path: Path, source: str, problems: list[Problem]) -> PageSource | None:
    """One content page, or None with its problems appended."""
    before = len(problems)
    if not SLUG_PATTERN.fullmatch(path.stem) or path.stem in RESERVED_SLUGS:
        problems.append(Problem(source, 1, f"'{path.stem}' cannot be a page's file name: use lowercase letters, digits and "
                                           f"hyphens, and none of {', '.join(sorted(RESERVED_SLUGS))}"))
    raw = path.read_bytes()
    text = decoded_source(raw, source, problems)
    if text is None:
        return None
    parts = split_front_matter(text)
    if parts is None:
        problems.append(Problem(source, 1, 'a page starts with its fields between two lines of ---: title: "About this board", '
                                           "then the Markdown"))
        return None
    front, front_line, body, body_line = parts
    node = compose_front_matter(front, front_line, source, problems)
    reader = FieldReader(source, front, front_line, problems)
    if node is None or not isinstance(node, MappingNode):
        if node is not None or len(problems) == before:
            reader.problem(node, 'the front matter must hold the page\'s title, like title: "About this board"')
        return None
    fields = reader.mapping(node, None, PAGE_FIELDS)
    if "title" not in fields:
        problems.append(Problem(source, reader.closing_line, 'a page needs a title in its front matter: title: "About this board"'))
    title = reader.text(fields["title"][1], "title") if "title" in fields else None
    description = reader.text(fields["description"][1], "description") if "description" in fields else ""
    if len(problems) > before or title is None or description is None:
        return None
    return PageSource(path.stem, source, title, description, body, body_line)
