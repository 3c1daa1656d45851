"""Content stage: `content/projects/*.md` -> typed `Brief`s plus every `Problem` found in them.

Employers write these files by hand, so each rule has its own message naming the line and the fix.
Here: what makes a file a brief (name, size, encoding, front matter, description) and the rules across
briefs (one slug, one company identity). Each field's rules are `brieffields`'; which files are read,
`contentfiles`'; reading the YAML as nodes with their lines, and refusing what YAML 1.1 silently makes
of a value, is `frontyaml`'s work.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from yaml.nodes import MappingNode, Node, ScalarNode

from .brief import Brief, Company
from .brieffields import COMPANY_FIELDS, FIELDS, read_fields, read_maintainers
from .config import SLUG_PATTERN, SiteConfig
from .contentfiles import MAX_BRIEF_BYTES, brief_paths, decoded_source, read_limited, symlink_message
from .errors import Problem
from .frontyaml import PLACEHOLDER, FieldReader, compose_front_matter, decode_text, split_front_matter
from .text import code_point, first_forbidden, same_name_key


def read_brief(path: Path, root: Path, config: SiteConfig, problems: list[Problem], raw: bytes | None = None) -> Brief | None:
    """Parse and validate one brief (from `raw`, its bytes, when already read); append its problems;
    return it only if it has none."""
    source = _source(path, root)
    before = len(problems)

    def fail(message: str) -> None:
        problems.append(Problem(source, 1, message))

    if path.is_symlink():
        fail(symlink_message())
        return None
    slug = path.stem
    if path.suffix != ".md":
        fail(f"a brief's file name must end in .md: rename it to {slug}.md")
    if not (3 <= len(slug) <= 80 and SLUG_PATTERN.fullmatch(slug)):
        fail(f"the file name '{slug}' is not a valid slug: use 3 to 80 lowercase letters, digits and single hyphens, like acme-crm-cleanup.md")
    try:
        raw = read_limited(path) if raw is None else raw
        size = path.stat().st_size if len(raw) > MAX_BRIEF_BYTES else len(raw)
    except OSError as error:
        fail(f"the file cannot be read ({error.strerror or error}): make it a plain text file you can open")
        return None
    if len(raw) > MAX_BRIEF_BYTES:
        fail(f"the file is {_size(max(size, len(raw)))}; a brief must be under {MAX_BRIEF_BYTES // 1024} KB of text")
        return None
    text = decoded_source(raw, source, problems)
    if text is None:
        return None
    if not text.strip():
        fail("the file is empty: a brief starts with its fields between two lines of ---, then the description (run `board new SLUG` for a template)")
        return None
    parts = split_front_matter(text)
    if parts is None and text.startswith("---"):
        fail("the front matter is not closed: add a line --- after the last field, before the description")
        return None
    if parts is None:
        fail("no front matter: the file must start with a line ---, then the fields, then another line --- before the description")
        return None
    front, front_line, body, body_line = parts
    root_node = compose_front_matter(front, front_line, source, problems)
    if root_node is None:
        if len(problems) == before:
            fail("the front matter is empty: list the brief's fields between the two --- lines")
        return None
    reader = FieldReader(source, front, front_line, problems)
    if not isinstance(root_node, MappingNode):  # a list or a line of text: "missing" for every field would only be noise
        reader.mapping(root_node, None, FIELDS)
        return None
    brief = read_fields(reader, reader.mapping(root_node, None, FIELDS), slug, source, root, config, body, body_line)
    _check_body(reader, body, body_line, closing_line=front_line + front.count("\n"))
    return brief if len(problems) == before else None


def _source(path: Path, root: Path) -> str:
    """The path messages name: relative to the board's root when inside it, as given otherwise."""
    absolute, base = os.path.abspath(path), os.path.abspath(root)
    if absolute.startswith(base.rstrip(os.sep) + os.sep):
        return Path(absolute[len(base.rstrip(os.sep)) + 1:]).as_posix()
    return path.as_posix()


def _size(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{math.ceil(size / 1024)} KB"


def _check_body(reader: FieldReader, body: str, body_line: int, closing_line: int) -> None:
    forbidden = first_forbidden(body)
    if not body.strip():
        reader.problems.append(Problem(reader.source, closing_line, "the description is empty: after the second --- line, describe "
                                                                    "the context, the deliverable and what success looks like"))
    elif body.lstrip().upper().startswith(PLACEHOLDER):
        reader.problems.append(Problem(reader.source, body_line, "the description still holds the template's placeholder: replace it with your brief"))
    elif forbidden:
        line = body_line + body.count("\n", 0, forbidden.start())
        reader.problems.append(Problem(reader.source, line, f"the description contains the character {code_point(forbidden.group())}, "
                                                            "a control character or non-character that pages and feeds cannot carry: delete it"))


def _front_fields(source: str, raw: bytes) -> tuple[FieldReader, dict[str, tuple[Node, Node]]] | None:
    """A brief's fields as YAML nodes, read leniently (no problems reported): for the ownership check."""
    try:
        parts = split_front_matter(decode_text(raw)) if len(raw) <= MAX_BRIEF_BYTES else None
    except UnicodeDecodeError:
        return None
    root_node = compose_front_matter(parts[0], parts[1], source, problems=[]) if parts else None
    if not isinstance(root_node, MappingNode):
        return None
    reader = FieldReader(source, parts[0], parts[1], problems=[])
    return reader, reader.mapping(root_node, None, FIELDS)


def brief_maintainers(source: str, raw: bytes) -> tuple[tuple[str, ...], int] | None:
    """The handles a brief's `maintainers` lists and the line it is on; None when there are none to read."""
    found = _front_fields(source, raw)
    if found is None or "maintainers" not in found[1]:
        return None
    reader, fields = found
    key, node = fields["maintainers"]
    handles = read_maintainers(reader, node)
    return (handles, reader.line(key)) if handles else None


def brief_company(source: str, raw: bytes) -> tuple[str, int] | None:
    """A brief's company name and the line it is on; None when there is none to read."""
    found = _front_fields(source, raw)
    if found is None or "company" not in found[1] or not isinstance(found[1]["company"][1], MappingNode):
        return None
    reader, fields = found
    company = reader.mapping(fields["company"][1], "company", COMPANY_FIELDS)
    if "name" not in company or not isinstance(company["name"][1], ScalarNode) or not company["name"][1].value.strip():
        return None
    return company["name"][1].value.strip(), reader.line(company["name"][0])


@dataclass(frozen=True)
class Earliest:
    """The earliest brief of a company among some briefs: what company_problems reads of it."""

    posted: date
    slug: str
    source: str
    company: Company


@dataclass(frozen=True)
class Identity:
    """A company as some briefs give it (archive months', months.py): their earliest, and every way they write it."""

    first: Earliest  # the earliest (by posted date, then slug)
    names: frozenset[str]
    urls: frozenset[str]
    logos: frozenset[str]

    @classmethod
    def of(cls, briefs: list[Brief]) -> Identity:
        companies = [brief.company for brief in briefs]
        first = min(briefs, key=lambda b: (b.posted, b.slug))
        return cls(Earliest(first.posted, first.slug, first.source, first.company), frozenset(c.name for c in companies),
                   frozenset(c.url for c in companies if c.url), frozenset(c.logo for c in companies if c.logo))

    def __or__(self, other: Identity) -> Identity:
        """The identity of both sets of briefs."""
        first = min(self.first, other.first, key=lambda b: (b.posted, b.slug))
        return Identity(first, self.names | other.names, self.urls | other.urls, self.logos | other.logos)

    def agrees_with(self, first: Brief | Earliest) -> bool:
        """Whether none of these briefs differs from `first` in what company_problems compares."""
        company = first.company
        return self.names <= {company.name} and (not company.url or self.urls <= {company.url}) \
            and (not company.logo or self.logos <= {company.logo})


def earliest_by_company(briefs: list[Brief], names: list[str], others: Mapping[str, Identity] | None = None) -> dict[str, Brief | Earliest]:
    """The earliest brief of each company (by `same_name_key`, given as `names`), among `briefs` and the
    earliest of `others`: found without sorting a board's history of briefs."""
    first: dict[str, Brief | Earliest] = {name: identity.first for name, identity in (others or {}).items()}
    for name, brief in zip(names, briefs):
        known = first.setdefault(name, brief)
        if (brief.posted, brief.slug) < (known.posted, known.slug):
            first[name] = brief
    return first


def company_problems(briefs: list[Brief], others: Mapping[str, Identity] | None = None) -> list[Problem]:
    """One company, one identity: briefs whose company names read the same (see `same_name_key`) must
    write it the same way and agree on its website and logo, so no brief can pass for another company or
    give it another face. The earliest brief (by posted date, then slug) sets what the others must say.
    `others`: the identities of briefs checked apart (an archive month's), whose earliest may set it."""
    names = [same_name_key(brief.company.name) for brief in briefs]
    first = earliest_by_company(briefs, names, others)
    problems = []
    for name, brief in zip(names, briefs):
        known = first[name]
        mine, theirs = brief.company, known.company
        if known is brief:
            continue
        if mine.name != theirs.name:
            problems.append(Problem(brief.source, brief.company_line, (
                f"company.name {mine.name} reads the same as {theirs.name}, the company of {known.source}, but is written "
                "differently (case, spacing or look-alike letters): write it exactly as there if it is the same company, "
                "or choose a name that reads differently")))
            continue
        for field, word, value, set_value in (("url", "website", mine.url, theirs.url), ("logo", "logo", mine.logo, theirs.logo)):
            if value and set_value and value != set_value:
                problems.append(Problem(brief.source, brief.company_line, (
                    f"company.{field} {value} differs from {set_value} in {known.source}: every brief of {mine.name} gives "
                    f"the same {word}; write {set_value}, or change it in every brief of {mine.name} at once")))
    return problems


def load_briefs(root: Path, config: SiteConfig, paths: list[Path] | None = None) -> tuple[list[Brief], list[Problem]]:
    """Read every brief (or only `paths`), collecting all problems of all files in one pass."""
    problems: list[Problem] = []
    if paths is None:
        listed, problems = brief_paths(root)
        paths = [Path(path) for path in listed]
    briefs, duplicates = unique_briefs([brief for path in paths if (brief := read_brief(path, root, config, problems))])
    return briefs, sorted(problems + duplicates)


def unique_briefs(briefs: list[Brief]) -> tuple[list[Brief], list[Problem]]:
    """The briefs by slug, and a problem for each brief whose slug another one already has."""
    by_slug: dict[str, Brief] = {}
    problems = []
    for brief in briefs:
        if brief.slug in by_slug:
            problems.append(Problem(brief.source, 1, f"the slug '{brief.slug}' is already used by {by_slug[brief.slug].source}; rename one file"))
        by_slug.setdefault(brief.slug, brief)
    return sorted(by_slug.values(), key=lambda b: b.slug), problems
