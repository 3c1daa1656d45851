"""Model stage: config + briefs + the build date -> the board as the site shows it (pure, no I/O)."""

from __future__ import annotations

import functools
import itertools
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from .brief import Brief, Company
from .config import SiteConfig
from .eligibility import by_name, eligible_countries, named_countries, territory_name
from .lifecycle import Status, is_closing_soon, next_change, start_of, status_of
from .lazyseq import MonthProjects, Past, Picked, Shares, by_month, chained
from .months import Held, MonthSums, month_of, tally
from .text import unique_slugs


@dataclass(frozen=True, slots=True)
class Body:
    """A project's rendered HTML, read only when a page or feed shows it: a board's whole history of
    bodies is more than a build can hold (about 9 KB each)."""

    key: str  # the fingerprint of what the HTML is made from, so a digest of the project covers it
    origin: str  # what the HTML is made again from should the cache lose it: the brief's file
    # The HTML, by `key` and `origin`: one function for every body of a build (with two closures each, the
    # bodies took 43 MB at 100,000 briefs; 5 MB without).
    read: Callable[[str, str], str]

    @property
    def html(self) -> str:
        return self.read(self.key, self.origin)


@dataclass(frozen=True, slots=True)
class Project:
    """A brief placed on the board: its URL, its status on the build date, its rendered body."""

    brief: Brief
    path: str  # under the base path, e.g. "projects/acme-crm-cleanup/"
    status: Status
    closing_soon: bool
    days_left: int  # days from the build date to the deadline, deadline day counted as 0; -1 once closed (how long
    # ago shows nowhere, so a closed project's pages stay the same from one day's build to the next)
    body: Body
    summary: str
    company_slug: str
    skill_slugs: tuple[str, ...]  # in the brief's order, parallel to brief.skills
    published: datetime  # the start of `posted` in the board's zone
    updated: datetime  # the brief's last change: its last commit, never before `published`

    @property
    def is_open(self) -> bool:
        return self.status is Status.OPEN

    @property
    def html(self) -> str:
        return self.body.html


@dataclass(frozen=True)
class Group:
    """Projects that share a category, a skill or a company, with what the group's pages show."""

    key: str  # category key, skill slug, company slug or lowercase country code
    name: str
    description: str
    open: tuple[Project, ...]
    past: Sequence[Project]  # closed projects, most recently closed first
    url: str | None = None  # company website
    logo: str | None = None  # company logo file in static/logos/


@dataclass(frozen=True)
class Listing:
    """One page of project cards: the home page, a category, a skill, a company or the archive."""

    kind: str  # "home", "category", "skill", "company", "country", "archive"
    title: str
    description: str
    projects: Sequence[Project]  # this page's cards
    number: int
    page_count: int
    total: int  # projects on all pages
    base: str  # the listing's first page, e.g. "categories/data/"
    group: Group | None  # the category, skill, company or country listed; None for home and archive

    @property
    def path(self) -> str:
        return page_path(self.base, self.number)

    @property
    def previous_path(self) -> str | None:
        return page_path(self.base, self.number - 1) if self.number > 1 else None

    @property
    def next_path(self) -> str | None:
        return page_path(self.base, self.number + 1) if self.number < self.page_count else None


@dataclass(frozen=True)
class Feed:
    """The newest open projects of the board, a category, a skill or a country, written in every FEED_FORMATS."""

    base: str  # the listing it follows, "" or "categories/data/"; its files sit beside that page
    title: str
    description: str
    projects: tuple[Project, ...]  # newest first, at most [feeds] items
    updated: datetime  # its newest item's update, or the start of the build date when it lists none


@dataclass(frozen=True)
class ContentPage:
    slug: str
    title: str
    description: str
    html: str

    @property
    def path(self) -> str:
        return f"{self.slug}/"


@dataclass(frozen=True)
class Site:
    config: SiteConfig
    today: date
    projects: Sequence[Project]  # every built project (open and closed): those made now by slug, then each month taken whole
    open: tuple[Project, ...]  # newest first
    archive: Sequence[Project]  # most recently closed first
    categories: tuple[Group, ...]  # in site.toml's order
    skills: tuple[Group, ...]  # by name
    companies: tuple[Group, ...]  # by name
    countries: tuple[Group, ...]  # by name: each country a brief names, itself or through a region, with the open projects it may apply for
    pages: tuple[ContentPage, ...]
    scheduled: tuple[Brief, ...]
    drafts_left_out: int
    next_change: str | None  # "2026-12-16: acme-crm-cleanup closes", for the build summary
    placed: tuple[Project, ...]  # the projects made now, by slug: all of `projects` but the months taken whole
    months: tuple[MonthProjects[Project], ...]  # the archive months taken whole (months.py), by name
    month_sums: MonthSums  # what the board counts of their projects

    def listings(self) -> list[Listing]:
        """Every paginated listing page of the board."""
        per_page = self.config.per_page
        pages = paginate("home", self.config.title, self.config.description, self.open, "", per_page)
        _ = self.config.words.gettext
        pages += paginate("archive", _("Archive"), _("Closed projects, most recently closed first."), self.archive, "archive/", per_page)
        for kind, groups, prefix in (("category", self.categories, "categories"), ("skill", self.skills, "skills"),
                                     ("company", self.companies, "companies"), ("country", self.countries, "countries")):
            for group in groups:
                pages += paginate(kind, group.name, group.description, group.open, f"{prefix}/{group.key}/", per_page, group)
        return pages

    def feeds(self) -> list[Feed]:
        """The board's feed, then one per category, skill and country, like their listings."""
        title, items, _ = self.config.title, self.config.feed_items, self.config.words.gettext
        lists = [("", title, self.config.description, self.open)]
        lists += [(f"categories/{g.key}/", _("%(board)s: %(category)s projects") % {"board": title, "category": g.name},
                   g.description, g.open) for g in self.categories]
        lists += [(f"skills/{g.key}/", _("%(board)s: projects that need %(skill)s") % {"board": title, "skill": g.name},
                   g.description, g.open) for g in self.skills]
        lists += [(f"countries/{g.key}/", _("%(board)s: projects open to %(country)s") % {"board": title, "country": g.name},
                   g.description, g.open) for g in self.countries]
        empty = start_of(self.today, self.config.timezone)
        return [Feed(base, name, about, projects[:items], max((p.updated for p in projects[:items]), default=empty))
                for base, name, about, projects in lists]


def page_path(base: str, number: int) -> str:
    return base if number == 1 else f"{base}page/{number}/"


def paginate(kind: str, title: str, description: str, projects: Sequence[Project], base: str,
             per_page: int, group: Group | None = None) -> list[Listing]:
    """Split projects into listing pages; an empty listing still has its first page."""
    page_count = max(1, -(-len(projects) // per_page))
    return [Listing(kind, title, description, projects[(n - 1) * per_page: n * per_page], n, page_count, len(projects), base, group)
            for n in range(1, page_count + 1)]


def _newest_first(projects: list[Project]) -> tuple[Project, ...]:
    return tuple(sorted(projects, key=lambda p: (p.brief.posted, p.brief.slug), reverse=True))


def _recently_closed_first(projects: list[Project]) -> tuple[Project, ...]:
    return tuple(sorted(projects, key=lambda p: (p.brief.deadline, p.brief.slug), reverse=True))


def _by_group(ordered: tuple[Project, ...]) -> tuple[dict[str, list[Project]], dict[str, list[Project]], dict[str, list[Project]]]:
    """The projects of each skill, of each company and of each category, in the order given."""
    skills: defaultdict[str, list[Project]] = defaultdict(list)
    companies: defaultdict[str, list[Project]] = defaultdict(list)
    categories: defaultdict[str, list[Project]] = defaultdict(list)
    for project in ordered:
        for slug in project.skill_slugs:
            skills[slug].append(project)
        companies[project.company_slug].append(project)
        categories[project.brief.category].append(project)
    return skills, companies, categories


def _closed_in(project: Project) -> str:
    """The archive month a closed project belongs to."""
    return month_of(project.brief.deadline)


def build_model(config: SiteConfig, briefs: list[Brief], bodies: Mapping[str, tuple[Body, str]], today: date,
                pages: tuple[ContentPage, ...] = (), include_drafts: bool = False,
                changed: Mapping[str, datetime] | None = None, held: Held = Held()) -> Site:
    """Place the briefs on the board as of `today`: lifecycle, collections, slugs. Pure.

    `changed` maps a slug to when its brief last changed (its last commit); a brief missing from it
    (no git, not committed yet) counts as changed when it was posted. `held`: archive months the load took
    whole (months.py), placed as they were unless a name's slug or a commit time moved under them."""
    statuses = {brief.slug: status_of(brief, today, include_drafts) for brief in briefs}
    built = [b for b in briefs if statuses[b.slug] in (Status.OPEN, Status.CLOSED)]
    changed = changed or {}
    skill_slugs = unique_slugs([skill for b in built for skill in b.skills] + list(held.sums.spellings))
    company_slugs = unique_slugs([b.company.name for b in built] + list(held.sums.latest))
    held, moved, moved_bodies = held.as_placed(skill_slugs, company_slugs, changed)
    if moved:  # placed again, one by one
        built, bodies = built + moved, {**bodies, **moved_bodies}
        statuses |= dict.fromkeys((b.slug for b in moved), Status.CLOSED)
    place = functools.partial(_placed, config=config, today=today, skill_slugs=skill_slugs, company_slugs=company_slugs, changed=changed)
    projects = place(sorted(built, key=lambda b: b.slug), statuses, bodies)
    months = tuple(MonthProjects(m.part, functools.partial(_month_projects, place, m.unpack)) for m in held.months)
    newest = _newest_first([p for p in projects if p.is_open])
    recently_closed = _recently_closed_first([p for p in projects if not p.is_open])
    # Each group's projects in the same orders, taken from these two in one pass each: no sort per group.
    (open_by_skill, open_by_company, open_by_category), (closed_by_skill, closed_by_company, closed_by_category) = \
        _by_group(newest), _by_group(recently_closed)
    shares = Shares(months)

    def past(kind: str, key: str, made: list[Project]) -> Sequence[Project]:
        return Past(tuple(made), shares, (kind, key), _closed_in) if months else tuple(made)

    spellings: defaultdict[str, Counter[str]] = defaultdict(Counter)  # each skill's names, counted
    for project in projects:
        for skill, slug in zip(project.brief.skills, project.skill_slugs):
            spellings[slug][skill] += 1
    for name, count in held.sums.spellings.items():
        spellings[skill_slugs[name]][name] += count
    skills = []
    for slug, names in spellings.items():
        name = min(names, key=lambda n: (-names[n], n))  # the most common spelling
        description = config.words.gettext("Paid micro-internships that need %(skill)s.") % {"skill": name}
        skills.append(Group(slug, name, description, tuple(open_by_skill.get(slug, ())), past("skill", slug, closed_by_skill.get(slug, []))))
    skills.sort(key=lambda g: (g.name.casefold(), g.key))
    latest: dict[str, tuple[date, str, Company]] = {}  # each company's latest brief: its posted date, slug and company
    for slug, mine in itertools.chain(((p.company_slug, (p.brief.posted, p.brief.slug, p.brief.company)) for p in projects),
                                      ((company_slugs[name], mine) for name, mine in held.sums.latest.items())):
        known = latest.get(slug)
        if known is None or mine[:2] > known[:2]:
            latest[slug] = mine
    companies = [Group(slug, company.name, "", tuple(open_by_company.get(slug, ())), past("company", slug, closed_by_company.get(slug, [])),
                       url=company.url, logo=company.logo) for slug, (_, _, company) in latest.items()]
    categories = [Group(c.key, c.title, c.description, tuple(open_by_category.get(c.key, ())), past("category", c.key, closed_by_category.get(c.key, [])))
                  for c in config.categories]
    scheduled = tuple(sorted((b for b in briefs if statuses[b.slug] is Status.SCHEDULED), key=lambda b: (b.posted, b.slug)))
    return Site(
        config=config, today=today, projects=chained([projects, *months]) if months else projects,
        open=newest, archive=by_month(recently_closed, {month.name: Picked(month, month.part.order) for month in months}, _closed_in),
        categories=tuple(categories), skills=tuple(skills),
        companies=tuple(sorted(companies, key=lambda g: (g.name.casefold(), g.key))),
        countries=country_groups(projects, held.sums, config),
        pages=pages, scheduled=scheduled,
        drafts_left_out=sum(s is Status.DRAFT for s in statuses.values()),
        next_change=next_change([p.brief for p in projects if p.is_open], scheduled),
        placed=projects, months=months, month_sums=held.sums,
    )


def _placed(briefs: list[Brief], statuses: Mapping[str, Status], bodies: Mapping[str, tuple[Body, str]], *, config: SiteConfig,
            today: date, skill_slugs: Mapping[str, str], company_slugs: Mapping[str, str], changed: Mapping[str, datetime]) -> tuple[Project, ...]:
    """The project each brief becomes, in the order given."""
    starts: dict[date, datetime] = {}  # a day's start, made once and shared by the projects posted that day
    placed = []
    for b in briefs:  # a loop of locals: 100,000 times at a board's history
        status, (body, summary) = statuses[b.slug], bodies[b.slug]
        published = starts.get(b.posted) or starts.setdefault(b.posted, start_of(b.posted, config.timezone))
        placed.append(Project(
            brief=b, path=f"projects/{b.slug}/", status=status,
            closing_soon=status is Status.OPEN and is_closing_soon(b, today, config.closing_soon_days),
            days_left=max((b.deadline - today).days, -1), body=body, summary=summary,
            company_slug=company_slugs[b.company.name], skill_slugs=tuple(map(skill_slugs.__getitem__, b.skills)),
            published=published, updated=max(published, changed.get(b.slug, published)),
        ))
    return tuple(placed)


def _month_projects(place: Callable[..., tuple[Project, ...]], unpack: Callable[[], tuple[list[Brief], dict[str, tuple[Body, str]]]]) -> tuple[Project, ...]:
    """The projects of an archive month taken whole, made when a page shows them: as they were placed."""
    briefs, bodies = unpack()
    return place(briefs, dict.fromkeys((b.slug for b in briefs), Status.CLOSED), bodies)


def country_groups(projects: tuple[Project, ...], month_sums: MonthSums, config: SiteConfig) -> tuple[Group, ...]:
    """A group for each country some brief names, itself or through a region, never for `anywhere` alone
    (that would be every country): the open projects a student based there may apply for, anywhere's too."""
    named = sorted(frozenset().union(*map(named_countries, tally("countries", projects, month_sums))))  # each list of codes once
    eligible = [(project, eligible_countries(project.brief.countries)) for project in projects if project.is_open]
    groups = []
    for code in named:
        name = territory_name(code, config.language)
        about = config.words.gettext("Paid micro-internships open to students based in %(country)s.") % {"country": name}
        groups.append(Group(code.lower(), name, about,
                            _newest_first([project for project, countries in eligible if code in countries]), ()))
    return tuple(sorted(groups, key=lambda g: (by_name(g.name), g.key)))
