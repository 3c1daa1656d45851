"""Where applicants may be based: the codes a brief's `countries` may hold, and the countries each opens it to.

A brief lists ISO 3166-1 countries ("IN"), CLDR regions ("EU", "150" Europe, "419" Latin America) or
`anywhere`. A region opens a project to every country it contains, through its sub-regions. The regions
are CLDR's territory containment: `cldr/territoryContainment.json` is the file of the cldr-core release,
unchanged (tests/test_eligibility.py compares it with node_modules/cldr-core). Babel has CLDR's region
names but not its containment, so the containment ships beside this module; the countries are pycountry's.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

import pycountry
from babel import Locale, UnknownLocaleError

ANYWHERE = "anywhere"
WORLD = "001"  # CLDR's "world": a brief says `anywhere` instead, which reads better and means the same
COUNTRIES = frozenset(country.alpha_2 for country in pycountry.countries)
# Words employers write for "anywhere", answered with a did-you-mean.
ANYWHERE_WORDS = {"any", "all", "everywhere", "global", "international", "remote", "world", "worldwide", WORLD}


@cache
def _containment() -> dict[str, tuple[str, ...]]:
    """Region code -> the codes it directly contains (countries and regions); deprecated groups left out."""
    text = resources.files(__package__).joinpath("cldr/territoryContainment.json").read_text(encoding="utf-8")
    groups: dict[str, list[str]] = {}
    for key, group in json.loads(text)["supplemental"]["territoryContainment"].items():
        code, _, status = key.partition("-status-")
        if status != "deprecated":
            groups.setdefault(code, []).extend(group["_contains"])
    return {code: tuple(parts) for code, parts in groups.items()}


def regions() -> frozenset[str]:
    """Every region code a brief may use."""
    return frozenset(_containment()) - {WORLD}


@cache
def countries_in(code: str) -> frozenset[str]:
    """The ISO countries a code opens a project to: itself, a region's countries at any depth, or all."""
    if code == ANYWHERE:
        return COUNTRIES
    if code in COUNTRIES:
        return frozenset({code})
    return frozenset().union(*(countries_in(part) for part in _containment().get(code, ())))


@cache  # asked for every project of the board, whose briefs name a few dozen lists of countries
def eligible_countries(codes: tuple[str, ...]) -> frozenset[str]:
    """Every country whose residents may apply to a project listing `codes`."""
    return frozenset().union(*(countries_in(code) for code in codes))


def named_countries(codes: tuple[str, ...]) -> frozenset[str]:
    """The countries a brief names itself or through a region; `anywhere` names none."""
    return eligible_countries(tuple(code for code in codes if code != ANYWHERE))


def is_country(code: str) -> bool:
    return bool(re.fullmatch(r"[A-Z]{2}", code)) and code in COUNTRIES


def code_problem(code: str) -> str | None:
    """Why `code` cannot stand in a brief's `countries`, with the likely fix; None when it can."""
    if code == ANYWHERE or is_country(code) or code in regions():
        return None
    what = f"countries: {code} is not an ISO 3166-1 country code, a region code or anywhere"
    if code.strip().casefold() in ANYWHERE_WORDS or code.casefold() == ANYWHERE:
        return f"{what} (to take applicants from every country, write anywhere)"
    if code.upper() in COUNTRIES or code.upper() in regions():
        return f"{what} (write it in capitals: {code.upper()})"
    guess = _by_name(code)
    if guess:
        return f"{what} (did you mean {guess}, {territory_name(guess, 'en')}?)"
    return f"{what}: write a two-letter code such as US, DE or IN, a region such as EU, 150 (Europe) or 419 (Latin America), or anywhere"


def _by_name(text: str) -> str | None:
    """The country or region whose English name `text` is, or nearly is (spelled differently, mistyped)."""
    names = {territory_name(code, "en").casefold(): code for code in sorted(COUNTRIES | regions())}
    for country in pycountry.countries:
        names.setdefault(country.name.casefold(), country.alpha_2)
    close = difflib.get_close_matches(text.strip().casefold(), list(names), n=1, cutoff=0.8)
    return names[close[0]] if close else None


@cache
def _territories(language: str) -> dict[str, str]:
    try:
        return dict(Locale.parse(language).territories)
    except (UnknownLocaleError, ValueError):
        return dict(Locale.parse("en").territories)


def territory_name(code: str, language: str) -> str:
    """A country's or region's name in the board's language ("Deutschland", "Europe"); CLDR's, else ISO's."""
    if code == ANYWHERE:
        return ANYWHERE
    name = _territories(language).get(code)
    if name:
        return name
    country = pycountry.countries.get(alpha_2=code)
    return country.name if country else code


def by_name(name: str) -> str:
    """A sort key that files a name under its letter, accents aside: Åland Islands beside Albania, not after Z."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()


@dataclass(frozen=True)
class Place:
    """One entry of a brief's `countries`, as a project page shows it."""

    code: str  # "IN", "EU", "150" or "anywhere"
    name: str  # in the board's language
    countries: tuple[tuple[str, str], ...]  # a region's countries (code, name), by name; () for a country or anywhere

    @property
    def is_region(self) -> bool:
        return bool(self.countries)


def places(codes: tuple[str, ...], language: str) -> tuple[Place, ...]:
    """A brief's `countries`, named: what its project page's "Apply from" line lists."""
    result = []
    for code in codes:
        members = () if code == ANYWHERE or code in COUNTRIES else countries_in(code)
        named = sorted(((c, territory_name(c, language)) for c in members), key=lambda pair: (by_name(pair[1]), pair[0]))
        result.append(Place(code, territory_name(code, language), tuple(named)))
    return tuple(result)
