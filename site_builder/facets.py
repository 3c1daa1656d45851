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

from .model import Project, Site

HOURS_BANDS = ((5, 10), (11, 20), (21, 40))  # a brief's 5..40 hours, in the sizes students plan a week by
PAY_STEPS = (250, 500, 1000)  # bounds of the total-pay bands, in the brief's own currency
# Every project's search record carries this word, and the search page searches for it when no query
# is typed: Pagefind 1.5 answers a search without words by downloading its whole word index (5.5 MB
# for 10,000 briefs), while one word costs one chunk of it.
BROWSE_WORD = "project"


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

    def keys(self, project: Project) -> SearchKeys:
        brief = project.brief
        filters = [("category", brief.category)]
        filters += [("skill", self.skill_names[slug]) for slug in dict.fromkeys(project.skill_slugs)]
        filters += [
            ("where", "remote" if brief.remote else "on-site"),
            ("pay", _pay_key(brief.compensation.currency, *_pay_band(brief.compensation.total(brief.hours)))),
            ("hours", hours_band(brief.hours).key),
            ("company", self.company_names[project.company_slug]),
            ("status", "open" if project.is_open else "closed"),
        ]
        sort = (("posted", brief.posted.isoformat()), ("deadline", brief.deadline.isoformat()),
                ("pay", f"{brief.compensation.total(brief.hours):f}"))
        return SearchKeys(tuple(filters), sort)

    def panel(self) -> tuple[Facet, ...]:
        """The search page's filters, in the order students narrow a search."""
        categories = tuple(Choice(c.key, c.title) for c in self.site.config.categories)
        _ = self.site.config.words.gettext
        return (
            Facet("category", _("Category"), categories),
            Facet("skill", _("Skills"), None),
            Facet("where", _("Where"), (Choice("remote", _("Remote")), Choice("on-site", _("On site")))),
            Facet("pay", _("Total pay"), self._pay_choices()),
            Facet("hours", _("Effort"), tuple(Choice(hours_band(low).key, _("%(low)d–%(high)d hours") % {"low": low, "high": high})
                                          for low, high in HOURS_BANDS)),
            Facet("company", _("Company"), None),
            Facet("status", _("Status"), (Choice("open", _("Open")), Choice("closed", _("Closed")),
                                          Choice("all", _("Open and closed"))), single=True),
        )

    def _pay_choices(self) -> tuple[Choice, ...]:
        """The pay bands projects fall in: the board's most used currency first, bands in increasing order."""
        briefs = [project.brief for project in self.site.projects]
        currencies = Counter(brief.compensation.currency for brief in briefs)
        bands = {(brief.compensation.currency, _pay_band(brief.compensation.total(brief.hours))) for brief in briefs}
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
