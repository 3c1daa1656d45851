"""Rules for text that comes from untrusted files: the characters no page, feed or message may carry,
the slugs made from names, and numbers written the one way every reader reads the same.

Every stage that reads or writes employer text uses these, so the check refuses what the build
could not write, and outputs stay clean even where the check was not run.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import unicodedata
from functools import lru_cache
from typing import Any

from slugify import slugify

# C0 and C1 controls (tab and line feed aside), DEL, lone surrogates, and Unicode's noncharacters
# (U+FDD0..U+FDEF and the last two code points of every plane): HTML, XML and JSON readers refuse or
# mangle them, a terminal obeys them, and an encoder to UTF-8 raises on a surrogate.
_FORBIDDEN = "\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef" + "".join(
    f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(17))
FORBIDDEN_CHARACTER = re.compile(f"[{_FORBIDDEN}]")
# The same, as one scan that is fast on long texts: a class naming code points above U+FFFF one by one
# makes `re` test each of them at every position (0.5 ms for a 12 KB page), while one range of every
# astral code point costs no more than the rest. What it finds above U+FFFF is then checked on its own.
_FORBIDDEN_OR_ASTRAL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff\U00010000-\U0010ffff]")
_FORBIDDEN_OR_LINE_BREAK = re.compile(f"[{_FORBIDDEN}\n\r\u2028\u2029]")

# Characters that show nothing yet change what a name is: zero-width spaces and joiners, the soft hyphen,
# the byte order mark, and the bidirectional controls that reorder what follows them. Refused in names
# and titles, where they make one company's name look like another's.
INVISIBLE_CHARACTER = re.compile("[\u00ad\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064"
                                 "\u2066-\u206f\u3164\ufeff\uffa0]")

# What a reader never sees either, though allowed in text (an emoji's variation selector): left out when
# names are compared, with the invisible characters above.
IGNORABLE_CHARACTER = re.compile(INVISIBLE_CHARACTER.pattern[:-1] + "\u034f\u2800\ufe00-\ufe0f\U000e0000-\U000e0fff]")

MAX_NAME_SLUG = 100  # characters in the web address made from a company or skill name (a file name too)
DIGITS = re.compile(r"[0-9]+")  # ASCII only: `\d` also takes ١٠ and ４５, which int() reads and people do not


def first_forbidden(text: str) -> re.Match[str] | None:
    """The first character of `text` no output may carry, or None."""
    if _FORBIDDEN_OR_ASTRAL.search(text) is None:  # nearly every text: one scan, no generator
        return None
    return next((m for m in _FORBIDDEN_OR_ASTRAL.finditer(text) if _is_forbidden(m.group())), None)


def _is_forbidden(character: str) -> bool:
    return character < "\U00010000" or (ord(character) & 0xFFFE) == 0xFFFE


def code_point(character: str) -> str:
    """How a message names a character: U+001B."""
    return f"U+{ord(character):04X}"


def printable(text: str) -> str:
    """`text` safe to print on one line in any encoding a terminal or log uses: every forbidden
    character and line break is written as its escape (\\u001b), so a message quoting hostile text
    can always be printed, and shows what is there."""
    return _FORBIDDEN_OR_LINE_BREAK.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def without_forbidden(text: str) -> str:
    """`text` with the characters no output may carry removed: the writers' last defence."""
    return _FORBIDDEN_OR_ASTRAL.sub(lambda m: "" if _is_forbidden(m.group()) else m.group(), text)


# How json.dumps writes the control characters no output may carry (all of them but tab and line feed).
_ESCAPED_FORBIDDEN = re.compile(r"\\(?:[bfr]|u00(?:0[0-8bcef]|1[0-9a-f]))")


def output_json(value: Any, **options: Any) -> str:
    """JSON for a page or feed, every text in it without the characters no output may carry (json.dumps
    would write a control character as an escape, which a reader turns back into the character).
    Almost every document holds none: it is written once and searched whole, and only a document with
    one (or a backslash that looks like its escape) is cleaned text by text and written again."""
    text = json.dumps(value, ensure_ascii=False, **options)
    if _ESCAPED_FORBIDDEN.search(text) or first_forbidden(text):
        text = json.dumps(_without_forbidden_anywhere(value), ensure_ascii=False, **options)
    return text


def _without_forbidden_anywhere(value: Any) -> Any:
    if isinstance(value, str):
        return without_forbidden(value)
    if isinstance(value, dict):
        return {_without_forbidden_anywhere(k): _without_forbidden_anywhere(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_without_forbidden_anywhere(item) for item in value]
    return value


@lru_cache(maxsize=4096)  # a board names the same skills and companies in brief after brief
def slug_of(name: str) -> str:
    """A URL slug for a skill or company name, keeping the signs that tell C from C# and C++."""
    return slugify(name, replacements=[["#", "sharp"], ["+", "plus"]]) or "x"


@lru_cache(maxsize=65536)  # a company's name is compared for each of its briefs: a board's history repeats few names
def same_name_key(name: str) -> str:
    """What a name reads as: two names with the same key look the same to a reader. NFKC folds width and
    compatibility forms (ＡＣＭＥ), invisible characters and case go, and each letter becomes its
    confusables prototype (Unicode's confusables.txt, through confusable_homoglyphs): Cyrillic а reads as a."""
    folded = IGNORABLE_CHARACTER.sub("", unicodedata.normalize("NFKC", name)).casefold()
    return " ".join("".join(_prototype(character) for character in folded).split())


@lru_cache(maxsize=4096)
def _prototype(character: str) -> str:
    """The one character of `character`'s look-alikes that stands for them all: an ASCII one if there is
    one, else the smallest code point."""
    from confusable_homoglyphs import confusables  # its table takes a while to load: only when names are compared

    found = confusables.is_confusable(character, greedy=True) or []
    family = {character} | {glyph["c"] for entry in found for glyph in entry["homoglyphs"]}
    family = {glyph for glyph in family if len(glyph) == 1}
    ascii_ones = sorted(glyph for glyph in family if glyph.isascii())
    return (ascii_ones or sorted(family))[0].casefold()


def unique_slugs(names: list[str]) -> dict[str, str]:
    """Slugs for names, one per name compared case-insensitively, collision-free and stable.

    Names that differ only in case share a slug. Distinct names whose slugs collide ("C.", "C") keep
    the plain slug for the alphabetically first and a suffix drawn from the name for the others, so
    adding a name never renames another name's page. A suffixed slug is never one another name makes
    ("c-fc287f" for "C." while a company calls itself "C-fc287f"): it grows until it is free."""
    distinct = dict.fromkeys(names)  # a board's history names its skills hundreds of thousands of times, a few thousand of them
    by_slug: dict[str, list[str]] = {}
    for name in sorted({n.casefold() for n in distinct}):
        by_slug.setdefault(slug_of(name), []).append(name)
    taken = set(by_slug)
    slugs = {}
    for slug, folded in by_slug.items():
        slugs[folded[0]] = slug
        for name in folded[1:]:
            digest = hashlib.sha1(name.encode()).hexdigest()
            candidates = itertools.chain((f"{slug}-{digest[:n]}" for n in range(6, len(digest) + 1)),
                                         (f"{slug}-{digest}-{n}" for n in itertools.count(2)))
            slugs[name] = next(candidate for candidate in candidates if candidate not in taken)
            taken.add(slugs[name])
    return {name: slugs[name.casefold()] for name in distinct}
