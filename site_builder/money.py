"""Pay compared across currencies: amounts converted into the board's currency at the rates of `[money]`.

Without rates the board never compares amounts in different currencies: a pay sort is offered only where
every project's pay converts (or all are in one currency), and pay bands stay in each brief's currency.
Rates age: `board check` warns when they are old, or when briefs pay in a currency that has none.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from .config import CONFIG_FILE, SiteConfig
from .errors import Problem
from .tomlread import key_lines

STALE_AFTER_DAYS = 60


def rate(config: SiteConfig, currency: str) -> Decimal | None:
    """What one unit of `currency` is worth in the board's currency; None when the board cannot tell."""
    if config.money_currency is None:
        return None
    return Decimal(1) if currency == config.money_currency else config.rates.get(currency)


def converted(config: SiteConfig, amount: Decimal, currency: str) -> Decimal | None:
    """`amount` of `currency` in the board's currency, or None when there is no rate for it."""
    unit = rate(config, currency)
    return None if unit is None else amount * unit


def comparable(config: SiteConfig, currencies: Iterable[str]) -> bool:
    """Whether pay in these currencies can be put in one order: all one currency, or every one converts."""
    currencies = set(currencies)
    return len(currencies) <= 1 or all(rate(config, currency) is not None for currency in currencies)


def in_board_currency(config: SiteConfig, amount: Decimal, currency: str) -> Decimal:
    """A sort key: the converted amount where the pay converts, the amount itself where all pay is in one currency."""
    value = converted(config, amount, currency)
    return amount if value is None else value


def money_warnings(config: SiteConfig, config_text: str, currencies: Iterable[str], today: date) -> list[Problem]:
    """What `board check` warns about the rates of a board that has some: too old for the build date, or
    missing for a currency briefs pay in."""
    if config.money_currency is None or not config.rates:
        return []
    lines = key_lines(config_text)
    warnings = []
    if config.rates_date and (today - config.rates_date).days > STALE_AFTER_DAYS:
        warnings.append(Problem(CONFIG_FILE, lines.get("money.rates_date", 1),
                                f"the exchange rates are from {config.rates_date}, {(today - config.rates_date).days} days before "
                                f"{today}: update [money] rates and rates_date, so pay in different currencies compares fairly"))
    for currency in sorted(set(currencies) - {config.money_currency} - set(config.rates)):
        warnings.append(Problem(CONFIG_FILE, lines.get("money.rates", lines.get("money", 1)),
                                f"briefs pay in {currency}, which has no rate in [money] rates: add {currency} = (what 1 {currency} "
                                f"is worth in {config.money_currency}); until then {currency} pay is not converted and no pay sort is offered"))
    return warnings
