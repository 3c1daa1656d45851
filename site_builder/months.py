"""Archive months taken whole: what lets a rebuild cost what the live board costs, not its history.

A month that is over holds only closed projects, and they change only when their files do. So a build
keeps each such month in one part (`MonthPart`, in `.cache/months/`): its briefs, and what the rest of the
board needs of them without them: the names it spells, its share of each group, its counts, the digest of
each of its projects. A rebuild takes a part whole while its files hold the bytes they held (told by their
stats, briefstate.py): no brief of it is read, placed or planned one by one. Its projects are made only where
a page that shows them renders, through lazyseq.py's sequences, which the model hands out for tuples.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from operator import attrgetter
from typing import Any

from .brief import Brief, Company
from .content import Identity
from .contentfiles import PROJECTS_DIR

# What a month counts of its projects, for the pages that count the whole board's: the search page's panel
# and whether pay sorts (facets.py), the countries a brief names (model.py). Read in C, by attribute path.
TALLIES = {
    "currency": attrgetter("brief.compensation.currency"),
    "countries": attrgetter("brief.countries"),
    "pay": attrgetter("brief.compensation.amount", "brief.compensation.currency", "brief.compensation.type", "brief.hours"),
}


@functools.cache
def month_name(year: int, month: int) -> str:
    """"YYYY-MM", named once per month (formatting a date for each of 100,000 projects took 0.3 s)."""
    return f"{date(year, month, 1):%Y-%m}"


def month_of(day: date) -> str:
    return month_name(day.year, day.month)


@dataclass(frozen=True)
class MonthSums:
    """What the board counts of some archive months' projects, summed: one month's, or all those a build takes
    whole (kept summed, monthstore.py: one small table where summing 170 months took a third of a second)."""

    spellings: Counter[str]  # how many projects spell each skill name so
    latest: Mapping[str, tuple[date, str, Company]]  # company name -> its latest brief's posted date, slug and company
    identities: Mapping[str, Identity]  # each company's identity, by `same_name_key` (content.company_problems)
    tallies: Mapping[str, Counter[Any]]  # TALLIES of the projects

    def __add__(self, other: MonthSums) -> MonthSums:
        latest = dict(self.latest)
        for name, mine in other.latest.items():
            if name not in latest or mine[:2] > latest[name][:2]:
                latest[name] = mine
        identities = dict(self.identities)
        for key, identity in other.identities.items():
            identities[key] = identities[key] | identity if key in identities else identity
        return MonthSums(self.spellings + other.spellings, latest, identities,
                         {name: self.tallies.get(name, Counter()) + other.tallies.get(name, Counter()) for name in TALLIES})


NO_SUMS = MonthSums(Counter(), {}, {}, {name: Counter() for name in TALLIES})


@dataclass(frozen=True)
class MonthPart:
    """An archive month as a build left it: what every rebuild reads of it (the rest, `MonthRest`, is read only
    when the month does not hold or its projects are made)."""

    name: str  # "YYYY-MM": the month its projects' applications ended in
    settings: str  # what its briefs' keys were made under: the settings and the code (briefstate.py)
    body_code: str  # what its bodies were rendered by
    slugs: tuple[str, ...]  # its projects, by slug (a brief's file is named by its slug)
    stats: tuple[tuple[int, int, int], ...]  # each brief file's size, time and inode when it was read
    body_keys: tuple[str, ...]  # each body's key: its HTML stays in the cache while the part is taken
    order: tuple[int, ...]  # its projects most recently closed first (positions in `slugs`)
    digests: tuple[bytes, ...]  # each project's digest, as a hash containing it writes it (fingerprint.Digester)
    changed: tuple[datetime | None, ...]  # each brief's last commit time, as the model took it
    skill_slugs: Mapping[str, str]  # the slug of each skill name it spells, as the model gave it
    company_slugs: Mapping[str, str]  # the slug of each company name
    groups: Mapping[tuple[str, str], tuple[int, ...]]  # ("skill" | "company" | "category", key) -> members, most recently closed first
    logos: frozenset[str]  # the logo files its briefs name
    token: str  # the hash of its briefs' keys, so of its rest: what the months' sums were summed from

    @property
    def files(self) -> list[str]:
        """Its briefs' files, from the board's root."""
        return [f"{PROJECTS_DIR.as_posix()}/{slug}.md" for slug in self.slugs]


@dataclass(frozen=True)
class MonthRest:
    """The rest of an archive month: what its briefs are made of, and its sums."""

    file_digests: tuple[str, ...]  # the hash of each brief file's bytes, in the order of the part's `slugs`
    keys: tuple[str, ...]  # each brief's key (its bytes, the settings, the code)
    markdowns: tuple[str, ...]  # each brief's `markdown_key`
    sums: MonthSums
    briefs: list[tuple[Brief, str]]  # each brief without its Markdown, and its summary


@dataclass(frozen=True)
class HeldMonth:
    """A part taken whole by the load, with how its briefs and bodies are made should the model need them."""

    part: MonthPart
    unpack: Callable[[], tuple[list[Brief], dict[str, Any]]]  # its briefs, and each one's body and summary by slug


@dataclass(frozen=True)
class Held:
    """The archive months a load takes whole, and their sums (`summed` sums others, monthstore.py)."""

    months: tuple[HeldMonth, ...] = ()
    sums: MonthSums = NO_SUMS
    summed: Callable[[Sequence[MonthPart]], MonthSums] = lambda parts: NO_SUMS

    def as_placed(self, skill_slugs: Mapping[str, str], company_slugs: Mapping[str, str],
                  changed: Mapping[str, datetime]) -> tuple[Held, list[Brief], dict[str, Any]]:
        """These months but those placed otherwise now (a name's slug or a brief's commit time moved), and the
        briefs and bodies of those, to be placed one by one."""
        return self.apart([month for month in self.months if not (
            month.part.skill_slugs.items() <= skill_slugs.items() and month.part.company_slugs.items() <= company_slugs.items()
            and tuple(map(changed.get, month.part.slugs)) == month.part.changed)])

    def apart(self, gone: Sequence[HeldMonth]) -> tuple[Held, list[Brief], dict[str, Any]]:
        """These months but `gone`, and the briefs and bodies of those, to be read one by one."""
        if not gone:
            return self, [], {}
        months = tuple(month for month in self.months if month not in gone)
        briefs: list[Brief] = []
        bodies: dict[str, Any] = {}
        for month in gone:
            unpacked, their_bodies = month.unpack()
            briefs += unpacked
            bodies |= their_bodies
        return Held(months, self.summed([month.part for month in months]), self.summed), briefs, bodies


def tally(name: str, made: Sequence[Any], sums: MonthSums) -> Counter[Any]:
    """`TALLIES[name]` of every project: those made now, counted, and those of the months taken whole, as summed."""
    return Counter(map(TALLIES[name], made)) + sums.tallies[name]
