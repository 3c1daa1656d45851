"""What the render stages say alike: a project's pay, dates, place and key facts, and the XML they write.

Pages, feeds and crawl files stand side by side and import this module, never each other, so a
project's pay reads the same on its card, in a feed item and in the deadlines calendar.
"""

from __future__ import annotations

import functools
import re
from datetime import date
from decimal import Decimal
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from babel.dates import format_date
from babel.numbers import format_currency

from .model import Project

GENERATOR = "microboard"  # the name feeds and calendars give their generator
# Characters XML 1.0 forbids even escaped: a brief's body may carry them, a feed must not.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@functools.lru_cache(maxsize=4096)
def money(amount: Decimal, currency: str, language: str) -> str:
    """Money as the board's language writes it: "$600", "600 €", "$22.50"."""
    whole = amount == amount.to_integral_value()
    return format_currency(amount, currency, locale=language.replace("-", "_"),
                           format="¤#,##0" if whole else None, currency_digits=not whole)


def pay_text(project: Project, language: str) -> str:
    pay = project.brief.compensation
    amount = money(pay.amount, pay.currency, language)
    return f"{amount} per hour" if pay.type == "hourly" else f"{amount} fixed"


@functools.lru_cache(maxsize=4096)
def day_text(day: date, language: str) -> str:
    """A date as the board's language writes it: "Dec 15, 2026". Memoized: Babel is slow and days repeat."""
    return format_date(day, format="medium", locale=language.replace("-", "_"))


def where_text(project: Project) -> str:
    brief = project.brief
    if brief.remote:
        return "Remote"
    return f"On site: {brief.location}"


def site_host(url: str) -> str:
    """The site an address leads to, as a reader names it: "acme.example" for https://www.acme.example/jobs/1."""
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")


def closes_text(project: Project) -> str:
    days = project.days_left
    if days < 0:
        return "Closed"
    if days == 0:
        return "Closes today"
    return "Closes tomorrow" if days == 1 else f"Closes in {days} days"


def deadline_text(project: Project, day: str) -> str:
    """The deadline as a card states it: "Closes in 3 days (Dec 15, 2026)" or "Closed Dec 15, 2026"."""
    return f"{closes_text(project)} ({day})" if project.is_open else f"Closed {day}"


def project_facts(project: Project, language: str) -> list[tuple[str, str]]:
    """What a student checks first, in the order feeds and the deadlines calendar state it."""
    brief = project.brief
    where = where_text(project) + (f" (from {', '.join(brief.countries)})" if brief.remote else "")
    return [("Pay", pay_text(project, language)), ("Effort", f"{brief.hours} hours"),
            ("Deadline", day_text(brief.deadline, language)), ("Where", where)]


def xml_document(root: ET.Element) -> bytes:
    """Serialize an element tree as indented UTF-8 XML, dropping the characters XML cannot hold at all.

    A document in one namespace (Atom, a sitemap) gives its root an `xmlns` attribute and plain tags:
    ElementTree's own default_namespace refuses the plain attribute names those formats use."""
    for element in root.iter():
        element.text = NOT_XML.sub("", element.text) if element.text else element.text
        element.attrib = {name: NOT_XML.sub("", value) for name, value in element.attrib.items()}
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
