"""A brief's lifecycle by the date where the board is: scheduled, open, closing soon, closed, or a draft.

Its own module because more than the model asks it: `load` and `build` sort briefs by status, the CLI,
`board init` and `board serve` take today's date from it, and the crawl's dates start from `start_of`.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from enum import Enum
from zoneinfo import ZoneInfo

from .brief import Brief


class Status(str, Enum):
    """Where a brief is in its lifecycle on the build date."""

    SCHEDULED = "scheduled"  # posted in the future: not built at all
    OPEN = "open"  # posted through deadline: listed, in feeds, search and sitemap
    CLOSED = "closed"  # after the deadline: page kept at its URL, marked closed, listed in the archive
    DRAFT = "draft"  # draft: true and the build was not asked for --drafts: not built


def today_in(timezone: str, now: datetime | None = None) -> date:
    """Today's date where the board is, which decides what is open (as of `now`, a timezone-aware time, if given)."""
    zone = ZoneInfo(timezone)
    return (now.astimezone(zone) if now else datetime.now(zone)).date()


def status_of(brief: Brief, today: date, include_drafts: bool = False) -> Status:
    if brief.draft and not include_drafts:
        return Status.DRAFT
    if brief.posted > today:
        return Status.SCHEDULED
    return Status.OPEN if today <= brief.deadline else Status.CLOSED


def start_of(day: date, timezone: str) -> datetime:
    """Midnight at the start of `day` where the board is: the moment a `posted` date stands for."""
    return datetime.combine(day, time(), ZoneInfo(timezone))


def is_closing_soon(brief: Brief, today: date, closing_soon_days: int) -> bool:
    """True in an open project's last `closing_soon_days` days, deadline day included."""
    return 0 <= (brief.deadline - today).days < closing_soon_days


NEXT_CHANGES_SHOWN = 3  # a big board changes on most days: a summary line names a few, then counts the rest


def next_change(open_briefs: list[Brief], scheduled: tuple[Brief, ...]) -> str | None:
    """The next date on which a rebuild would change the board: a listing opening or closing."""
    changes = [(b.posted, f"{b.slug} opens") for b in scheduled]
    changes += [(b.deadline + timedelta(days=1), f"{b.slug} closes") for b in open_briefs]
    if not changes:
        return None
    when = min(day for day, _ in changes)
    that_day = sorted(what for day, what in changes if day == when)
    more = f" and {len(that_day) - NEXT_CHANGES_SHOWN} more" if len(that_day) > NEXT_CHANGES_SHOWN else ""
    return f"{when}: " + ", ".join(that_day[:NEXT_CHANGES_SHOWN]) + more
