"""The search page keeps still on a phone: its cumulative layout shift, measured by Chromium's own
Layout Instability API while a visitor searches, filters, sorts, loads more and goes back through the
searches made, stays under 0.1 (the "good" threshold of Core Web Vitals). Shifts within 500 ms of a tap
or key press are the visitor's own doing and Chromium marks them hadRecentInput; every other shift
counts, summed without session windows, which is stricter than the Web Vitals definition. The CPU is
slowed four times, like Lighthouse's mobile preset, and every chunk of the search index arrives 0.6 s
late, so results come after that grace period, as on a real phone on a slow network."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from site_builder.build import build
from tests.browser import chromium
from tests.site_files import REPO
from tests.static_host import hosted

TODAY = date(2026, 11, 25)
PHONE = {"viewport": {"width": 412, "height": 915}, "device_scale_factor": 2.625, "is_mobile": True, "has_touch": True}
GOOD_CLS = 0.1

# Collects every layout shift from the first paint on; `window.__shifts` lists them for the failure message.
RECORD_SHIFTS = """
window.__cls = 0;
window.__shifts = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (entry.hadRecentInput) continue;
    window.__cls += entry.value;
    window.__shifts.push({value: entry.value, at: Math.round(entry.startTime),
      moved: entry.sources.map((s) => [s.node ? (s.node.id || s.node.className || s.node.nodeName) : "?", JSON.stringify(s.previousRect), JSON.stringify(s.currentRect)])});
  }
}).observe({type: "layout-shift", buffered: true});
"""


@pytest.fixture(scope="module")
def search_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The example board's search page, served under its sub-path with gzip and cache headers."""
    folder = tmp_path_factory.mktemp("hosted")
    with hosted(folder, search_latency=0.6) as url:
        build(REPO, folder / "board", TODAY, base_url=url + "board/")
        yield url + "board/search/"


@pytest.fixture
def phone(search_url: str) -> Iterator[Page]:
    with chromium("the layout shift test") as browser:
        context = browser.new_context(**PHONE)
        context.add_init_script(RECORD_SHIFTS)
        page = context.new_page()
        context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": 4})
        yield page
        context.close()


def settle(page: Page) -> None:
    """Wait for the results to be shown, then long enough for any late shift to land outside the grace period."""
    expect(page.locator("#search-results")).not_to_have_attribute("aria-busy", "true", timeout=30_000)
    page.wait_for_timeout(1_000)


def layout_shift(page: Page) -> tuple[float, list]:
    return tuple(page.evaluate("[window.__cls, window.__shifts]"))


def test_search_page_does_not_shift_on_a_phone(phone: Page, search_url: str):
    page = phone
    page.goto(search_url)
    settle(page)  # the first paint, then the search script, the index and the first results
    page.locator("#search-more").tap()  # the next page of results
    expect(page.locator("#search-results > .card")).to_have_count(19, timeout=30_000)
    settle(page)
    page.locator("#search-q").tap()
    page.keyboard.type("data", delay=80)  # a query, typed
    expect(page.locator("#search-summary")).to_contain_text("match", timeout=30_000)
    settle(page)
    page.locator("#search-filters summary").tap()  # a filter, on the folded panel
    page.locator("fieldset[data-facet] input[type=checkbox]").first.tap()
    settle(page)
    page.locator("#search-sort").select_option("deadline")  # a sort
    settle(page)
    page.go_back()  # the searches before, through the browser's history
    settle(page)
    page.go_back()
    settle(page)
    browsing = layout_shift(page)
    page.goto(search_url + "?q=research&sort=newest")  # a shared search, opened
    settle(page)
    opened = layout_shift(page)
    print(f"search page CLS on a 412x915 phone: {browsing[0]:.4f} browsing, {opened[0]:.4f} opening a shared search")
    assert browsing[0] < GOOD_CLS, browsing[1]
    assert opened[0] < GOOD_CLS, opened[1]
