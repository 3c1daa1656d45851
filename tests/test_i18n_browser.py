"""The translated board in real Chromium: the German search page speaks German in its labels, counts and
"no results", and a right-to-left board's project page reads right to left with no serious axe finding."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser import chromium
from tests.test_i18n import board_in
from tests.test_search_browser import AXE, ServedBoard, axe_violations, served_board, settled

expect.set_options(timeout=20_000)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium("the translated board's browser tests") as browser:
        yield browser


@pytest.fixture(scope="module")
def german(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedBoard]:
    board = board_in("de", tmp_path_factory.mktemp("de"))
    with served_board(board, tmp_path_factory.mktemp("de-site"), "board/") as served:
        yield served


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    errors: list[str] = []
    page = browser.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    yield page
    page.goto("about:blank")
    page.close()
    assert errors == []


def test_the_german_search_page_speaks_german(page, german):
    words = german.site.config.words
    open_count = len(german.site.open)
    page.goto(f"{german.url}search/")
    settled(page)
    expect(page.locator("label[for=search-sort]")).to_have_text("Sortieren nach")
    expect(page.locator("#search-filters-heading")).to_contain_text("Projekte filtern")
    expect(page.locator('fieldset[data-facet="status"] legend')).to_have_text("Status")
    expect(page.locator('fieldset[data-facet="where"] .facet-label').first).to_have_text("Remote")
    expect(page.locator("#search-summary")).to_have_text(f"{open_count} offene Projekte, {min(open_count, 10)} angezeigt")
    page.locator('fieldset[data-facet="where"] input[value="on-site"]').check()
    settled(page)
    on_site = sum(not p.brief.remote for p in german.site.open)
    noun = words.ngettext("%(num)d open project", "%(num)d open projects", on_site) % {"num": on_site}
    expect(page.locator("#search-summary")).to_have_text(noun)
    expect(page.locator("#search-filter-count")).to_have_text("(1 aktiv)")
    card = page.locator("#search-results .card").first
    expect(card.locator("[data-slot=hours]")).to_have_text(re.compile(r"^\d+ Stunden$"))
    page.goto(f"{german.url}search/?q=zzzqqq")
    settled(page)
    expect(page.locator("#search-summary")).to_have_text(
        "Keine offenen Projekte zu „zzzqqq“. Versuchen Sie andere Suchwörter oder weniger Filter.")


def test_a_right_to_left_board_reads_right_to_left_with_no_serious_axe_finding(browser, tmp_path):
    if not AXE.is_file():
        pytest.skip("SKIPPED LOUDLY: node_modules/axe-core is missing; run `npm ci`")
    board = board_in("ar", tmp_path / "ar")
    with served_board(board, tmp_path / "site", "board/", search=False) as served:
        context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 1000})  # axe is injected
        page = context.new_page()
        page.goto(f"{served.url}projects/northwind-patient-survey-synthesis/")
        assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
        # The facts panel sits on the left of a right-to-left page, the brief on the right.
        facts, brief = (page.locator(selector).bounding_box() for selector in (".project-facts", ".brief"))
        assert facts["x"] < brief["x"]
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
        page.screenshot(path=tmp_path / "project-rtl.png")
        violations = axe_violations(page)
        context.close()
    assert violations == []
