"""Search facets: what each project is filtered and sorted by, and the search page's filter panel.

A project page hands these values to Pagefind (layouts/project.html) and the search page offers the
same values under the same labels (layouts/search.html), so both are defined once, here. Filter values
are short keys ("data", "11-20", "usd-500-999") because they also appear in shareable search URLs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from .brief import Compensation
from .eligibility import by_name, eligible_countries, territory_name
from .model import Project, Site
from .money import comparable, converted, in_board_currency
from .months import TALLIES, tally

CLOSING_WEEK = 7  # "closes within 7 days": the deadline is today or at most 7 days away, as its card says "closes in 7 days"
HOURS_BANDS = ((5, 10), (11, 20), (21, 40))  # a brief's 5..40 hours, in the sizes students plan a week by
PAY_STEPS = (250, 500, 1000)  # bounds of the total-pay bands, in the brief's own currency
# Every project's search record carries this word, and the search page searches for it when no query
# is typed: Pagefind 1.5 answers a search without words by downloading its whole word index (5.5 MB
# for 10,000 briefs), while one word costs one chunk of it.
BROWSE_WORD = "project"
# What a project's pay band is worked out from, read in C: a board's history repeats a few hundred of these
# 100,000 times, so the panel counts them first and bands each once (a band per project took 0.45 s).
PAY_OF = TALLIES["pay"]


@dataclass(frozen=True)
class Choice:
    key: str  # the value in the index and in the search URL
    label: str  # what the filter panel shows


@dataclass(frozen=True)
class Facet:
    name: str  # the filter's name in the index and its search URL parameter
    legend: str
    choices: tuple[Choice, ...] | None  # in the panel's order; None: the page lists the index's values, most used first
    single: bool = False  # one choice at a time, the first being the default, instead of any of several
    menu: bool = False  # a single choice among many, offered as a drop-down list


@dataclass(frozen=True)
class SearchKeys:
    """A project's filter values and sort keys; every project has every sort key, or sorting drops it."""

    filters: tuple[tuple[str, str], ...]
    sort: tuple[tuple[str, str], ...]


def hours_band(hours: int) -> Choice:
    low, high = next(band for band in HOURS_BANDS if band[0] <= hours <= band[1])
    return Choice(f"{low}-{high}", f"{low}–{high}")  # the search page labels it in the board's language


def _pay_band(total: Decimal) -> tuple[int, int | None]:
    """The band's lowest and highest whole amount; None as highest for the open top band."""
    lows = (0, *PAY_STEPS)
    highs = (*(step - 1 for step in PAY_STEPS), None)
    return next((low, high) for low, high in zip(lows, highs) if high is None or total < high + 1)


def _pay_key(currency: str, low: int, high: int | None) -> str:
    return f"{currency.lower()}-{low}-{'plus' if high is None else high}"


class Facets:
    """The facets of one board, with its canonical skill and company names."""

    def __init__(self, site: Site, money: Callable[[Decimal, str], str]):
        self.site = site
        self.money = money
        self.skill_names = {group.key: group.name for group in site.skills}
        self.company_names = {group.key: group.name for group in site.companies}
        # Pay is sorted only where every project's pay can be put in one order (see money.py). Known before any
        # page renders, so read in C: only the panel counts each pay (`_pay_choices`), as the search page renders.
        self.pay_sortable = comparable(site.config, set(tally("currency", site.placed, site.month_sums)))
        self._bands: dict[tuple[Decimal, str, str, int], tuple[str, tuple[int, int | None]]] = {}

    def pay_band(self, project: Project) -> tuple[str, tuple[int, int | None]]:
        """The currency and band of the project's total pay: in the board's currency when it converts."""
        return self._band(PAY_OF(project))

    def _band(self, pay_and_hours: tuple[Decimal, str, str, int]) -> tuple[str, tuple[int, int | None]]:
        """`pay_band` of a pay and hours, worked out once for each."""
        band = self._bands.get(pay_and_hours)
        if band is None:
            amount, currency, pay_type, hours = pay_and_hours
            total = Compensation(amount, currency, pay_type).total(hours)
            worth = converted(self.site.config, total, currency)
            band = self._bands[pay_and_hours] = (currency, _pay_band(total)) if worth is None else \
                (self.site.config.money_currency, _pay_band(worth))
        return band

    def keys(self, project: Project) -> SearchKeys:
        brief = project.brief
        currency, band = self.pay_band(project)
        filters = [("category", brief.category)]
        filters += [("skill", self.skill_names[slug]) for slug in dict.fromkeys(project.skill_slugs)]
        # One value per country whose students may apply (every country for `anywhere`), so a plain filter
        # finds the projects that name the country, a region holding it, or anywhere.
        filters += [("country", code) for code in sorted(eligible_countries(brief.countries))]
        if project.is_open and 0 <= project.days_left <= CLOSING_WEEK:
            filters.append(("closes", "week"))
        filters += [
            ("where", "remote" if brief.remote else "on-site"),
            ("pay", _pay_key(currency, *band)),
            ("hours", hours_band(brief.hours).key),
            ("company", self.company_names[project.company_slug]),
            ("status", "open" if project.is_open else "closed"),
        ]
        sort = (("posted", brief.posted.isoformat()), ("deadline", brief.deadline.isoformat()))
        if self.pay_sortable:
            pay, config = brief.compensation, self.site.config
            sort += (("pay", f"{in_board_currency(config, pay.total(brief.hours), pay.currency):f}"),
                     ("pay_hour", f"{in_board_currency(config, pay.per_hour(brief.hours), pay.currency):f}"))
        return SearchKeys(tuple(filters), sort)

    def panel(self) -> tuple[Facet, ...]:
        """The search page's filters, in the order students narrow a search."""
        categories = tuple(Choice(c.key, c.title) for c in self.site.config.categories)
        _ = self.site.config.words.gettext
        return (
            Facet("country", _("I can apply from"), self._country_choices(), single=True, menu=True),
            Facet("category", _("Category"), categories),
            Facet("skill", _("Skills"), None),
            Facet("where", _("Where"), (Choice("remote", _("Remote")), Choice("on-site", _("On site")))),
            Facet("pay", _("Total pay"), self._pay_choices()),
            Facet("hours", _("Effort"), tuple(Choice(hours_band(low).key, _("%(low)d–%(high)d hours") % {"low": low, "high": high})
                                          for low, high in HOURS_BANDS)),
            Facet("closes", _("Deadline"), (Choice("week", _("Closes within %(days)d days") % {"days": CLOSING_WEEK}),)),
            Facet("company", _("Company"), None),
            Facet("status", _("Status"), (Choice("open", _("Open")), Choice("closed", _("Closed")),
                                          Choice("all", _("Open and closed"))), single=True),
        )

    def _country_choices(self) -> tuple[Choice, ...]:
        """Every country some project is open to, by name in the board's language (the page adds "any country")."""
        codes = frozenset().union(*map(eligible_countries, tally("countries", self.site.placed, self.site.month_sums)))  # each list once
        language = self.site.config.language
        named = sorted((Choice(code, territory_name(code, language)) for code in codes), key=lambda c: (by_name(c.label), c.key))
        return tuple(named)

    def _pay_choices(self) -> tuple[Choice, ...]:
        """The pay bands projects fall in: the board's most used currency first, bands in increasing order."""
        currencies: Counter[str] = Counter()
        bands: set[tuple[str, tuple[int, int | None]]] = set()
        pays = tally("pay", self.site.placed, self.site.month_sums)  # plain values: the dataclass hashes and compares in Python, 3x slower
        for pay_and_hours, count in pays.items():
            band = self._band(pay_and_hours)
            currencies[band[0]] += count
            bands.add(band)
        choices = []
        for currency, (low, high) in sorted(bands, key=lambda band: (-currencies[band[0]], band[0], band[1][0])):
            _ = self.site.config.words.gettext
            if low == 0:
                label = _("Under %(amount)s") % {"amount": self.money(Decimal(high + 1), currency)}
            elif high is None:
                label = _("%(amount)s or more") % {"amount": self.money(Decimal(low), currency)}
            else:
                label = f"{self.money(Decimal(low), currency)} – {self.money(Decimal(high), currency)}"
            choices.append(Choice(_pay_key(currency, low, high), label))
        return tuple(choices)
