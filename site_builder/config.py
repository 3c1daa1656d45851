"""Config stage: `site.toml` -> a validated, immutable `SiteConfig`.

Every option is declared once below with what it means; every problem in the file is reported with
its `site.toml:LINE:` before the command gives up, never only the first.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import babel
import pycountry

from .errors import BoardError, Problem, unknown_key_message

CONFIG_FILE = "site.toml"
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
GITHUB_HANDLE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")


@dataclass(frozen=True)
class Category:
    key: str  # the URL segment and the value briefs give in `category:`
    title: str
    description: str


@dataclass(frozen=True)
class SiteConfig:
    title: str
    """The board's name: page titles, the header, feed titles."""
    description: str
    """One sentence for the home page, meta descriptions and feeds."""
    base_url: str
    """Absolute URL the board is served from, ending in '/'; may have a sub-path."""
    language: str
    """BCP 47 / Babel locale for `lang`, money and date formats ("en", "de", "fr_CA")."""
    timezone: str
    """IANA zone whose 'today' decides which projects are open."""
    per_page: int
    """Project cards per listing page."""
    closing_soon_days: int
    """An open project in its last N days carries a 'closing soon' badge."""
    feed_items: int
    """Newest open projects in each feed."""
    min_hourly_rate: Mapping[str, Decimal]
    """Pay floor per ISO 4217 currency; a currency not listed has no floor."""
    board_maintainers: tuple[str, ...]
    """GitHub handles that may edit any brief."""
    categories: tuple[Category, ...]
    """The board's categories, in the order the site lists them."""

    @property
    def base_path(self) -> str:
        """The URL path the board lives under: '/' at a domain root, '/board/' under a sub-path."""
        return urlsplit(self.base_url).path

    def category(self, key: str) -> Category | None:
        return next((c for c in self.categories if c.key == key), None)


TOP_LEVEL_KEYS = [
    "title", "description", "base_url", "language", "timezone", "per_page",
    "closing_soon_days", "feeds", "policy", "board", "categories",
]
TABLE_KEYS = {"feeds": ["items"], "policy": ["min_hourly_rate"], "board": ["maintainers"]}
CATEGORY_KEYS = ["title", "description"]


def key_lines(text: str) -> dict[str, int]:
    """Map each dotted key of a TOML document to the line it is written on (tomllib keeps no lines)."""
    lines: dict[str, int] = {}
    table = ""
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        header = re.match(r"^\[\[?\s*([^\]]+?)\s*\]\]?", line)
        if header:
            table = ".".join(part.strip().strip("\"'") for part in header.group(1).split("."))
            lines.setdefault(table, number)
            continue
        assignment = re.match(r"^([A-Za-z0-9_\-\"'. ]+?)\s*=", line)
        if assignment:
            key = ".".join(part.strip().strip("\"'") for part in assignment.group(1).split("."))
            lines.setdefault(f"{table}.{key}" if table else key, number)
    return lines


class _ConfigReader:
    """Reads one site.toml, collecting a Problem for every bad value instead of stopping."""

    def __init__(self, text: str):
        self.lines = key_lines(text)
        self.problems: list[Problem] = []

    def line_of(self, dotted: str) -> int:
        while dotted:
            if dotted in self.lines:
                return self.lines[dotted]
            dotted = dotted.rpartition(".")[0]
        return 1

    def problem(self, dotted: str, message: str) -> None:
        self.problems.append(Problem(CONFIG_FILE, self.line_of(dotted), message))

    def reject_unknown(self, table: Mapping[str, Any], known: list[str], prefix: str, place: str = "") -> None:
        for key in table:
            if key not in known:
                self.problem(f"{prefix}{key}", unknown_key_message("setting", key, known, place))

    def text(self, table: Mapping[str, Any], key: str, prefix: str, default: str | None = None) -> str:
        if key not in table:
            if default is None:
                self.problem(prefix + key, f"{prefix}{key} is required: add `{key} = \"…\"`")
            return default or ""
        value = table[key]
        if not isinstance(value, str) or not value.strip():
            self.problem(prefix + key, f"{prefix}{key} must be non-empty text in quotes, got {_shown(value)}")
            return ""
        return value.strip()

    def whole(self, table: Mapping[str, Any], key: str, prefix: str, default: int, low: int, high: int) -> int:
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.problem(prefix + key, f"{prefix}{key} must be a whole number from {low} to {high}, got {_shown(value)}")
            return default
        return value


def _shown(value: Any) -> str:
    """A value as the user wrote it in TOML, not as Python prints it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return str(value)


def load_config(root: Path, base_url_override: str | None = None) -> SiteConfig:
    """Read and validate `site.toml` in `root`; raise BoardError listing every problem in it."""
    path = root / CONFIG_FILE
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise BoardError([Problem(CONFIG_FILE, 1, f"no {CONFIG_FILE} in {root}: is this a board's folder?")]) from None
    except UnicodeDecodeError:
        raise BoardError([Problem(CONFIG_FILE, 1, "the file is not UTF-8 text; save it as UTF-8")]) from None
    return config_from_text(text, base_url_override)


def config_from_text(text: str, base_url_override: str | None = None) -> SiteConfig:
    """Validate the text of a `site.toml` (from disk, or from another commit); raise BoardError listing every problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise BoardError([_toml_problem(str(error))]) from None
    reader = _ConfigReader(text)
    config = _read_config(reader, data, base_url_override)
    if reader.problems:
        raise BoardError(reader.problems)
    return config


def _toml_problem(error: str) -> Problem:
    """tomllib's syntax error as our message: its line, its reason without Python reprs, and the usual fix."""
    found = re.search(r"\(at line (\d+)", error)
    reason = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", error)
    declared = re.match(r"Cannot declare \((.*)\) twice", reason)
    if declared:
        table = ".".join(re.findall(r"'([^']*)'", declared.group(1)))
        reason = f"the table [{table}] is written twice: merge the two into one"
    elif reason == "Cannot overwrite a value":
        reason = "this setting is already given above: keep one"
    elif reason == "Invalid value":
        reason = 'invalid value: text must be in quotes, like title = "My board"'
    elif reason == "Illegal character '\\n'":
        reason = 'a text in quotes must end on the same line (use """ for text over several lines)'
    return Problem(CONFIG_FILE, int(found.group(1)) if found else 1, f"not valid TOML: {reason}")


def _read_config(reader: _ConfigReader, data: dict[str, Any], base_url_override: str | None) -> SiteConfig:
    reader.reject_unknown(data, TOP_LEVEL_KEYS, "")
    tables: dict[str, Mapping[str, Any]] = {}
    for name in ("feeds", "policy", "board", "categories"):
        value = data.get(name, {})
        if not isinstance(value, dict):
            reader.problem(name, f"{name} must be a table ([{name}]), got {_shown(value)}")
            value = {}
        if name in TABLE_KEYS:
            reader.reject_unknown(value, TABLE_KEYS[name], f"{name}.", f"[{name}]")
        tables[name] = value
    return SiteConfig(
        title=reader.text(data, "title", ""),
        description=reader.text(data, "description", ""),
        base_url=_base_url(reader, base_url_override or data.get("base_url")),
        language=_language(reader, data.get("language", "en")),
        timezone=_timezone(reader, data.get("timezone", "UTC")),
        per_page=reader.whole(data, "per_page", "", 20, 1, 500),
        closing_soon_days=reader.whole(data, "closing_soon_days", "", 3, 0, 60),
        feed_items=reader.whole(tables["feeds"], "items", "feeds.", 50, 1, 1000),
        min_hourly_rate=_rates(reader, tables["policy"].get("min_hourly_rate", {})),
        board_maintainers=_handles(reader, tables["board"].get("maintainers", [])),
        categories=_categories(reader, tables["categories"]),
    )


def _base_url(reader: _ConfigReader, value: Any) -> str:
    if not isinstance(value, str):
        reader.problem("base_url", 'base_url is required: the absolute URL the board is served from, e.g. "https://example.org/board/"')
        return "https://example.org/"
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        reader.problem("base_url", f'base_url must be an absolute http(s) URL such as "https://example.org/board/", got "{value}"')
        return "https://example.org/"
    return value if value.endswith("/") else value + "/"


def _language(reader: _ConfigReader, value: Any) -> str:
    try:
        babel.Locale.parse(str(value).replace("-", "_"))
    except (ValueError, babel.UnknownLocaleError):
        reader.problem("language", f'language must be a language code such as "en" or "de", got {_shown(value)}')
        return "en"
    return str(value)


def _timezone(reader: _ConfigReader, value: Any) -> str:
    try:
        ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder of zones ("America"), a name too long
        reader.problem("timezone", f'timezone must be an IANA time zone such as "UTC" or "Europe/Berlin", got {_shown(value)}')
        return "UTC"
    return str(value)


def _rates(reader: _ConfigReader, value: Any) -> Mapping[str, Decimal]:
    where = "policy.min_hourly_rate"
    if not isinstance(value, dict):
        reader.problem(where, f"min_hourly_rate must be a table of currency = amount, e.g. {{ USD = 20 }}, got {_shown(value)}")
        return MappingProxyType({})
    rates = {}
    for currency, amount in value.items():
        # pycountry also finds "usd"; briefs must write USD, so a lowercase key here would be a floor never applied.
        if not re.fullmatch(r"[A-Z]{3}", currency) or pycountry.currencies.get(alpha_3=currency) is None:
            hint = f" (did you mean {currency.upper()}?)" if pycountry.currencies.get(alpha_3=currency.upper()) else ""
            reader.problem(f"{where}.{currency}", f"min_hourly_rate: '{currency}' is not an ISO 4217 currency code such as USD, EUR or GBP{hint}")
        elif isinstance(amount, bool) or not isinstance(amount, (int, float)) or not 0 <= amount < float("inf"):
            reader.problem(f"{where}.{currency}", f"min_hourly_rate: {currency} must be a number of zero or more, got {_shown(amount)}")
        else:
            rates[currency] = Decimal(str(amount))
    return MappingProxyType(dict(sorted(rates.items())))


def _handles(reader: _ConfigReader, value: Any) -> tuple[str, ...]:
    where = "board.maintainers"
    if not isinstance(value, list):
        reader.problem(where, f'board maintainers must be a list of GitHub handles, e.g. ["board-admin"], got {_shown(value)}')
        return ()
    bad = [handle for handle in value if not (isinstance(handle, str) and GITHUB_HANDLE.match(handle))]
    for handle in bad:
        fix = f" (write {handle.lstrip('@')}, without the @)" if isinstance(handle, str) and handle.startswith("@") else ""
        reader.problem(where, f"board maintainers: {_shown(handle)} is not a GitHub handle{fix}")
    return () if bad else tuple(value)


def _categories(reader: _ConfigReader, table: Mapping[str, Any]) -> tuple[Category, ...]:
    if not table:
        reader.problem("categories", "at least one category is needed: add a [categories.KEY] table with title and description")
    categories = []
    for key, fields in table.items():
        prefix = f"categories.{key}."
        if not SLUG_PATTERN.match(key):
            reader.problem(f"categories.{key}", f"category key '{key}' must be lowercase letters, digits and hyphens (it becomes a URL)")
        if not isinstance(fields, dict):
            reader.problem(f"categories.{key}", f"categories.{key} must be a table with title and description")
            continue
        reader.reject_unknown(fields, CATEGORY_KEYS, prefix, f"[categories.{key}]")
        categories.append(Category(key, reader.text(fields, "title", prefix), reader.text(fields, "description", prefix, default="")))
    return tuple(categories)
