"""Archive months taken whole: what lets a rebuild cost what the live board costs, not its history.

A month that is over holds only closed projects, and they change only when their files do. So a build
keeps each such month in one part (`MonthPart`, in `.cache/months/`): its briefs, and what the rest of the
board needs of them without them: the names it spells, its share of each group, its counts, the digest of
each of its projects. A rebuild takes a part whole while its files keep their stats (briefstate.py): no
brief of it is read, placed or planned one by one. Its projects are made only where a page that shows
them renders, through the sequences below, which the model hands out where it hands out tuples.
"""

from __future__ import annotations

import bisect
import functools
import itertools
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from operator import attrgetter
from typing import Any, TypeVar, overload

from .brief import Brief, Company
from .content import Identity
from .contentfiles import PROJECTS_DIR

T = TypeVar("T")

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
    token: str  # the hash of its rest: what the months' sums were summed from

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

    def without(self, gone: Sequence[HeldMonth]) -> Held:
        """These months but `gone`, which are placed one by one."""
        months = tuple(month for month in self.months if month not in gone)
        return Held(months, self.summed([month.part for month in months]), self.summed) if gone else self


class Lazy(Sequence[T]):
    """A sequence that makes its items only when they are read, and knows their digests without them."""

    def __digests__(self, digest_of: Callable[[T], bytes]) -> bytes:
        """The items' digests, joined as fingerprint.Digester writes them for a tuple of the items (`digest_of`
        makes one of an item made now)."""
        raise NotImplementedError


class MonthProjects(Lazy[T]):
    """A month's projects, by slug, made on first read (in whichever process reads them)."""

    def __init__(self, part: MonthPart, make: Callable[[], tuple[T, ...]]) -> None:
        self.part, self.name, self._make = part, part.name, make

    @functools.cached_property
    def made(self) -> tuple[T, ...]:
        return self._make()

    @property
    def pages(self) -> list[str]:
        """Each project's page, without making the projects."""
        return [f"projects/{slug}/index.html" for slug in self.part.slugs]

    def __len__(self) -> int:
        return len(self.part.slugs)

    def __iter__(self) -> Iterator[T]:
        return iter(self.made)

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[T]: ...

    def __getitem__(self, index: int | slice) -> T | Sequence[T]:
        return Picked(self, tuple(range(len(self)))[index]) if isinstance(index, slice) else self.made[index]

    def __digests__(self, digest_of: Callable[[T], bytes]) -> bytes:
        return b"".join(self.part.digests)


class Picked(Lazy[T]):
    """Some projects of a month, in a given order (a group's, the archive's)."""

    def __init__(self, month: MonthProjects[T], indices: tuple[int, ...]) -> None:
        self.month, self.indices = month, indices

    def __len__(self) -> int:
        return len(self.indices)

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[T]: ...

    def __getitem__(self, index: int | slice) -> T | Sequence[T]:
        if isinstance(index, slice):
            return Picked(self.month, self.indices[index])
        return self.month.made[self.indices[index]]

    def __iter__(self) -> Iterator[T]:
        made = self.month.made
        return (made[i] for i in self.indices)

    def __digests__(self, digest_of: Callable[[T], bytes]) -> bytes:
        return b"".join(map(self.month.part.digests.__getitem__, self.indices))


class Chain(Lazy[T]):
    """Sequences one after another: projects made now, then months taken whole."""

    def __init__(self, pieces: Sequence[Sequence[T]]) -> None:
        self.pieces = tuple(piece for piece in pieces if len(piece))
        self._starts = tuple(itertools.accumulate(map(len, self.pieces), initial=0))  # where each piece starts, then the end

    def __len__(self) -> int:
        return self._starts[-1]

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[T]: ...

    def __getitem__(self, index: int | slice) -> T | Sequence[T]:
        starts = self._starts
        if not isinstance(index, slice):
            position = index + starts[-1] if index < 0 else index
            if not 0 <= position < starts[-1]:
                raise IndexError(index)
            piece = bisect.bisect_right(starts, position) - 1
            return self.pieces[piece][position - starts[piece]]
        start, stop, step = index.indices(starts[-1])
        if step != 1:
            return tuple(self)[index]
        pieces, piece = [], bisect.bisect_right(starts, start) - 1
        while piece < len(self.pieces) and starts[piece] < stop:
            pieces.append(self.pieces[piece][max(start - starts[piece], 0):stop - starts[piece]])
            piece += 1
        return chained(pieces)

    def __iter__(self) -> Iterator[T]:
        for piece in self.pieces:
            yield from piece

    def __digests__(self, digest_of: Callable[[T], bytes]) -> bytes:
        return b"".join(piece.__digests__(digest_of) if isinstance(piece, Lazy) else b"".join(map(digest_of, piece)) for piece in self.pieces)


def chained(pieces: Sequence[Sequence[T]]) -> Sequence[T]:
    """The pieces one after another: a tuple when none is a month taken whole."""
    if not any(isinstance(piece, Lazy) for piece in pieces):
        return tuple(item for piece in pieces for item in piece)
    return Chain(pieces)


def by_month(made: tuple[T, ...], months: Mapping[str, Sequence[T]], closed_in: Callable[[T], str]) -> Sequence[T]:
    """Closed projects, most recently closed first: those made now (`made`, in that order, `closed_in` giving
    each one's month) and the months taken whole (by name), which hold none of them."""
    if not months:
        return made
    pieces: list[Sequence[T]] = []
    start = 0
    for name in sorted(months, reverse=True):
        end = start
        while end < len(made) and closed_in(made[end]) > name:
            end += 1
        pieces += [made[start:end], months[name]]
        start = end
    return Chain([*pieces, made[start:]])


def tally(name: str, made: Sequence[Any], sums: MonthSums) -> Counter[Any]:
    """`TALLIES[name]` of every project: those made now, counted, and those of the months taken whole, as summed."""
    return Counter(map(TALLIES[name], made)) + sums.tallies[name]
