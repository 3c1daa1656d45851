"""What a student based in a country may apply for, worked out for the tests from the briefs and CLDR's own
file in node_modules/cldr-core, apart from the board's code: the answers the pages and the search must give."""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from pathlib import Path

import pycountry

from site_builder.config import load_config
from site_builder.content import load_briefs
from tests.site_files import REPO

CLDR = REPO / "node_modules/cldr-core/supplemental/territoryContainment.json"


@cache
def _groups() -> dict:
    return json.loads(CLDR.read_text(encoding="utf-8"))["supplemental"]["territoryContainment"]


def countries_of(code: str) -> frozenset[str]:
    """A brief's code as the ISO countries it stands for: a country, a region's (CLDR, at any depth), or all."""
    if code == "anywhere":
        return frozenset(c.alpha_2 for c in pycountry.countries)
    parts = [p for key, group in _groups().items() if key.split("-status-")[0] == code and not key.endswith("-deprecated")
             for p in group["_contains"]]
    if not parts:
        return frozenset({code} if pycountry.countries.get(alpha_2=code) else ())
    return frozenset().union(*(countries_of(part) for part in parts))


def open_briefs(board: Path, day: str):
    today = date.fromisoformat(day)
    briefs, problems = load_briefs(board, load_config(board))
    assert not problems
    return [b for b in briefs if not b.draft and b.posted <= today <= b.deadline]


def open_to(board: Path, day: str, country: str) -> set[str]:
    """The slugs of the open projects a student based in `country` may apply for."""
    return {b.slug for b in open_briefs(board, day) if any(country in countries_of(code) for code in b.countries)}


def named(board: Path) -> set[str]:
    """Every country some brief names, itself or through a region (`anywhere` names none)."""
    briefs, _ = load_briefs(board, load_config(board))
    return set().union(*(countries_of(code) for b in briefs for code in b.countries if code != "anywhere"))


def examples(board: Path, day: str) -> dict[str, str]:
    """Three countries to look at: one an open brief lists by name, one only a region brings in, one only
    `anywhere` covers; each chosen from the briefs, the first in alphabetical order."""
    briefs = open_briefs(board, day)
    listed = sorted({code for b in briefs for code in b.countries if len(code) == 2 and code != "anywhere" and code.isalpha()})
    by_region = sorted(named(board) - {code for b in load_briefs(board, load_config(board))[0] for code in b.countries})
    nowhere = sorted(countries_of("anywhere") - named(board))
    return {"listed": listed[0], "region": by_region[0], "anywhere": nowhere[0]}
