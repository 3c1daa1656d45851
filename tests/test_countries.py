"""A page and feeds per country: /countries/<cc>/ lists the open projects a student based there may apply
for (the country by name, a region holding it, or anywhere), without JavaScript; each is in the OPML and
the sitemap, and project pages link to them."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import feedparser_rs

from tests.eligible import countries_of, examples, named, open_to
from tests.site_files import EXAMPLE_DATE, REPO, parse_html

BASE = "https://example.org/board/"


def listed_slugs(output: Path, base: str) -> set[str]:
    """The projects a listing shows on the cards of all its pages, read from the HTML."""
    slugs, pages = set(), [output / base / "index.html", *sorted((output / base / "page").glob("*/index.html"))]
    for page in pages:
        elements = parse_html(page.read_text(encoding="utf-8")).elements
        slugs |= {attrs["href"].split("/projects/")[1].strip("/") for tag, attrs in elements
                  if tag == "a" and "/projects/" in attrs.get("href", "")}
    return slugs


def test_there_is_a_page_for_each_country_a_brief_names_and_none_other(example_build):
    output, _ = example_build
    pages = {path.parent.name.upper() for path in (output / "countries").glob("*/index.html")}
    assert pages == named(REPO)
    assert "JP" not in pages  # only `anywhere` covers Japan: no page for it


def test_each_country_page_lists_exactly_the_projects_open_to_it(example_build):
    output, _ = example_build
    picked = examples(REPO, EXAMPLE_DATE)
    for code in sorted(named(REPO)):
        assert listed_slugs(output, f"countries/{code.lower()}/") == open_to(REPO, EXAMPLE_DATE, code), code
    assert open_to(REPO, EXAMPLE_DATE, picked["region"]) - open_to(REPO, EXAMPLE_DATE, picked["anywhere"])


def test_country_feeds_parse_without_bozo_and_hold_the_pages_projects(example_build):
    output, _ = example_build
    for code in sorted(named(REPO)):
        folder = output / f"countries/{code.lower()}"
        expected = {f"{BASE}projects/{slug}/" for slug in open_to(REPO, EXAMPLE_DATE, code)}
        for name in ("feed.xml", "atom.xml", "feed.json"):
            data = (folder / name).read_bytes()
            parsed = feedparser_rs.parse(data) if name.endswith(".json") else feedparser.parse(data)
            assert not parsed.bozo, (folder / name, parsed.get("bozo_exception"))
            assert {entry.link for entry in parsed.entries} == expected, (code, name)


def test_opml_and_sitemap_list_every_country(example_build):
    output, _ = example_build
    opml = ET.fromstring((output / "feeds.opml").read_bytes())
    folder = next(o for o in opml.find("body") if o.get("text") == "Countries")
    assert {o.get("xmlUrl") for o in folder} == {f"{BASE}countries/{c.lower()}/feed.xml" for c in named(REPO)}
    sitemap = (output / "sitemap.xml").read_text(encoding="utf-8")
    assert all(f"<loc>{BASE}countries/{c.lower()}/</loc>" in sitemap for c in named(REPO))


def test_every_page_leads_to_the_countries_from_its_header_marked_current_on_theirs(example_build):
    output, _ = example_build
    country = min(named(REPO)).lower()
    for page, current in (("index.html", False), ("archive/index.html", False), ("countries/index.html", True),
                          (f"countries/{country}/index.html", True)):
        links = [attrs for tag, attrs in parse_html((output / page).read_text(encoding="utf-8")).elements
                 if tag == "a" and attrs.get("href") == "/board/countries/"]
        assert links and links[0].get("aria-current") == ("page" if current else None), page  # the header's, first (a breadcrumb may follow)


def test_project_pages_link_their_countries_and_the_countries_of_their_regions(example_build):
    output, result = example_build
    for project in result.site.projects:
        html = (output / project.path / "index.html").read_text(encoding="utf-8")
        links = {attrs["href"] for tag, attrs in parse_html(html).elements  # each country's page; the header links them all
                 if tag == "a" and "/countries/" in attrs.get("href", "") and not attrs["href"].endswith("/countries/")}
        wanted = set() if project.brief.countries == ("anywhere",) else named_by(project.brief.countries)
        assert {href.split("/countries/")[1].strip("/").upper() for href in links} == wanted, project.brief.slug
        assert all((output / href.removeprefix("/board/") / "index.html").is_file() for href in links)


def named_by(codes: tuple[str, ...]) -> set[str]:
    return set().union(*(countries_of(code) for code in codes if code != "anywhere"))
