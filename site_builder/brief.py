"""A brief as the later stages see it: plain dataclasses, typed and validated, with no rendering done yet.
Apart from the rules that make one (`brieffields`), so a stage that only reads briefs imports only these.
Slotted, as the model's projects are: a board's history holds 100,000 of them, and a slotted instance is
about a third smaller.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

Slotted = TypeVar("Slotted", bound=type)


def _quick_pickling(cls: Slotted) -> Slotted:
    """Pickle a slotted dataclass as the tuple of its fields: the cache loads every brief of a board on each
    build, and the dataclass module's own slotted pickling looks up the fields on every object (a third
    of the load time). Each field is set through its slot's own setter: half the time `object.__setattr__`
    takes, which a frozen class's instances must otherwise go through."""
    names = tuple(field.name for field in fields(cls))
    values = operator.attrgetter(*names)
    setters = tuple(cls.__dict__[name].__set__ for name in names)

    def get_state(self: Any) -> tuple[Any, ...]:
        return values(self)

    def set_state(self: Any, state: tuple[Any, ...]) -> None:
        for setter, value in zip(setters, state):
            setter(self, value)

    cls.__getstate__, cls.__setstate__ = get_state, set_state
    return cls


@_quick_pickling
@dataclass(frozen=True, slots=True)
class Company:
    name: str
    url: str | None
    logo: str | None  # a file name inside static/logos/


@_quick_pickling
@dataclass(frozen=True, slots=True)
class Compensation:
    amount: Decimal
    currency: str  # ISO 4217
    type: str  # "fixed" for the whole deliverable, "hourly" per hour

    def per_hour(self, hours: int) -> Decimal:
        """What an hour of the estimate pays: the number the board's pay floor is about."""
        return self.amount if self.type == "hourly" else self.amount / hours

    def total(self, hours: int) -> Decimal:
        """What the whole project pays: the fixed fee, or the hourly rate times the estimated hours."""
        return self.amount if self.type == "fixed" else self.amount * hours


@_quick_pickling
@dataclass(frozen=True, slots=True)
class Brief:
    """A validated brief: what the employer wrote, typed, with no rendering done yet."""

    slug: str
    source: str  # path relative to the board's root, as messages name it
    title: str
    company: Company
    category: str
    skills: tuple[str, ...]
    hours: int
    compensation: Compensation
    remote: bool
    countries: tuple[str, ...]
    location: str | None
    posted: date
    deadline: date
    apply: str
    maintainers: tuple[str, ...]
    draft: bool
    summary: str | None
    body: str
    body_line: int  # the file line the Markdown body starts on
    company_line: int = 1  # the line of `company:`, where a problem with the company as a whole is shown


_REPEATED = tuple(index for index, field in enumerate(fields(Brief))
                  if field.name in ("company", "category", "skills", "compensation", "countries", "location", "posted", "deadline", "maintainers"))


def with_shared_values(brief: Brief, shared: dict[Any, Any]) -> Brief:
    """The same brief, holding the values that briefs repeat (its company, category, skills, pay, countries,
    dates, maintainers) as `shared` holds them when an equal one is there: one object for each value, kept
    in `shared`, not one per brief. A board's history repeats them across 100,000 briefs, and the cache
    stores a shared object once per file: 60 MB less held, and a fifth less time to read the briefs back."""
    state = list(brief.__getstate__())
    for index in _REPEATED:
        value = state[index]
        if type(value) is Compensation:  # by its amount's digits: 1260 and 1260.00 are equal, but not written the same
            state[index] = shared.setdefault((value.amount.as_tuple(), value.currency, value.type), value)
            continue
        if type(value) is tuple:
            value = tuple([shared.setdefault(item, item) for item in value])
        state[index] = shared.setdefault(value, value)
    made = object.__new__(Brief)
    made.__setstate__(tuple(state))
    return made
