"""What a `site.toml` option is (`Option`), and the readers that check each kind of value one may hold.

Its own module because these readers know nothing of a board: a text, a whole number in a range, a URL,
a language, a time zone, currencies, a date. `config` declares the board's options with them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Callable, Mapping
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import babel
import pycountry

from .tomlread import TomlReader, shown

REQUIRED: Any = type("Required", (), {"__repr__": lambda self: "REQUIRED"})()  # the default of an option that must be given


@dataclass(frozen=True)
class Option:
    """One `site.toml` option, declared once: the reader, the checks and a new board's commented `site.toml` come from it."""

    key: str  # as written in site.toml, dotted when it sits in a table: "feeds.items" is `items` under [feeds]
    field: str  # the SiteConfig field it fills
    kind: str  # what the value must be, in the words of the commented site.toml
    default: Any  # the value when the option is left out, or REQUIRED
    explanation: str  # what it means, one sentence for the commented site.toml
    read: Callable[[TomlReader, Option, Any], Any]  # validates the value as written, reporting each problem
    example: str  # the TOML a new board's site.toml writes for it
    allowed: tuple[int, int] = (0, 0)  # the range of a whole number


def read_text(reader: TomlReader, option: Option, value: Any) -> str:
    return reader.text({} if value is REQUIRED else {option.key: value}, option.key, "")


def read_whole(reader: TomlReader, option: Option, value: Any) -> int:
    low, high = option.allowed
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        reader.problem(option.key, f"{option.key} must be a whole number from {low} to {high}, got {shown(value)}")
        return option.default
    return value


def read_base_url(reader: TomlReader, option: Option, value: Any) -> str:
    if not isinstance(value, str):
        reader.problem("base_url", 'base_url is required: the absolute URL the board is served from, e.g. "https://example.org/board/"')
        return "https://example.org/"
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        reader.problem("base_url", f'base_url must be an absolute http(s) URL such as "https://example.org/board/", got "{value}"')
        return "https://example.org/"
    return value if value.endswith("/") else value + "/"


def read_language(reader: TomlReader, option: Option, value: Any) -> str:
    try:
        babel.Locale.parse(str(value).replace("-", "_"))
    except (ValueError, babel.UnknownLocaleError):
        reader.problem("language", f'language must be a language code such as "en" or "de", got {shown(value)}')
        return "en"
    return str(value)


def read_timezone(reader: TomlReader, option: Option, value: Any) -> str:
    try:
        ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder of zones ("America"), a name too long
        reader.problem("timezone", f'timezone must be an IANA time zone such as "UTC" or "Europe/Berlin", got {shown(value)}')
        return "UTC"
    return str(value)


def read_min_hourly_rate(reader: TomlReader, option: Option, value: Any) -> Mapping[str, Decimal]:
    return _currency_table(reader, option.key, value, "min_hourly_rate", "currency = amount, e.g. { USD = 20 }", "USD, EUR or GBP",
                           "a number of zero or more", lambda amount: 0 <= amount < float("inf"))


def read_currency(reader: TomlReader, option: Option, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not re.fullmatch(r"[A-Z]{3}", value) or pycountry.currencies.get(alpha_3=value) is None:
        hint = f" (did you mean {value.upper()}?)" if isinstance(value, str) and pycountry.currencies.get(alpha_3=value.upper()) else ""
        reader.problem(option.key, f'{option.key} must be an ISO 4217 currency code in quotes, such as "USD", got {shown(value)}{hint}')
        return None
    return value


def read_exchange_rates(reader: TomlReader, option: Option, value: Any) -> Mapping[str, Decimal]:
    """What one unit of each currency is worth in the board's currency: { EUR = 1.05, INR = 0.012 }."""
    return _currency_table(reader, option.key, value, "rates", "currency = rate, e.g. { EUR = 1.05, INR = 0.012 }", "EUR or INR",
                           "a number above zero (what 1 {currency} is worth)", lambda amount: 0 < amount < float("inf"))


def _currency_table(reader: TomlReader, where: str, value: Any, name: str, example: str, codes: str, number: str,
                    accepts: Callable[[float], bool]) -> Mapping[str, Decimal]:
    """A table of ISO 4217 currency = number, each problem reported on its own key."""
    if not isinstance(value, dict):
        reader.problem(where, f"{name} must be a table of {example}, got {shown(value)}")
        return MappingProxyType({})
    table = {}
    for currency, amount in value.items():
        # pycountry also finds "usd"; briefs must write USD, so a lowercase key here would never apply.
        if not re.fullmatch(r"[A-Z]{3}", currency) or pycountry.currencies.get(alpha_3=currency) is None:
            hint = f" (did you mean {currency.upper()}?)" if pycountry.currencies.get(alpha_3=currency.upper()) else ""
            reader.problem(f"{where}.{currency}", f"{name}: '{currency}' is not an ISO 4217 currency code such as {codes}{hint}")
        elif isinstance(amount, bool) or not isinstance(amount, (int, float)) or not accepts(amount):
            reader.problem(f"{where}.{currency}", f"{name}: {currency} must be {number.format(currency=currency)}, got {shown(amount)}")
        else:
            table[currency] = Decimal(str(amount))
    return MappingProxyType(dict(sorted(table.items())))


def read_day(reader: TomlReader, option: Option, value: Any) -> date | None:
    if value is None:
        return None
    if not isinstance(value, date) or hasattr(value, "hour"):
        reader.problem(option.key, f"{option.key} must be a date written YYYY-MM-DD, without quotes, got {shown(value)}")
        return None
    return value
