"""The rules of a brief's fields: each front-matter field read into its typed value (title, company, pay and the
board's pay floor, countries, location, dates, apply URL, maintainers), with a message naming the line and the fix.
Kept apart from reading the file (`content`), which decides what is a brief at all.
"""

from __future__ import annotations

import re
import sys
from datetime import timedelta
from decimal import ROUND_CEILING, Decimal
from pathlib import Path

import pycountry
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .brief import Brief, Company, Compensation
from .config import GITHUB_HANDLE, SiteConfig
from .contentfiles import LOGO_NAME, LOGOS_DIR
from .eligibility import ANYWHERE, code_problem, is_country
from .errors import Problem, unknown_key_message
from .frontyaml import FieldReader
from .text import MAX_NAME_SLUG, slug_of

MAX_SKILLS, MAX_SKILL_LENGTH, MAX_TITLE_LENGTH, MAX_SUMMARY_LENGTH = 10, 40, 120, 300
MIN_HOURS, MAX_HOURS, MAX_DEADLINE_DAYS = 5, 40, 180

FIELDS = [
    "title", "company", "category", "skills", "hours", "compensation", "remote", "countries",
    "location", "posted", "deadline", "apply", "maintainers", "draft", "summary",
]
# Each required field with a line that, written in as it stands, passes (the category's is the board's first).
REQUIRED = {
    "title": "title: Clean up our customer records", "company": "company: {name: Acme Analytics}",
    "category": None, "hours": "hours: 20",
    "compensation": "compensation: {amount: 600, currency: USD, type: fixed}", "remote": "remote: true",
    "countries": 'countries: ["US"]', "posted": "posted: 2026-11-20", "deadline": "deadline: 2026-12-15",
    "apply": "apply: https://acme.example/jobs/123", "maintainers": "maintainers: [octocat]",
}
COMPANY_FIELDS, COMPENSATION_FIELDS = ["name", "url", "logo"], ["amount", "currency", "type"]
PAY_TYPES = ["fixed", "hourly"]
# ISO 4217 codes that are not money; pay in them would slip past every floor.
NOT_MONEY = {"XXX": "for no currency", "XTS": "reserved for testing"}


def read_fields(reader: FieldReader, fields: dict[str, tuple[Node, Node]], slug: str, source: str,
                root: Path, config: SiteConfig, body: str, body_line: int) -> Brief | None:
    """The brief its front-matter fields make, or None; each missing or wrong field is a problem on its line."""
    for name, example in REQUIRED.items():
        if name not in fields:  # reported where the line goes: above the closing ---
            example = example or f"category: {config.categories[0].key if config.categories else 'data'}"
            reader.problems.append(Problem(source, reader.closing_line, f"{name} is missing: add a line like `{example}` above this ---"))
    value = {name: node for name, (_, node) in fields.items()}
    key = {name: node for name, (node, _) in fields.items()}

    title = reader.text(value["title"], "title", MAX_TITLE_LENGTH, shown_as_a_name=True) if "title" in value else None
    company = _company(reader, key["company"], value["company"], root) if "company" in value else None
    category = reader.text(value["category"], "category") if "category" in value else None
    if category and config.category(category) is None:
        known = [c.key for c in config.categories]
        reader.problem(value["category"], unknown_key_message("category", category, known).replace("unknown", "there is no", 1))
        category = None
    skills = _skills(reader, value["skills"]) if "skills" in value else ()
    hours = reader.whole_number(value["hours"], "hours", MIN_HOURS, MAX_HOURS) if "hours" in value else None
    compensation = _compensation(reader, key["compensation"], value["compensation"], config) if "compensation" in value else None
    remote = reader.flag(value["remote"], "remote") if "remote" in value else None
    countries = _countries(reader, value["countries"]) if "countries" in value else None
    location = _location(reader, value["location"]) if "location" in value else None
    if remote is False and "location" not in value and "remote" in value:
        reader.problem(key["remote"], 'location is required when remote is false: add a line like location: "Berlin, DE"')
    posted = reader.day(value["posted"], "posted") if "posted" in value else None
    deadline = reader.day(value["deadline"], "deadline") if "deadline" in value else None
    if posted and deadline and not posted <= deadline <= posted + timedelta(days=MAX_DEADLINE_DAYS):
        reader.problem(value["deadline"], f"deadline must be on or after posted ({posted}) and at most {MAX_DEADLINE_DAYS} days later "
                                         f"(by {posted + timedelta(days=MAX_DEADLINE_DAYS)}), got {deadline}")
    apply = reader.url(value["apply"], "apply", allow_mailto=True) if "apply" in value else None
    maintainers = read_maintainers(reader, value["maintainers"]) if "maintainers" in value else None
    draft = reader.flag(value["draft"], "draft") if "draft" in value else False
    summary = reader.text(value["summary"], "summary", MAX_SUMMARY_LENGTH) if "summary" in value else None
    if compensation and hours:
        _check_pay_floor(reader, value["compensation"], compensation, hours, config.min_hourly_rate[compensation.currency])
    if None in (title, company, category, skills, hours, compensation, remote, countries, posted, deadline, apply, maintainers, draft):
        return None
    # The words every brief repeats are interned: one copy each in memory, and in each pickle of the cache.
    return Brief(slug, source, title, company, sys.intern(category), tuple(map(sys.intern, skills)), hours, compensation, remote,
                 tuple(map(sys.intern, countries)), location, posted, deadline, apply, maintainers, draft, summary, body, body_line,
                 reader.line(key["company"]))


def _company(reader: FieldReader, key: Node, node: Node, root: Path) -> Company | None:
    before = len(reader.problems)
    fields = reader.mapping(node, "company", COMPANY_FIELDS)
    if "name" not in fields and isinstance(node, MappingNode):
        reader.problem(key, "company needs a name: add a line `  name: Your Company` under company:")
    name = reader.text(fields["name"][1], "company.name", 100, shown_as_a_name=True) if "name" in fields else None
    if name and len(slug_of(name)) > MAX_NAME_SLUG:
        reader.problem(fields["name"][1], _long_slug_message("company.name", name))
        name = None
    url = reader.url(fields["url"][1], "company.url", allow_mailto=False, example="https://acme.example") if "url" in fields else None
    logo = None
    if "logo" in fields:
        logo = reader.text(fields["logo"][1], "company.logo")
        logos = root / LOGOS_DIR
        if logo and ("/" in logo or "\\" in logo or logo in (".", "..")):
            reader.problem(fields["logo"][1], f"company.logo must be just a file name inside {LOGOS_DIR}/, like acme.svg, got {logo}")
            logo = None
        elif logo and not LOGO_NAME.fullmatch(logo):
            reader.problem(fields["logo"][1], f"company.logo must be a file name of letters, digits, hyphens and underscores "
                                              f"ending in .png, .jpg, .webp, .gif or .svg, like acme.svg, got {logo}")
            logo = None
        elif logo and ((logos / logo).is_symlink() or not (logos / logo).is_file()):
            reader.problem(fields["logo"][1], f"company.logo: there is no file {LOGOS_DIR}/{logo}; add the logo to your pull request or fix the name")
            logo = None
    return Company(name, url, logo) if len(reader.problems) == before else None


def _compensation(reader: FieldReader, key: Node, node: Node, config: SiteConfig) -> Compensation | None:
    fields = reader.mapping(node, "compensation", COMPENSATION_FIELDS)
    for name in COMPENSATION_FIELDS:
        if name not in fields and isinstance(node, MappingNode):
            reader.problem(key, f"compensation.{name} is missing: add `  {name}: …` under compensation:")
    amount = reader.amount(fields["amount"][1], "compensation.amount") if "amount" in fields else None
    currency = reader.text(fields["currency"][1], "compensation.currency") if "currency" in fields else None
    if currency and (not re.fullmatch(r"[A-Z]{3}", currency) or pycountry.currencies.get(alpha_3=currency) is None):
        hint = f" (did you mean {currency.upper()}?)" if pycountry.currencies.get(alpha_3=currency.upper()) else ""
        reader.problem(fields["currency"][1], f"compensation.currency must be an ISO 4217 code such as USD, EUR or GBP, got {currency}{hint}")
        currency = None
    elif currency in NOT_MONEY:
        reader.problem(fields["currency"][1], f"compensation.currency {currency} is the ISO 4217 code {NOT_MONEY[currency]}: "
                                              "every project is paid, so give the currency you pay in, such as USD, EUR or GBP")
        currency = None
    elif currency and currency not in config.min_hourly_rate:
        # A currency with no floor would let a 40-hour project pay 1 IRR: the board takes only the ones it set a floor for.
        accepted = ", ".join(config.min_hourly_rate) or "none yet"
        reader.problem(fields["currency"][1], f"compensation.currency: this board takes pay only in the currencies it sets a pay floor "
                                              f"for in site.toml ([policy] min_hourly_rate), got {currency}; accepted: {accepted}")
        currency = None
    pay_type = reader.text(fields["type"][1], "compensation.type") if "type" in fields else None
    if pay_type and pay_type not in PAY_TYPES:
        reader.problem(fields["type"][1], f"compensation.type must be fixed (one amount for the deliverable) or hourly (per hour), got {pay_type}")
        pay_type = None
    if amount is None or currency is None or pay_type is None:
        return None
    return Compensation(amount, sys.intern(currency), sys.intern(pay_type))


def _check_pay_floor(reader: FieldReader, node: Node, pay: Compensation, hours: int, floor: Decimal) -> None:
    """Report pay under the floor on the amount's line, with an amount that, written in, passes."""
    rate = pay.per_hour(hours)
    if rate >= floor:
        return
    amount = next((v for k, v in node.value if isinstance(k, ScalarNode) and k.value == "amount"), node)
    where = f"pay is below this board's floor of {_money(floor)} {pay.currency} per hour"
    if pay.type == "hourly":
        reader.problem(amount, f"{where}: got {pay.amount} {pay.currency} per hour; raise the hourly amount to at least {_money(floor)}")
    else:
        reader.problem(amount, f"{where}: {pay.amount} {pay.currency} for {hours} hours is {rate:.2f} {pay.currency} per hour; "
                               f"raise the amount to at least {_money(floor * hours)} for {hours} hours, or lower the hours")


def _money(amount: Decimal) -> str:
    """An amount rounded up to the cent, without a ".00": 400, 101.25."""
    cents = amount.quantize(Decimal("0.01"), rounding=ROUND_CEILING)
    return f"{cents:.0f}" if cents == cents.to_integral_value() else f"{cents}"


def _skills(reader: FieldReader, node: Node) -> tuple[str, ...] | None:
    items = reader.text_list(node, "skills", "[Excel, SQL, Data cleaning]", shown_as_names=True)
    if isinstance(node, SequenceNode) and len(node.value) > MAX_SKILLS:
        reader.problem(node, f"skills may list at most {MAX_SKILLS}, got {len(node.value)}: keep the ones that matter most")
    seen: set[str] = set()
    for item, skill in items:
        if len(skill) > MAX_SKILL_LENGTH:
            reader.problem(item, f"each skill must be at most {MAX_SKILL_LENGTH} characters, got {len(skill)}: {skill}")
        elif len(slug_of(skill)) > MAX_NAME_SLUG:
            reader.problem(item, _long_slug_message("skill", skill))
        elif skill.casefold() in seen:
            reader.problem(item, f"skill '{skill}' is listed twice")
        seen.add(skill.casefold())
    return tuple(skill for _, skill in items)


def _long_slug_message(name: str, value: str) -> str:
    return (f"{name} makes a web address of {len(slug_of(value))} characters once written in Latin letters "
            f"(at most {MAX_NAME_SLUG}): shorten it, got {value}")


def _countries(reader: FieldReader, node: Node) -> tuple[str, ...] | None:
    items = reader.text_list(node, "countries", '["US", "CA"]')
    if isinstance(node, SequenceNode) and not node.value:
        reader.problem(node, 'countries needs at least one code of where applicants may be based, like ["US", "CA"], ["EU"] or [anywhere]')
    codes = []
    for item, code in items:
        problem = code_problem(code)
        if problem:
            reader.problem(item, problem)
        elif code == ANYWHERE and len(items) > 1:
            reader.problem(item, "countries: anywhere already takes applicants from every country: list anywhere alone")
        codes.append(code)
    return tuple(codes)


def _country_hint(code: str) -> str:
    if is_country(code.upper()):
        return f" (write it in capitals: {code.upper()})"
    return " such as US, DE or IN"


def _location(reader: FieldReader, node: Node) -> str | None:
    location = reader.text(node, "location", 100)
    if location is None:
        return None
    city, _, code = location.rpartition(",")
    if not city.strip() or not is_country(code.strip()):
        reader.problem(node, f'location must be "City, CC" with a two-letter country code, like "Berlin, DE"{_country_hint(code.strip()) if city.strip() else ""}, got {location}')
        return None
    return location


def read_maintainers(reader: FieldReader, node: Node) -> tuple[str, ...] | None:
    """The GitHub handles `maintainers` lists: the content stage's rule, and the ownership check's reading."""
    items = reader.text_list(node, "maintainers", "[your-github-handle]")
    if isinstance(node, SequenceNode) and not node.value:
        reader.problem(node, "maintainers needs at least one GitHub handle: the people allowed to edit this brief later")
    for item, handle in items:
        if not GITHUB_HANDLE.fullmatch(handle):
            fix = f" (write {handle.lstrip('@')}, without the @)" if handle.startswith("@") else ""
            reader.problem(item, f"maintainers: {handle} is not a GitHub handle{fix}")
    return tuple(handle for _, handle in items)
