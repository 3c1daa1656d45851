"""Config stage: `site.toml` -> a validated, immutable `SiteConfig`.

Every option is declared once below with what it means and the reader that checks its value (most of
them in `optionreaders`); every problem in the file is reported with its `site.toml:LINE:` before the
command gives up, never only the first.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlsplit

from .errors import BoardError, Problem
from .i18n import Interface, load_interface
from .optionreaders import (REQUIRED, Option, read_base_url, read_currency, read_day, read_exchange_rates, read_language,
                            read_min_hourly_rate, read_text, read_timezone, read_whole)
from .tomlread import TomlReader, shown, toml_problem

CONFIG_FILE = "site.toml"
# Both are used with fullmatch: `$` also matches before a final line break, and "acme\n" is no slug.
SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
GITHUB_HANDLE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}")


@dataclass(frozen=True)
class Category:
    key: str  # the URL segment and the value briefs give in `category:`
    title: str
    description: str


@dataclass(frozen=True)
class SiteConfig:
    """A board's settings, each field filled from the `site.toml` option that `OPTIONS` declares for it."""

    title: str
    description: str
    base_url: str
    language: str
    timezone: str
    per_page: int
    closing_soon_days: int
    feed_items: int
    min_hourly_rate: Mapping[str, Decimal]
    money_currency: str | None
    rates: Mapping[str, Decimal]
    rates_date: date | None
    board_maintainers: tuple[str, ...]
    categories: tuple[Category, ...]
    words: Interface = Interface("en")  # the interface in `language`: the theme's catalog and translations/

    @property
    def base_path(self) -> str:
        """The URL path the board lives under: '/' at a domain root, '/board/' under a sub-path."""
        return urlsplit(self.base_url).path

    def absolute(self, path: str) -> str:
        """The absolute URL of `path` under the board ("projects/x/" -> "https://example.org/board/projects/x/"):
        what feeds, the sitemap, calendars, JSON-LD and canonical links give, the one place such a URL is made."""
        return self.base_url + path

    def category(self, key: str) -> Category | None:
        return next((c for c in self.categories if c.key == key), None)


CATEGORY_KEYS = ["title", "description"]


def load_config(root: Path, base_url_override: str | None = None) -> SiteConfig:
    """Read and validate `site.toml` in `root`; raise BoardError listing every problem in it."""
    path = root / CONFIG_FILE
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise BoardError([Problem(CONFIG_FILE, 1, f"no {CONFIG_FILE} in {root}: is this a board's folder?")]) from None
    except UnicodeDecodeError:
        raise BoardError([Problem(CONFIG_FILE, 1, "the file is not UTF-8 text; save it as UTF-8")]) from None
    config = config_from_text(text, base_url_override)
    return dataclasses.replace(config, words=load_interface(root, config.language))


def config_from_text(text: str, base_url_override: str | None = None) -> SiteConfig:
    """Validate the text of a `site.toml` (from disk, or from another commit); raise BoardError listing every problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise BoardError([toml_problem(CONFIG_FILE, str(error))]) from None
    reader = TomlReader(CONFIG_FILE, text)
    config = _read_config(reader, data, base_url_override)
    if reader.problems:
        raise BoardError(reader.problems)
    return config


def _read_config(reader: TomlReader, data: dict[str, Any], base_url_override: str | None) -> SiteConfig:
    """Each option of `OPTIONS` read from `data` (its default when left out); every unknown key reported."""
    tables = [key for key in dict.fromkeys(option.key.partition(".")[0] for option in OPTIONS)]
    reader.reject_unknown(data, tables, "")
    values = {}
    for table in tables:
        if table in TABLES:
            if not isinstance(data.get(table, {}), dict):
                reader.problem(table, f"{table} must be a table ([{table}]), got {shown(data[table])}")
                data = {**data, table: {}}
            reader.reject_unknown(data.get(table, {}), TABLES[table], f"{table}.", f"[{table}]")
    for option in OPTIONS:
        table, _, name = option.key.rpartition(".")
        written = data.get(table, {}) if table else data
        value = base_url_override if option.key == "base_url" and base_url_override else written.get(name, option.default)
        values[option.field] = option.read(reader, option, value)
    if values["rates"] and not values["money_currency"]:
        reader.problem("money.rates", 'rates need the board\'s currency they convert into: add currency = "USD" (or another) under [money]')
    if values["rates"] and not values["rates_date"]:
        reader.problem("money.rates", "rates need the day they are from: add rates_date = YYYY-MM-DD under [money]")
    return SiteConfig(**values)


def _handles(reader: TomlReader, option: Option, value: Any) -> tuple[str, ...]:
    where = "board.maintainers"
    if not isinstance(value, list):
        reader.problem(where, f'board maintainers must be a list of GitHub handles, e.g. ["board-admin"], got {shown(value)}')
        return ()
    bad = [handle for handle in value if not (isinstance(handle, str) and GITHUB_HANDLE.fullmatch(handle))]
    for handle in bad:
        fix = f" (write {handle.lstrip('@')}, without the @)" if isinstance(handle, str) and handle.startswith("@") else ""
        reader.problem(where, f"board maintainers: {shown(handle)} is not a GitHub handle{fix}")
    return () if bad else tuple(value)


def _categories(reader: TomlReader, option: Option, table: Any) -> tuple[Category, ...]:
    if table is REQUIRED:
        table = {}
    elif not isinstance(table, dict):
        reader.problem("categories", f"categories must be a table ([categories]), got {shown(table)}")
        table = {}
    if not table:
        reader.problem("categories", "at least one category is needed: add a [categories.KEY] table with title and description")
    categories = []
    for key, fields in table.items():
        prefix = f"categories.{key}."
        if not SLUG_PATTERN.fullmatch(key):
            reader.problem(f"categories.{key}", f"category key '{key}' must be lowercase letters, digits and hyphens (it becomes a URL)")
        if not isinstance(fields, dict):
            reader.problem(f"categories.{key}", f"categories.{key} must be a table with title and description")
            continue
        reader.reject_unknown(fields, CATEGORY_KEYS, prefix, f"[categories.{key}]")
        categories.append(Category(key, reader.text(fields, "title", prefix), reader.text(fields, "description", prefix, default="")))
    return tuple(categories)


OPTIONS: tuple[Option, ...] = (
    Option("title", "title", "text", REQUIRED, "The board's name, shown in the header, page titles and feeds.",
           read_text, '"Micro-Internship Board"'),
    Option("description", "description", "text", REQUIRED, "One sentence for the home page's description meta tag and the feeds.",
           read_text, '"Short, paid, remote-friendly projects for students and career changers."'),
    Option("base_url", "base_url", "an http(s) URL", REQUIRED, 'Absolute URL the site is served from, ending in "/" '
           "(it may have a sub-path); feeds, the sitemap and canonical links use it.", read_base_url, '"https://example.org/board/"'),
    Option("language", "language", "a language code", "en", "Language of the pages (the HTML lang attribute), "
           'also used to format dates and money: "en", "de", "fr_CA".', read_language, '"en"'),
    Option("timezone", "timezone", "an IANA time zone", "UTC", 'Time zone in which "today" is taken to decide which '
           "projects are scheduled, open or closed.", read_timezone, '"UTC"'),
    Option("per_page", "per_page", "a whole number", 20, "Number of project cards on each page of a listing "
           "(home, categories, archive).", read_whole, "12", allowed=(1, 500)),
    Option("closing_soon_days", "closing_soon_days", "a whole number", 3, 'A project is marked "closing soon" '
           "in the last this-many days before its deadline.", read_whole, "3", allowed=(0, 60)),
    Option("feeds.items", "feed_items", "a whole number", 50, "Newest open projects in each RSS, Atom and JSON feed.",
           read_whole, "50", allowed=(1, 1000)),
    Option("policy.min_hourly_rate", "min_hourly_rate", "a table of ISO 4217 currency = amount", {},
           "Pay floor per hour in each currency; briefs may pay only in the currencies listed.", read_min_hourly_rate,
           "{ USD = 20, EUR = 18, GBP = 16 }"),
    Option("money.currency", "money_currency", "an ISO 4217 currency code", None, "The board's currency: with rates, pay in "
           'other currencies is shown beside its value in it ("≈ $540"), and sorted and filtered by that value.', read_currency, '"USD"'),
    Option("money.rates", "rates", "a table of ISO 4217 currency = rate", {}, "What 1 unit of each other currency is worth in "
           "the board's currency, e.g. { EUR = 1.05, INR = 0.012 }; `board check` warns when a currency briefs use has none.",
           read_exchange_rates, "{ }"),
    Option("money.rates_date", "rates_date", "a date", None, "The day the rates are from; `board check` warns when they are "
           "more than 60 days old.", read_day, "2026-12-01"),
    Option("board.maintainers", "board_maintainers", "a list of GitHub handles", [], "GitHub handles that may edit any brief.",
           _handles, '["board-admin"]'),
    Option("categories", "categories", "a [categories.KEY] table for each category", REQUIRED,
           "The board's categories, in the order the site lists them; KEY is the URL segment briefs give in `category:`.",
           _categories, '[categories.research]\ntitle = "Research"\ndescription = "Market, product and user research '
           'that helps a team decide what to do next."'),
)
# Tables whose keys are options (categories' keys are the board's own); what each may hold.
TABLES = {table: [o.key.partition(".")[2] for o in OPTIONS if o.key.startswith(table + ".")]
          for table in dict.fromkeys(o.key.partition(".")[0] for o in OPTIONS if "." in o.key)}


def commented_site_toml(examples: Mapping[str, str] | None = None) -> str:
    """A new board's `site.toml`: every option with its explanation, what it must be and its default,
    valued by `examples` (TOML by option key, e.g. {"title": '"Acme projects"'}) or the declared example."""
    examples = {**{o.key: o.example for o in OPTIONS}, **(examples or {})}
    lines = ["# Configuration of the board. `board check` validates this file along with the briefs."]
    table = ""
    for option in sorted(OPTIONS, key=lambda o: (o.key == "categories", "." in o.key)):  # plain keys, then tables
        place, _, name = option.key.rpartition(".")
        allowed = f" from {option.allowed[0]} to {option.allowed[1]}" if option.read is read_whole else ""
        needed = "required" if option.default is REQUIRED else "optional" if option.default is None else f"default {_toml(option.default)}"
        comment = [f"# {option.explanation}", f"# ({option.kind}{allowed}; {needed})"]
        if option.key == "categories":  # a table of tables: the comment, then the example tables
            lines += ["", *comment, examples[option.key]]
            continue
        if place != table:
            lines += ["", f"[{place}]"]
            table = place
        lines += [*([""] if not place else []), *comment, f"{name} = {examples[option.key]}"]
    return "\n".join(lines).rstrip() + "\n"


def _toml(value: Any) -> str:
    """A default as TOML writes it."""
    if isinstance(value, dict):
        return "{ }" if not value else "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"
    return "[]" if value == [] else shown(value)
