"""Pages stage: the Site -> HTML OutputFiles, through one Jinja environment and one typed context.

The layouts are the packaged theme's, and the board's own in `layouts/` wherever it has one (see `theme`):
a board's owners restyle it there without touching Python. What goes wrong inside a layout is reported
by `layouts` as the layout's own file and line.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, time
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from .config import SiteConfig
from .eligibility import ANYWHERE, countries_in, places
from .errors import BoardError, Problem
from .i18n import Interface, install_translations, search_page_words
from .facets import BROWSE_WORD, Facet, Facets, SearchKeys
from .layouts import Layouts, layout_problems
from .model import ContentPage, Group, Listing, Project, Site
from .outputs import FEED_FORMATS, OutputFile
from .text import output_json, without_forbidden
from .theme import STATIC_DIR, Theme
from .wording import apply_label, closes_text, day_text, deadline_text, hours_text, money, pay_text, where_text

PROJECT_LAYOUT = "project.html"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' https: data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'"
)


@dataclass(frozen=True)
class NavItem:
    path: str
    name: str


@dataclass(frozen=True)
class Navigation:
    """What every page shows of the rest of the board (header and footer links): no counts and no
    projects, so that a change to one project never touches every page."""

    categories: tuple[NavItem, ...]
    pages: tuple[NavItem, ...]


@dataclass(frozen=True)
class JobPosting:
    """An open project's schema.org JobPosting JSON-LD, written out only when its page is rendered
    (a page the build skips never pays for it)."""

    project: Project
    config: SiteConfig

    def __str__(self) -> str:
        return job_posting(self.project, self.config)


@dataclass(frozen=True)
class FeedLink:
    """What a page shows of a feed: where it is and its name (not its projects, which pages do not show)."""

    base: str
    title: str


@dataclass(frozen=True)
class PageContext:
    """Everything a layout may use about the page being rendered, built in one place.

    With the Renderer's data (config, nav) it is all a layout can see, which is what lets the build skip
    a page whose context and layouts are unchanged since the last build."""

    path: str  # under the base path: "" for home, "projects/x/" for a project
    title: str  # the <title>, without the board's name
    description: str
    noindex: bool = False
    listing: Listing | None = None
    project: Project | None = None
    content: ContentPage | None = None
    groups: tuple[Group, ...] = field(default_factory=tuple)  # for the index pages and the home page's category chips
    json_ld: JobPosting | None = None
    search: SearchRecord | None = None  # a project page's filters, sort keys and card facts for the search index
    facets: tuple[Facet, ...] = field(default_factory=tuple)  # the search page's filter panel
    pay_sort: bool = False  # the search page offers sorting by pay: every project's pay can be put in one order

    @property
    def output_path(self) -> str:
        """The file the page is written to, under the output folder."""
        return self.path if self.path.endswith(".html") else self.path + "index.html"


@dataclass(frozen=True)
class PageSpec:
    """A page to render: its layout and its context."""

    template: str
    context: PageContext


@dataclass(frozen=True)
class SearchRecord:
    """What the search index learns from a project page besides its text (see layouts/project.html)."""

    keys: SearchKeys
    meta: tuple[tuple[str, str], ...]  # the facts of a search result card, the same as a listing card's


def applicant_countries(codes: tuple[str, ...]) -> list[str]:
    """A brief's countries as Google takes them, countries only: a region (EU, 150 Europe) becomes the countries it holds."""
    found: dict[str, None] = {}
    for code in codes:
        found.update(dict.fromkeys(sorted(countries_in(code))))
    return list(found)


def job_posting(project: Project, config: SiteConfig) -> str:
    """schema.org JobPosting JSON-LD in the values Google documents, escaped so no field can end the
    <script> element it sits in.

    Fixed pay has no baseSalary: Google takes a salary per HOUR, DAY, WEEK, MONTH or YEAR and asks for the
    actual pay, not an estimate, and an hourly equivalent would divide the fee by the employer's estimate of
    the hours. The description starts with the pay and the effort instead, as the page states them."""
    brief = project.brief
    pay = brief.compensation
    organization: dict[str, Any] = {"@type": "Organization", "name": brief.company.name}
    if brief.company.url:
        organization["sameAs"] = brief.company.url
    if brief.company.logo:
        organization["logo"] = config.absolute(f"static/logos/{brief.company.logo}")
    words = config.words
    facts = (f"<p>{escape(words.gettext('Pay'))}: {escape(pay_text(project, config))}. "
             f"{escape(words.gettext('Effort'))}: {escape(hours_text(brief.hours, words))}.</p>\n")
    last_moment = datetime.combine(brief.deadline, time(23, 59, 59), ZoneInfo(config.timezone))
    posting: dict[str, Any] = {
        "@context": "https://schema.org/", "@type": "JobPosting",
        "title": brief.title, "description": facts + project.html,
        "identifier": {"@type": "PropertyValue", "name": config.title, "value": brief.slug},
        "datePosted": brief.posted.isoformat(), "validThrough": last_moment.isoformat(),
        "employmentType": ["INTERN", "CONTRACTOR"], "hiringOrganization": organization,
        "directApply": False,
        "url": config.absolute(project.path),
    }
    if pay.type == "hourly":
        posting["baseSalary"] = {"@type": "MonetaryAmount", "currency": pay.currency, "value": {
            "@type": "QuantitativeValue", "value": float(pay.amount), "unitText": "HOUR"}}
    if brief.remote:
        posting["jobLocationType"] = "TELECOMMUTE"
        if ANYWHERE not in brief.countries:  # Google wants the property only where applicants must be somewhere
            posting["applicantLocationRequirements"] = [{"@type": "Country", "name": code} for code in applicant_countries(brief.countries)]
    else:
        city, _, country = brief.location.rpartition(",")
        posting["jobLocation"] = {"@type": "Place", "address": {
            "@type": "PostalAddress", "addressLocality": city.strip(), "addressCountry": country.strip()}}
    text = output_json(posting, sort_keys=True, indent=1)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class Renderer:
    """The one Jinja environment of a build, with the helpers every layout shares."""

    def __init__(self, theme: Theme, site: Site, layouts: Layouts, statics: dict[str, bytes]):
        self.config = site.config
        self.theme = theme  # the board's layouts and static files, its own over the theme's
        self.statics = statics  # what the board publishes under static/, by output path (see statics.load_statics)
        self._asset_versions: dict[str, str | None] = {}
        self.linked: set[str] = set()  # the static files the page being rendered links
        self.layouts = layouts  # compiled by the loader
        self.env = layouts.env
        words = self.config.words
        install_translations(self.env, words.translations)
        # The data every layout can see besides its page; page fingerprints include it.
        self.data = {"config": self.config, "nav": navigation(site), "csp": CONTENT_SECURITY_POLICY,
                     "text_direction": words.direction,
                     "feed_formats": FEED_FORMATS, "feeds": {feed.base: FeedLink(feed.base, feed.title) for feed in site.feeds()}}
        language = self.config.language
        self.facets = Facets(site, lambda amount, currency: money(amount, currency, language))
        self.env.globals.update(
            self.data, search_words=search_page_words(words), url=self.url, absolute_url=self.config.absolute, static=self.static_url, browse_word=BROWSE_WORD,
            hours=lambda n: hours_text(n, words), pay=lambda p: pay_text(p, self.config), where=lambda p: where_text(p, words),
            apply_label=lambda address: apply_label(address, words),
            closes=lambda p: closes_text(p, words), day=lambda d: day_text(d, language), deadline=lambda p: deadline_text(p, words),
            places=lambda codes: places(codes, language),
        )

    def url(self, path: str) -> str:
        """A link to a page of the board, under the base path."""
        return self.config.base_path + path

    def static_url(self, path: str) -> str:
        """A static file's URL with a version drawn from its bytes, so browsers can cache it for good."""
        version = self.static_version(path)
        if version is None:
            raise BoardError([Problem(f"{STATIC_DIR}/{path}", 1, "a layout links to this file, but it does not exist")])
        self.linked.add(path)
        return f"{self.config.base_path}static/{path}?v={version}"

    def static_version(self, path: str) -> str | None:
        """The version of static/`path` in links: a hash of its published bytes; None when there is no such file."""
        if path not in self._asset_versions:
            data = self.statics.get(f"{STATIC_DIR.as_posix()}/{path}")
            self._asset_versions[path] = hashlib.sha256(data).hexdigest()[:10] if data is not None else None
        return self._asset_versions[path]

    def search_record(self, project: Project) -> SearchRecord:
        """The project's filters, sort keys and card facts for the index.

        The brief is the page's indexed text; Pagefind also searches every meta value, and ranks a
        match there (the title, the company, the skills) above one in the text. So no value holds a URL (a search for "board" or
        "static" would match every project): the search page builds links from the company and skill
        slugs, and the logo's URL is written in hexadecimal, one word nobody types ("svg" would match
        every project with an SVG logo)."""
        brief = project.brief
        badge = "closed" if not project.is_open else "soon" if project.closing_soon else ""
        logo = self.static_url(f"logos/{brief.company.logo}").encode().hex() if brief.company.logo else ""
        meta = (
            ("title", brief.title), ("company", brief.company.name), ("company_slug", project.company_slug),
            ("logo", logo), ("pay", pay_text(project, self.config)), ("hours", hours_text(brief.hours, self.config.words)),
            ("where", where_text(project, self.config.words)), ("deadline", deadline_text(project, self.config.words)),
            ("badge", badge), ("summary", project.summary),
            ("skills", output_json(list(zip(brief.skills, project.skill_slugs)))),
            ("kind", BROWSE_WORD),
        )
        return SearchRecord(self.facets.keys(project), meta)

    def project_inputs(self) -> tuple[Any, ...]:
        """Everything of the board besides the project that `project_spec` reads: its settings and the
        canonical names and sorts the search record uses (the files a page links count apart)."""
        return (self.config, self.facets.skill_names, self.facets.company_names, self.facets.pay_sortable)

    def render(self, spec: PageSpec) -> OutputFile:
        """The page's HTML; `linked` then holds the static files it links."""
        self.linked = set()
        with layout_problems(self.theme, spec.template, spec.context.output_path):
            html = self.env.get_template(spec.template).render(page=spec.context)
        return OutputFile(spec.context.output_path, without_forbidden(html).encode())


def navigation(site: Site) -> Navigation:
    return Navigation(tuple(NavItem(f"categories/{group.key}/", group.name) for group in site.categories),
                      tuple(NavItem(page.path, page.title) for page in site.pages))


def page_specs(site: Site, renderer: Renderer) -> list[PageSpec]:
    """Every HTML page of the board but the projects' (see `project_spec`), with the context it is rendered
    from. A context holds all its page shows (the facets, say), so its digest covers it."""
    _ = site.config.words.gettext
    specs = []
    for listing in site.listings():
        title = listing.title if listing.kind != "home" else _("Open projects")
        if listing.number > 1:
            title = _("%(title)s (page %(number)d of %(count)d)") % {"title": title, "number": listing.number, "count": listing.page_count}
        description = listing.description or _listing_description(listing, site.config.words)
        chips = site.categories if listing.kind == "home" and listing.number == 1 else ()
        specs.append(PageSpec("listing.html", PageContext(listing.path, title, description, listing=listing, groups=chips)))
    for template, path, title, description, groups in (
        ("categories.html", "categories/", _("Categories"), _("Every category of project on the board."), site.categories),
        ("groups.html", "skills/", _("Skills"), _("Projects by the skills they need."), site.skills),
        ("groups.html", "companies/", _("Companies"), _("The employers posting projects on the board."), site.companies),
        ("groups.html", "countries/", _("Countries"), _("Projects by the country a student applies from."), site.countries),
    ):
        specs.append(PageSpec(template, PageContext(path, title, description, groups=groups)))
    for page in site.pages:
        specs.append(PageSpec("page.html", PageContext(page.path, page.title, page.description or site.config.description, content=page)))
    specs.append(PageSpec("search.html", PageContext("search/", _("Search"), _("Search every project on the board."), facets=renderer.facets.panel(),
                                                    pay_sort=renderer.facets.pay_sortable)))
    specs.append(PageSpec("404.html", PageContext("404.html", _("Page not found"), _("This page does not exist."), noindex=True)))
    return specs


def project_spec(project: Project, renderer: Renderer) -> PageSpec:
    """A project's page. Its context is made of the project and `renderer.project_inputs()` alone: a
    rebuild fingerprints the page from those without making the context (pagekeys.PageKeys)."""
    json_ld = JobPosting(project, renderer.config) if project.is_open else None
    return PageSpec(PROJECT_LAYOUT, PageContext(
        project.path, renderer.config.words.gettext("%(title)s at %(company)s") % {"title": project.brief.title, "company": project.brief.company.name},
        project.summary,
        noindex=not project.is_open, project=project, json_ld=json_ld, search=renderer.search_record(project)))


def _listing_description(listing: Listing, words: Interface) -> str:
    if listing.kind == "company":
        return words.gettext("Paid micro-internships from %(company)s.") % {"company": listing.title}
    return listing.title
