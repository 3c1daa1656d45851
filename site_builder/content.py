"""Content stage: `content/projects/*.md` -> typed `Brief`s plus every `Problem` found in them.

Employers write these files by hand, so each rule has its own message naming the line and the fix.
The rules live here; reading the YAML as nodes with their lines, and refusing what YAML 1.1 silently
makes of a value, is `frontyaml`'s work.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal
from pathlib import Path

import pycountry
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .config import GITHUB_HANDLE, SLUG_PATTERN, SiteConfig
from .eligibility import ANYWHERE, code_problem, is_country
from .errors import Problem, unknown_key_message
from .frontyaml import PLACEHOLDER, FieldReader, compose_front_matter, decode_text, split_front_matter
from .text import MAX_NAME_SLUG, code_point, first_forbidden, same_name_key, slug_of

CONTENT_DIR = Path("content")
PROJECTS_DIR = Path("content/projects")
LOGOS_DIR = Path("static/logos")
# A logo's file name: plain in a URL, never hidden, with the extension of a format statics.py publishes.
LOGO_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*(\.[a-z0-9_-]+)*\.(png|jpe?g|webp|gif|svg)", re.IGNORECASE)
MAX_BRIEF_BYTES = 256 * 1024
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


@dataclass(frozen=True)
class Company:
    name: str
    url: str | None
    logo: str | None  # a file name inside static/logos/


@dataclass(frozen=True)
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


@dataclass(frozen=True)
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


def read_limited(path: Path) -> bytes:
    """A brief's bytes, never more than one past the limit: the file may be huge or never end. A symbolic
    link is never followed (it could lead to /proc/self/environ): opening one fails."""
    with open(path, "rb", opener=lambda file, flags: os.open(file, flags | os.O_NOFOLLOW)) as file:
        return file.read(MAX_BRIEF_BYTES + 1)


def symlink_message() -> str:
    """What the board says of a symbolic link under content/ or static/, wherever it finds one."""
    return ("this is a symbolic link, which the board never follows (it could publish a file from outside "
            "the repository): put the file itself here instead")


def link_problems(root: Path, folder: Path) -> list[Problem]:
    """A problem for each symbolic link under `folder` (content/ or static/), found without following any;
    editors' files are left out, as everywhere (Emacs's lock file is a link to nowhere)."""
    start = root / folder
    if start.is_symlink():
        return [Problem(folder.as_posix(), 1, symlink_message())]
    problems = []
    for parent, dirs, names in os.walk(start):
        dirs[:] = [name for name in dirs if not is_editor_noise(name)]
        for name in sorted(name for name in dirs + names if not is_editor_noise(name)):
            if (path := Path(parent) / name).is_symlink():
                problems.append(Problem(path.relative_to(root).as_posix(), 1, symlink_message()))
    return problems


def read_brief(path: Path, root: Path, config: SiteConfig, problems: list[Problem], raw: bytes | None = None) -> Brief | None:
    """Parse and validate one brief (from `raw`, its bytes, when already read); append its problems;
    return it only if it has none."""
    source = _source(path, root)
    before = len(problems)

    def fail(message: str) -> None:
        problems.append(Problem(source, 1, message))

    if path.is_symlink():
        fail(symlink_message())
        return None
    slug = path.stem
    if path.suffix != ".md":
        fail(f"a brief's file name must end in .md: rename it to {slug}.md")
    if not (3 <= len(slug) <= 80 and SLUG_PATTERN.fullmatch(slug)):
        fail(f"the file name '{slug}' is not a valid slug: use 3 to 80 lowercase letters, digits and single hyphens, like acme-crm-cleanup.md")
    try:
        raw = read_limited(path) if raw is None else raw
        size = path.stat().st_size if len(raw) > MAX_BRIEF_BYTES else len(raw)
    except OSError as error:
        fail(f"the file cannot be read ({error.strerror or error}): make it a plain text file you can open")
        return None
    if len(raw) > MAX_BRIEF_BYTES:
        fail(f"the file is {_size(max(size, len(raw)))}; a brief must be under {MAX_BRIEF_BYTES // 1024} KB of text")
        return None
    try:
        text = decode_text(raw)
    except UnicodeDecodeError as error:
        line = 1 + raw[: error.start].count(b"\n")
        problems.append(Problem(source, line, f"the file is not UTF-8 text (byte 0x{raw[error.start]:02x} on this line); save it as UTF-8"))
        return None
    if not text.strip():
        fail("the file is empty: a brief starts with its fields between two lines of ---, then the description (run `board new SLUG` for a template)")
        return None
    parts = split_front_matter(text)
    if parts is None and text.startswith("---"):
        fail("the front matter is not closed: add a line --- after the last field, before the description")
        return None
    if parts is None:
        fail("no front matter: the file must start with a line ---, then the fields, then another line --- before the description")
        return None
    front, front_line, body, body_line = parts
    root_node = compose_front_matter(front, front_line, source, problems)
    if root_node is None:
        if len(problems) == before:
            fail("the front matter is empty: list the brief's fields between the two --- lines")
        return None
    reader = FieldReader(source, front, front_line, problems)
    if not isinstance(root_node, MappingNode):  # a list or a line of text: "missing" for every field would only be noise
        reader.mapping(root_node, None, FIELDS)
        return None
    brief = _read_fields(reader, reader.mapping(root_node, None, FIELDS), slug, source, root, config, body, body_line)
    _check_body(reader, body, body_line, closing_line=front_line + front.count("\n"))
    return brief if len(problems) == before else None


def _source(path: Path, root: Path) -> str:
    """The path messages name: relative to the board's root when inside it, as given otherwise."""
    absolute, base = Path(os.path.abspath(path)), Path(os.path.abspath(root))
    return absolute.relative_to(base).as_posix() if absolute.is_relative_to(base) else path.as_posix()


def _size(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{math.ceil(size / 1024)} KB"


def _check_body(reader: FieldReader, body: str, body_line: int, closing_line: int) -> None:
    forbidden = first_forbidden(body)
    if not body.strip():
        reader.problems.append(Problem(reader.source, closing_line, "the description is empty: after the second --- line, describe "
                                                                    "the context, the deliverable and what success looks like"))
    elif body.lstrip().upper().startswith(PLACEHOLDER):
        reader.problems.append(Problem(reader.source, body_line, "the description still holds the template's placeholder: replace it with your brief"))
    elif forbidden:
        line = body_line + body.count("\n", 0, forbidden.start())
        reader.problems.append(Problem(reader.source, line, f"the description contains the character {code_point(forbidden.group())}, "
                                                            "a control character or non-character that pages and feeds cannot carry: delete it"))


def _read_fields(reader: FieldReader, fields: dict[str, tuple[Node, Node]], slug: str, source: str,
                 root: Path, config: SiteConfig, body: str, body_line: int) -> Brief | None:
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
    maintainers = _maintainers(reader, value["maintainers"]) if "maintainers" in value else None
    draft = reader.flag(value["draft"], "draft") if "draft" in value else False
    summary = reader.text(value["summary"], "summary", MAX_SUMMARY_LENGTH) if "summary" in value else None
    if compensation and hours:
        _check_pay_floor(reader, value["compensation"], compensation, hours, config.min_hourly_rate[compensation.currency])
    if None in (title, company, category, skills, hours, compensation, remote, countries, posted, deadline, apply, maintainers, draft):
        return None
    return Brief(slug, source, title, company, category, skills, hours, compensation, remote, countries, location,
                 posted, deadline, apply, maintainers, draft, summary, body, body_line, reader.line(key["company"]))


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
    return Compensation(amount, currency, pay_type)


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


def _maintainers(reader: FieldReader, node: Node) -> tuple[str, ...] | None:
    items = reader.text_list(node, "maintainers", "[your-github-handle]")
    if isinstance(node, SequenceNode) and not node.value:
        reader.problem(node, "maintainers needs at least one GitHub handle: the people allowed to edit this brief later")
    for item, handle in items:
        if not GITHUB_HANDLE.fullmatch(handle):
            fix = f" (write {handle.lstrip('@')}, without the @)" if handle.startswith("@") else ""
            reader.problem(item, f"maintainers: {handle} is not a GitHub handle{fix}")
    return tuple(handle for _, handle in items)


def _front_fields(source: str, raw: bytes) -> tuple[FieldReader, dict[str, tuple[Node, Node]]] | None:
    """A brief's fields as YAML nodes, read leniently (no problems reported): for the ownership check."""
    try:
        parts = split_front_matter(decode_text(raw)) if len(raw) <= MAX_BRIEF_BYTES else None
    except UnicodeDecodeError:
        return None
    root_node = compose_front_matter(parts[0], parts[1], source, problems=[]) if parts else None
    if not isinstance(root_node, MappingNode):
        return None
    reader = FieldReader(source, parts[0], parts[1], problems=[])
    return reader, reader.mapping(root_node, None, FIELDS)


def brief_maintainers(source: str, raw: bytes) -> tuple[tuple[str, ...], int] | None:
    """The handles a brief's `maintainers` lists and the line it is on; None when there are none to read."""
    found = _front_fields(source, raw)
    if found is None or "maintainers" not in found[1]:
        return None
    reader, fields = found
    key, node = fields["maintainers"]
    handles = _maintainers(reader, node)
    return (handles, reader.line(key)) if handles else None


def brief_company(source: str, raw: bytes) -> tuple[str, int] | None:
    """A brief's company name and the line it is on; None when there is none to read."""
    found = _front_fields(source, raw)
    if found is None or "company" not in found[1] or not isinstance(found[1]["company"][1], MappingNode):
        return None
    reader, fields = found
    company = reader.mapping(fields["company"][1], "company", COMPANY_FIELDS)
    if "name" not in company or not isinstance(company["name"][1], ScalarNode) or not company["name"][1].value.strip():
        return None
    return company["name"][1].value.strip(), reader.line(company["name"][0])


def company_problems(briefs: list[Brief]) -> list[Problem]:
    """One company, one identity: briefs whose company names read the same (see `same_name_key`) must
    write it the same way and agree on its website and logo, so no brief can pass for another company or
    give it another face. The earliest brief (by posted date, then slug) sets what the others must say."""
    first: dict[str, Brief] = {}
    problems = []
    for brief in sorted(briefs, key=lambda b: (b.posted, b.slug)):
        known = first.setdefault(same_name_key(brief.company.name), brief)
        mine, theirs = brief.company, known.company
        if known is brief:
            continue
        if mine.name != theirs.name:
            problems.append(Problem(brief.source, brief.company_line, (
                f"company.name {mine.name} reads the same as {theirs.name}, the company of {known.source}, but is written "
                "differently (case, spacing or look-alike letters): write it exactly as there if it is the same company, "
                "or choose a name that reads differently")))
            continue
        for field, word, value, set_value in (("url", "website", mine.url, theirs.url), ("logo", "logo", mine.logo, theirs.logo)):
            if value and set_value and value != set_value:
                problems.append(Problem(brief.source, brief.company_line, (
                    f"company.{field} {value} differs from {set_value} in {known.source}: every brief of {mine.name} gives "
                    f"the same {word}; write {set_value}, or change it in every brief of {mine.name} at once")))
    return problems


# Files editors write beside the file being edited, which no board means to publish: Vim's swap files and
# its writability probe "4913", Emacs's .#lock and #autosave# files, the backups Emacs and Vim leave after a
# save (brief.md~), JetBrains' safe-write temps; and hidden files (.DS_Store, .goutputstream-*).
EDITOR_NOISE_NAMES = ("4913",)
EDITOR_NOISE_PREFIXES = (".", "#")
EDITOR_NOISE_SUFFIXES = ("~", ".swp", ".swo", ".swx", "___jb_tmp___", "___jb_old___")


def is_editor_noise(name: str) -> bool:
    """True for a file name the board skips wherever it reads a folder, and `board serve` never rebuilds for."""
    return name in EDITOR_NOISE_NAMES or name.startswith(EDITOR_NOISE_PREFIXES) or name.endswith(EDITOR_NOISE_SUFFIXES)


def brief_paths(root: Path) -> tuple[list[Path], list[Problem]]:
    """Every brief file under content/projects/, and a problem for each file there that is not one."""
    folder = root / PROJECTS_DIR
    if not folder.is_dir() or folder.is_symlink() or (root / CONTENT_DIR).is_symlink():
        return [], []  # a linked folder is reported by link_problems
    paths, problems = [], []
    for entry in sorted(os.scandir(folder), key=lambda entry: entry.name):  # scandir: no stat per file where the type is known
        path = Path(entry.path)
        if is_editor_noise(entry.name) or entry.name.lower() == "readme.md" or entry.is_symlink():
            continue  # a link is reported by link_problems
        if first_forbidden(entry.name):  # a byte that is not UTF-8 (read as a lone surrogate), or a control character
            problems.append(Problem(path.relative_to(root).as_posix(), 1, "the file name is not plain UTF-8 text: rename it "
                                                                          "to lowercase letters, digits and hyphens, like acme-crm-cleanup.md"))
        elif entry.is_file() and path.suffix == ".md":
            paths.append(path)
        else:
            problems.append(Problem(path.relative_to(root).as_posix(), 1,
                                    f"only briefs belong in {PROJECTS_DIR}/: one <slug>.md file per project (rename or move this)"))
    return paths, problems


def load_briefs(root: Path, config: SiteConfig, paths: list[Path] | None = None) -> tuple[list[Brief], list[Problem]]:
    """Read every brief (or only `paths`), collecting all problems of all files in one pass."""
    problems: list[Problem] = []
    if paths is None:
        paths, problems = brief_paths(root)
    briefs, duplicates = unique_briefs([brief for path in paths if (brief := read_brief(path, root, config, problems))])
    return briefs, sorted(problems + duplicates)


def unique_briefs(briefs: list[Brief]) -> tuple[list[Brief], list[Problem]]:
    """The briefs by slug, and a problem for each brief whose slug another one already has."""
    by_slug: dict[str, Brief] = {}
    problems = []
    for brief in briefs:
        if brief.slug in by_slug:
            problems.append(Problem(brief.source, 1, f"the slug '{brief.slug}' is already used by {by_slug[brief.slug].source}; rename one file"))
        by_slug.setdefault(brief.slug, brief)
    return sorted(by_slug.values(), key=lambda b: b.slug), problems
