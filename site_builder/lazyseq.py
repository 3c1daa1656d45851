"""Sequences of projects made only when read, which the model hands out where it hands out tuples: an archive
month's projects, taken whole (months.py), and the groups and the archive they join with the projects made now.
Each knows its items' digests without them, so a page that lists them is fingerprinted without them."""

from __future__ import annotations

import bisect
import functools
import itertools
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Generic, TypeVar, overload

from .months import MonthPart

T = TypeVar("T")


class Lazy(Sequence[T]):
    """A sequence that makes its items only when they are read, and knows their digests without them."""

    def __digests__(self, digest_of: Callable[[T], bytes]) -> bytes:
        """The items' digests, joined as fingerprint.Digester writes them for a tuple of the items (`digest_of`
        makes one of an item made now)."""
        raise NotImplementedError

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[T]: ...

    def __getitem__(self, index: int | slice) -> T | Sequence[T]:
        return self._slice(index) if isinstance(index, slice) else self._item(index)

    def _item(self, index: int) -> T:
        raise NotImplementedError

    def _slice(self, index: slice) -> Sequence[T]:
        raise NotImplementedError


def digests(projects: Sequence[T], digest_of: Callable[[T], bytes]) -> bytes:
    """`Lazy.__digests__` of any sequence: of a tuple, each item's."""
    return projects.__digests__(digest_of) if isinstance(projects, Lazy) else b"".join(map(digest_of, projects))


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

    def _item(self, index: int) -> T:
        return self.made[index]

    def _slice(self, index: slice) -> Sequence[T]:
        return Picked(self, tuple(range(len(self)))[index])

    def __digests__(self, digest_of: Callable[[T], bytes]) -> bytes:
        return b"".join(self.part.digests)


class Picked(Lazy[T]):
    """Some projects of a month, in a given order (a group's, the archive's)."""

    def __init__(self, month: MonthProjects[T], indices: tuple[int, ...]) -> None:
        self.month, self.indices = month, indices

    def __len__(self) -> int:
        return len(self.indices)

    def _item(self, index: int) -> T:
        return self.month.made[self.indices[index]]

    def _slice(self, index: slice) -> Sequence[T]:
        return Picked(self.month, self.indices[index])

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

    def _item(self, index: int) -> T:
        starts = self._starts
        position = index + starts[-1] if index < 0 else index
        if not 0 <= position < starts[-1]:
            raise IndexError(index)
        piece = bisect.bisect_right(starts, position) - 1
        return self.pieces[piece][position - starts[piece]]

    def _slice(self, index: slice) -> Sequence[T]:
        starts = self._starts
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
        return b"".join(digests(piece, digest_of) for piece in self.pieces)


class Shares(Generic[T]):
    """Each group's share of each month taken whole, found in one pass over the months when first asked for."""

    def __init__(self, months: Sequence[MonthProjects[T]]) -> None:
        self._months = months

    @functools.cached_property
    def _by_group(self) -> dict[tuple[str, str], dict[str, Picked[T]]]:
        shares: defaultdict[tuple[str, str], dict[str, Picked[T]]] = defaultdict(dict)
        for month in self._months:
            for group, members in month.part.groups.items():
                shares[group][month.name] = Picked(month, members)
        return shares

    def of(self, group: tuple[str, str]) -> dict[str, Picked[T]]:
        return self._by_group.get(group, {})


class Past(Lazy[T]):
    """A group's closed projects: those made now, then each month's share, put together when first read
    (a board's history has thousands of groups, and every month has a share of most of them)."""

    def __init__(self, made: tuple[T, ...], shares: Shares[T], group: tuple[str, str], closed_in: Callable[[T], str]) -> None:
        self._made, self._shares, self._group, self._closed_in = made, shares, group, closed_in

    @functools.cached_property
    def _projects(self) -> Sequence[T]:
        return by_month(self._made, self._shares.of(self._group), self._closed_in)

    def __len__(self) -> int:
        return len(self._projects)

    def _item(self, index: int) -> T:
        return self._projects[index]

    def _slice(self, index: slice) -> Sequence[T]:
        return self._projects[index]

    def __iter__(self) -> Iterator[T]:
        return iter(self._projects)

    def __digests__(self, digest_of: Callable[[T], bytes]) -> bytes:
        return digests(self._projects, digest_of)


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
