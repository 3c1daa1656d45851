"""The search index in parts, in Chromium: a search across the open bundle and three archive months
shows the same results, counts and order as the same board with its whole index in one bundle."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page

from site_builder.build import build
from site_builder.model import Site
from site_builder.outputs import OutputFile
from site_builder.search import index_search
from site_builder.search_parts import BUNDLE_DIR, OPEN_BUNDLE, PARTS_FILE, bundle_of
from site_builder.writer import write_files
from tests.site_files import copy_example_board
from tests.static_host import hosted
from tests.test_search_browser import browser, context, page, settled  # noqa: F401 (fixtures shared with the search page's tests)

TODAY = date(2026, 11, 25)
WORD = "zephyrine"  # in these briefs only
# slug, posted, deadline, pay (USD, fixed, 10 hours), category: two open, one closed this month (still in
# the open bundle) and one in each of three archive months; no two share a posted day, deadline or pay.
BRIEFS = [
    ("zephyr-open-a", "2026-11-10", "2026-12-20", 700, "data"),
    ("zephyr-open-b", "2026-11-01", "2027-01-10", 450, "research"),
    ("zephyr-recent", "2026-10-20", "2026-11-12", 900, "data"),
    ("zephyr-march", "2026-02-01", "2026-03-15", 300, "writing"),
    ("zephyr-may", "2026-04-02", "2026-05-20", 1200, "data"),
    ("zephyr-july", "2026-06-03", "2026-07-08", 550, "research"),
]


@dataclass(frozen=True)
class Boards:
    parts: str  # the URL of the board with its index in parts
    one_bundle: str  # of the same board with its whole index in one bundle
    site: Site


@pytest.fixture(scope="module")
def boards(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Boards]:
    board = copy_example_board(tmp_path_factory.mktemp("board") / "board")
    template = (board / "content/projects/acme-crm-cleanup.md").read_text()
    for slug, posted, deadline, pay, category in BRIEFS:
        text = re.sub(r"(?m)^title: .*$", f"title: {slug.replace('-', ' ').title()} survey", template)
        for field, value in (("posted", posted), ("deadline", deadline), ("category", category), ("hours", "10"), ("  amount", str(pay))):
            text = re.sub(rf"(?m)^{field}: .*$", f"{field}: {value}", text)
        (board / f"content/projects/{slug}.md").write_text(text + f"\nThe {WORD} records need a second look.\n")
    root = tmp_path_factory.mktemp("served")
    with hosted(root) as url:
        site = build(board, root / "parts", TODAY, base_url=url + "parts/").site
        whole = root / "whole"
        build(board, whole, TODAY, base_url=url + "whole/", search=False)
        files = index_search(site, {OPEN_BUNDLE: site.projects}, lambda path: (whole / path).read_bytes())
        write_files(whole, [*files, OutputFile(f"{BUNDLE_DIR}/{PARTS_FILE}", b'{"archive":{}}')])
        yield Boards(url + "parts/", url + "whole/", site)


def matching(site: Site) -> list:
    return [project for project in site.projects if project.brief.slug.startswith("zephyr-")]


def seen(page: Page, url: str) -> dict:
    """Everything the search page shows of a search: the summary, every result in order, every count."""
    page.goto(url)
    settled(page)
    more = page.locator("#search-more")
    while more.is_visible():
        more.click()
        settled(page)
    links = page.locator("#search-results .card-title a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    counts = page.locator("fieldset[data-facet] label").evaluate_all(
        "labels => labels.map(l => [l.querySelector('input').name, l.querySelector('input').value, l.querySelector('.facet-count').textContent])")
    return {"summary": page.locator("#search-summary").inner_text(), "results": [link.split("/projects/")[1] for link in links],
            "counts": sorted(counts)}


def test_the_query_matches_projects_in_the_open_bundle_and_three_archive_months(boards):
    bundles = {bundle_of(project, TODAY) for project in matching(boards.site)}
    assert bundles == {OPEN_BUNDLE, "2026-03", "2026-05", "2026-07"}


@pytest.mark.parametrize("sort, key, reverse", [("newest", "posted", True), ("deadline", "deadline", False), ("pay", "pay", True),
                                               ("pay_hour", "pay", True)])  # every brief here takes 10 hours: the same order
def test_every_sort_across_bundles_shows_what_one_bundle_shows(page, boards, sort, key, reverse):
    query = f"?q={WORD}&status=all&sort={sort}"
    parts, whole = seen(page, boards.parts + "search/" + query), seen(page, boards.one_bundle + "search/" + query)
    assert parts == whole
    value = {"posted": lambda b: b.posted, "deadline": lambda b: b.deadline, "pay": lambda b: b.compensation.amount}[key]
    expected = sorted(matching(boards.site), key=lambda project: value(project.brief), reverse=reverse)
    assert parts["results"] == [project.path.removeprefix("projects/") for project in expected]
    assert parts["summary"].startswith(f"{len(BRIEFS)} projects")


def test_filter_counts_across_bundles_are_those_of_one_bundle(page, boards):
    for query in (f"?q={WORD}&status=all", f"?q={WORD}&status=closed&category=data", f"?q={WORD}&status=all&category=research"):
        parts, whole = seen(page, boards.parts + "search/" + query), seen(page, boards.one_bundle + "search/" + query)
        assert parts["counts"] == whole["counts"], query
        assert sorted(parts["results"]) == sorted(whole["results"]), query
    counts = {(name, value): text for name, value, text in seen(page, boards.parts + f"search/?q={WORD}&status=all")["counts"]}
    closed = [project for project in matching(boards.site) if not project.is_open]
    assert counts[("status", "closed")] == f"({len(closed)})" and counts[("category", "data")] == "(3)"
