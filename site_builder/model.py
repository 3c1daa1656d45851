"""Model stage: config + briefs + the build date -> the board as the site shows it (pure, no I/O)."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from zoneinfo import ZoneInfo

from .content import Brief


class Status(str, Enum):
    """Where a brief is in its lifecycle on the build date."""

    SCHEDULED = "scheduled"  # posted in the future: not built at all
    OPEN = "open"  # posted through deadline: listed, in feeds, search and sitemap
    CLOSED = "closed"  # after the deadline: page kept at its URL, marked closed, listed in the archive
    DRAFT = "draft"  # draft: true and the build was not asked for --drafts: not built


def today_in(timezone: str) -> date:
    """Today's date where the board is, which decides what is open."""
    return datetime.now(ZoneInfo(timezone)).date()


def status_of(brief: Brief, today: date, include_drafts: bool = False) -> Status:
    if brief.draft and not include_drafts:
        return Status.DRAFT
    if brief.posted > today:
        return Status.SCHEDULED
    return Status.OPEN if today <= brief.deadline else Status.CLOSED


def is_closing_soon(brief: Brief, today: date, closing_soon_days: int) -> bool:
    """True in an open project's last `closing_soon_days` days, deadline day included."""
    return 0 <= (brief.deadline - today).days < closing_soon_days
