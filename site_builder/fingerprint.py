"""Fingerprints: a short hash of everything an output or cache entry is made from.

A fingerprint writes each part with its length, and `Digester` each value with its type, so no two
different inputs hash alike. What goes into which fingerprint is decided in `buildstate`.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import operator
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from types import ModuleType
from typing import Any

from . import __version__

FORMAT = 6  # bump when the layout of the cache files changes
_PACKAGE = Path(__file__).parent


def digest_of(*parts: bytes) -> str:
    digest = hashlib.blake2b(digest_size=20)
    _write(digest.update, parts)
    return digest.hexdigest()


def _write(update: Callable[[bytes], None], parts: Sequence[str | bytes]) -> None:
    """Each part after its length, so that no two lists of parts write the same bytes."""
    for part in parts:
        if type(part) is str:
            part = part.encode()
        update(len(part).to_bytes(8, "little"))
        update(part)


def code_fingerprint() -> str:
    """The generator itself: a new version or a local change to its code invalidates everything."""
    sources = sorted(_PACKAGE.rglob("*.py"))
    return digest_of(__version__.encode(), str(FORMAT).encode(), *(p.relative_to(_PACKAGE).as_posix().encode() + p.read_bytes() for p in sources))


def sources_fingerprint(*modules: ModuleType) -> str:
    """Some of the generator's modules, for what is made by their code alone, and kept across versions
    that leave them as they are."""
    return digest_of(str(FORMAT).encode(), *(Path(str(module.__file__)).read_bytes() for module in modules))


def entry_key(fingerprint: str, *parts: str | bytes) -> str:
    return keyed(fingerprint)(*parts)


def keyed(fingerprint: str) -> Callable[..., str]:
    """`entry_key` under one fingerprint, which is hashed once (written as `digest_of` writes its parts): the
    keys of a board's briefs, their bodies and their projects' pages are 100,000 each, and feeding the
    fingerprint again was a third of each key's time (1.39 us a key, 0.91 us under `keyed`)."""
    start = hashlib.blake2b(digest_size=20)
    _write(start.update, (fingerprint,))
    fresh = start.copy

    def key(*parts: str | bytes) -> str:
        digest = fresh()
        _write(digest.update, parts)
        return digest.hexdigest()
    return key


class Digester:
    """A hash of any value a layout can see: dataclasses, tuples, mappings and plain values.

    Dataclass instances are hashed once per build and remembered by identity, so a project shown on
    forty listing pages costs one hash, not forty. Callables count by name: their code is in the code
    fingerprint. Every value is written into the hash with its type and length, so no two different
    values write the same bytes."""

    def __init__(self, known: Mapping[int, tuple[str, Any]] | None = None) -> None:
        """`known`: digests already at hand, by id() of the object (a brief's is its cache key), with the object."""
        # Each digest kept by id(), as a containing hash writes it ("o" and the digest), so a tuple of hashed
        # objects is written in one join; the digests alone, so a group's 10,000 projects are looked up with one
        # step less, and the objects kept alive beside them, so that no id is taken by another object meanwhile.
        self._memo: dict[int, bytes] = {key: b"o" + digest.encode() for key, (digest, _) in (known or {}).items()}
        self._alive: list[Any] = [value for _, value in (known or {}).values()]

    def forget(self) -> None:
        """Let go of every digest remembered (and of the objects kept alive for them)."""
        self._memo.clear()
        self._alive.clear()

    def __call__(self, value: Any) -> str:
        digest = hashlib.blake2b(digest_size=20)
        self._feed(digest, value)
        return digest.hexdigest()

    def known(self, value: Any) -> bytes | None:
        """The digest of an object hashed, given or remembered before, as a hash containing it writes it; else None."""
        return self._memo.get(id(value))

    def of(self, value: Any) -> bytes:
        """The digest of a dataclass instance, as a hash containing it writes it: remembered, else made now."""
        return self._object(value)

    def digests(self, values: Sequence[Any]) -> list[bytes]:
        """The digest of each dataclass instance of `values`, in the form a hash containing it writes it; each is remembered."""
        return [self._object(value) for value in values]

    def remember(self, values: Sequence[Any], digests: list[bytes]) -> None:
        """Take `digests` as those of `values`: `digests(values)` of a Digester that knew what this one knows
        (in a process forked from this one)."""
        self._memo.update(zip(map(id, values), digests, strict=True))
        self._alive += values

    def _object(self, value: Any) -> bytes:
        memo = self._memo
        known = memo.get(id(value))
        if known is None:
            digest = hashlib.blake2b(type(value).__qualname__.encode(), digest_size=20)
            update = digest.update
            for item in _field_values(type(value))(value):
                kind = type(item)
                if kind is str:  # most fields: written here as _feed would, without the call
                    data = item.encode()
                    update(b"s%d:" % len(data))
                    update(data)
                elif kind in _PLAIN:
                    update(b"v%s:" % repr(item).encode())
                elif (seen := memo.get(id(item))) is not None:  # an object hashed before (a project's brief), as _feed would
                    update(seen)
                else:
                    self._feed(digest, item)
            known = memo[id(value)] = b"o" + digest.hexdigest().encode()
            self._alive.append(value)  # kept alive: ids stay unique
        return known

    def _feed(self, digest: Any, value: Any) -> None:
        kind = type(value)
        if kind is str:
            data = value.encode()
            digest.update(b"s%d:" % len(data))
            digest.update(data)
        elif kind in _PLAIN:
            digest.update(b"v%s:" % repr(value).encode())
        elif _dataclass_fields(kind) is not None:
            digest.update(self._object(value))
        elif isinstance(value, Enum):
            digest.update(_enum_bytes(value))
        elif isinstance(value, (tuple, list)):
            digest.update(b"t%d:" % len(value))
            known = list(map(self._memo.get, map(id, value)))  # the objects hashed before (the projects of a listing)
            if None not in known:  # all of them, as most tuples are: a group's 10,000 projects in one join
                digest.update(b"".join(known))  # type: ignore[arg-type]  # none is None
                return
            for item, seen in zip(value, known):
                if seen is not None:
                    digest.update(seen)
                else:
                    self._feed(digest, item)
        elif (lazy := getattr(kind, "__digests__", None)) is not None:  # projects made only when read (months.py): as a tuple
            digest.update(b"t%d:" % len(value))
            digest.update(lazy(value, self._object))
        elif callable(value) and not isinstance(value, Mapping):  # asked first: an ABC's isinstance is the slower test
            digest.update(b"c%s:" % getattr(value, "__qualname__", kind.__qualname__).encode())
        elif isinstance(value, Mapping):
            digest.update(b"m%d:" % len(value))
            for key, item in value.items():
                self._feed(digest, key)
                self._feed(digest, item)
        else:
            digest.update(b"r%s:" % repr(value).encode())


_PLAIN = {int, float, bool, type(None), Decimal, date, datetime}


@functools.cache
def _enum_bytes(value: Enum) -> bytes:
    return b"e%s:" % repr((type(value).__qualname__, value.value)).encode()


@functools.cache
def _dataclass_fields(kind: type) -> tuple[str, ...] | None:
    return tuple(f.name for f in dataclasses.fields(kind)) if dataclasses.is_dataclass(kind) else None


@functools.cache
def _field_values(kind: type) -> Callable[[Any], tuple[Any, ...]]:
    """A dataclass's field values in one call, in the order of its fields (every project's 11, 100,000 times)."""
    names = _dataclass_fields(kind) or ()
    return operator.attrgetter(*names) if len(names) > 1 else lambda value: tuple(getattr(value, name) for name in names)


def markdown_key(body: str, summary: str | None) -> str:
    """A hash of a body's Markdown and summary: what its rendered HTML is made from, besides the markup stage."""
    return digest_of(body.encode(), b"\0" if summary is None else b"\1" + summary.encode())


def bytes_digest(data: bytes) -> str:
    return digest_of(data)
