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

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency

from .config import SiteConfig
from .eligibility import ANYWHERE, territory_name
from .i18n import Interface
from .model import Project
from .money import converted
from .text import first_forbidden, without_forbidden

GENERATOR = "microboard"  # the name feeds and calendars give their generator


@functools.lru_cache(maxsize=4096)
def money(amount: Decimal, currency: str, language: str) -> str:
    """Money as the board's language writes it: "$600", "600 €", "$22.50" (a whole amount without cents)."""
    locale = Locale.parse(language.replace("-", "_"))
    whole = amount == amount.to_integral_value()
    pattern = re.sub(r"\.0+", "", locale.currency_formats["standard"].pattern) if whole else None
    return format_currency(amount, currency, locale=locale, format=pattern, currency_digits=not whole)


def pay_text(project: Project, config: SiteConfig) -> str:
    """The pay as the brief gives it, and beside it, when the board has a rate for it, its worth in the
    board's currency: "₹45,000 fixed (≈ $540)"."""
    words, pay = config.words, project.brief.compensation
    amount = money(pay.amount, pay.currency, words.language)
    text = (words.gettext("%(amount)s per hour") if pay.type == "hourly" else words.gettext("%(amount)s fixed")) % {"amount": amount}
    worth = converted(config, pay.amount, pay.currency) if pay.currency != config.money_currency else None
    if worth is None:
        return text
    return words.gettext("%(pay)s (≈ %(worth)s)") % {"pay": text, "worth": money(worth.quantize(Decimal(1)), config.money_currency, words.language)}


def hours_text(hours: int, words: Interface) -> str:
    return words.ngettext("%(num)d hour", "%(num)d hours", hours) % {"num": hours}


@functools.lru_cache(maxsize=4096)
def day_text(day: date, language: str) -> str:
    """A date as the board's language writes it: "Dec 15, 2026". Memoized: Babel is slow and days repeat."""
    return format_date(day, format="medium", locale=language.replace("-", "_"))


def where_text(project: Project, words: Interface) -> str:
    brief = project.brief
    if brief.remote:
        return words.gettext("Remote")
    return words.gettext("On site: %(location)s") % {"location": brief.location}


def site_host(url: str) -> str:
    """The site an address leads to, as a reader names it: "acme.example" for https://www.acme.example/jobs/1."""
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")


def apply_label(address: str, words: Interface) -> str:
    """The apply button's words, naming the kind of contact: "Apply by e-mail", "Apply on acme.example"."""
    if address.startswith("mailto:"):
        return words.gettext("Apply by e-mail")
    return words.gettext("Apply on %(site)s") % {"site": site_host(address)}


def closes_text(project: Project, words: Interface) -> str:
    days = project.days_left
    if days < 0:
        return words.gettext("Closed")
    if days == 0:
        return words.gettext("Closes today")
    if days == 1:
        return words.gettext("Closes tomorrow")
    return words.ngettext("Closes in %(num)d day", "Closes in %(num)d days", days) % {"num": days}


def deadline_text(project: Project, words: Interface) -> str:
    """The deadline as a card states it: "Closes in 3 days (Dec 15, 2026)" or "Closed Dec 15, 2026"."""
    day = day_text(project.brief.deadline, words.language)
    if project.is_open:
        return words.gettext("%(closes)s (%(day)s)") % {"closes": closes_text(project, words), "day": day}
    return words.gettext("Closed %(day)s") % {"day": day}


def project_facts(project: Project, config: SiteConfig) -> list[tuple[str, str]]:
    """What a student checks first, in the order feeds and the deadlines calendar state it."""
    brief, words = project.brief, config.words
    where = where_text(project, words)
    if brief.remote:
        named = [words.gettext("anywhere") if code == ANYWHERE else territory_name(code, words.language) for code in brief.countries]
        where = words.gettext("%(where)s (from %(countries)s)") % {"where": where, "countries": ", ".join(named)}
    return [(words.gettext("Pay"), pay_text(project, config)), (words.gettext("Effort"), hours_text(brief.hours, words)),
            (words.gettext("Deadline"), day_text(brief.deadline, words.language)), (words.gettext("Where"), where)]


def xml_document(root: ET.Element) -> bytes:
    """Serialize an element tree as indented UTF-8 XML, dropping the characters XML cannot hold at all
    and the others no output may carry (see text.FORBIDDEN_CHARACTER).

    A document in one namespace (Atom, a sitemap) gives its root an `xmlns` attribute and plain tags:
    ElementTree's own default_namespace refuses the plain attribute names those formats use."""
    ET.indent(root)
    document = ET.tostring(root, encoding="unicode", xml_declaration=True)
    # Almost no document holds one: it is searched whole (ElementTree writes a carriage return in an
    # attribute as &#13;), and only one that does is cleaned text by text and written again.
    if first_forbidden(document) or "&#13;" in document:
        for element in root.iter():
            element.text = without_forbidden(element.text) if element.text else element.text
            element.attrib = {name: without_forbidden(value) for name, value in element.attrib.items()}
        ET.indent(root)
        document = ET.tostring(root, encoding="unicode", xml_declaration=True)
    return document.encode() + b"\n"
