"""The search index in parts: which bundle each project goes in, and which bundles a build must index.

A board's history only grows while its open projects stay about as many, so the index is cut by when a
project closed. The open projects, and those closed this month, go in the open bundle: the one the
search page loads by default. Every other closed project goes in the archive bundle of the month its
applications ended in; such a month is over, its projects all closed, so its bundle is indexed once
(on the first day of the next month) and kept until
one of its pages changes (buildstate.py keeps it). The search page merges the archive bundles in when a search asks for closed
projects (static/search.js).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date

from .model import Project, Site
from .lazyseq import MonthProjects
from .months import month_name
from .outputs import OutputFile

BUNDLE_DIR = "pagefind"  # under the base path; layouts/search.html loads pagefind.js from here
OPEN_BUNDLE = "open"  # the open bundle is BUNDLE_DIR itself
ARCHIVE_DIR = "archive"  # an archive bundle is BUNDLE_DIR/archive/YYYY-MM/
PARTS_FILE = "parts.json"  # in the open bundle: the archive months there are, for the search page


def bundle_of(project: Project, today: date) -> str:
    """The bundle a project is indexed in: OPEN_BUNDLE, or the "YYYY-MM" its applications ended in,
    once that month is over (a bundle for the month still running would change every day)."""
    deadline = project.brief.deadline
    return OPEN_BUNDLE if project.is_open or (deadline.year, deadline.month) == (today.year, today.month) \
        else month_name(deadline.year, deadline.month)


def search_bundles(site: Site) -> dict[str, Sequence[Project]]:
    """Every bundle and its projects: the open bundle first (always there, even empty), then the months in
    order; an archive month taken whole (months.py) is its own bundle."""
    made: dict[str, list[Project]] = {OPEN_BUNDLE: []}
    for project in site.placed:
        made.setdefault(bundle_of(project, site.today), []).append(project)
    bundles: dict[str, Sequence[Project]] = {name: tuple(projects) for name, projects in made.items()}
    bundles |= {month.name: month for month in site.months}
    return {name: bundles[name] for name in sorted(bundles, key=lambda name: (name != OPEN_BUNDLE, name))}


def bundle_pages(projects: Sequence[Project]) -> list[str]:
    """The pages of a bundle's projects, without making those of a month taken whole."""
    return projects.pages if isinstance(projects, MonthProjects) else [project.path + "index.html" for project in projects]


def bundle_folder(name: str) -> str:
    """Where a bundle's files go in the output, ending in "/"."""
    return f"{BUNDLE_DIR}/" if name == OPEN_BUNDLE else f"{BUNDLE_DIR}/{ARCHIVE_DIR}/{name}/"


def bundle_at(path: str) -> str | None:
    """The bundle an output file belongs to, by its path; None outside the index."""
    parts = path.split("/")
    if parts[0] != BUNDLE_DIR or len(parts) < 2:
        return None
    return parts[2] if parts[1] == ARCHIVE_DIR and len(parts) > 3 else OPEN_BUNDLE


def parts_file(bundles: Mapping[str, Sequence[Project]]) -> OutputFile:
    """The open bundle's list of the archive months, which the search page merges in for closed
    projects, with each month's count of projects, which it counts closed projects with until then."""
    months = {name: len(projects) for name, projects in bundles.items() if name != OPEN_BUNDLE}
    return OutputFile(f"{BUNDLE_DIR}/{PARTS_FILE}", json.dumps({"archive": months}, separators=(",", ":")).encode())
