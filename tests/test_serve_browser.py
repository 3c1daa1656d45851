"""`board serve` in a real browser (Debian's Chromium through Playwright): open pages follow the sources
by themselves, under the pages' own Content-Security-Policy."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from site_builder.devserver import DevServer
from tests.site_files import copy_example_board
from tests.test_serve import BRIEF, NOW, PAGE, TITLE, edit, settle

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
WAIT_MS = 15_000  # generous: a loaded machine rebuilds slowly, and these tests assert behaviour, not speed
STILL_MS = 500  # a tab that has not navigated for this long, with its server stopped, has no reload under way


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.is_file():
        warnings.warn("Chromium is missing: the live-reload browser tests did not run (apt-get install -y chromium)")
        pytest.skip("SKIPPED LOUDLY: no /usr/bin/chromium to test live reload in")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def board(tmp_path: Path) -> Path:
    return copy_example_board(tmp_path / "board")


@pytest.fixture
def tab(browser, board: Path):
    """A tab on the served project page, with the console's complaints collected in `tab.problems`."""
    context = browser.new_context()
    page = context.new_page()
    try:
        with DevServer(board, port=0, now=NOW, log=print) as server:
            settle(server)
            page.problems, page.server = [], server
            page.on("console", lambda message: message.type in ("error", "warning") and page.problems.append(message.text))
            page.on("pageerror", lambda error: page.problems.append(str(error)))
            page.goto(server.url + PAGE.removeprefix("/board/"))
            page.wait_for_function("() => document.readyState === 'complete'")
            page.evaluate("window.loadedOnce = true")  # gone after a reload, kept by an in-place stylesheet swap
            yield page
    finally:
        wait_until_still(page)
        context.close()


def wait_until_still(page) -> None:
    """Once the server has stopped, so that no event can reload the page: wait out a reload under way (one
    sent before the server stopped, or failing against it, which is as quick). Chromium can leave a tab whose
    navigation is committing unclosed, and Playwright then waits on it forever (playwright#42068): the last
    build of a test reloads the page, and closing it at that moment hung 2 runs in 37 here."""
    while True:
        try:
            with page.expect_event("framenavigated", timeout=STILL_MS):
                pass
        except PlaywrightTimeoutError:
            return


def wait_for_heading(tab, text: str) -> None:
    """Wait until the page's h1 holds `text`. A reloading tab can be polled while its new page is still being
    parsed, before it has an h1: that is no failure, and a predicate that threw on it would end the wait."""
    tab.wait_for_function("text => document.querySelector('h1')?.textContent.includes(text)", arg=text, timeout=WAIT_MS)


def reloaded(tab) -> bool:
    """Whether the page loaded again since the tab opened it (a stylesheet swapped in place keeps `loadedOnce`).
    Asked through a wait, which outlasts a reload under way: a brief's preview reloads an open page, and the
    build after it reloads the page again, so a plain `evaluate` could run as that second page replaced it."""
    asked = "() => document.readyState === 'complete' && (window.loadedOnce === undefined ? 'reloaded' : 'kept')"
    return tab.wait_for_function(asked, timeout=WAIT_MS).json_value() == "reloaded"


def test_open_page_reloads_itself_after_a_brief_is_saved(tab, board: Path) -> None:
    edit(board, BRIEF, f"title: {TITLE}", "title: Tidy our customer records before the CRM move")
    wait_for_heading(tab, "Tidy our customer records")
    assert reloaded(tab)
    assert tab.problems == []  # the reload script and its event stream pass the page's CSP


def test_open_page_shows_the_build_error_and_clears_it_when_fixed(tab, board: Path) -> None:
    edit(board, BRIEF, "hours: 20", "hours: 100")
    problems = tab.locator("#board-build-problems")
    problems.wait_for(state="visible", timeout=WAIT_MS)
    assert problems.inner_text() == f"{BRIEF}:9: hours must be a whole number from 5 to 40, got 100"
    assert tab.locator("h1").inner_text() == TITLE  # the last good build, under the overlay
    edit(board, BRIEF, "hours: 100", "hours: 20")
    tab.locator("#board-build-error").wait_for(state="detached", timeout=WAIT_MS)
    assert tab.problems == []


def test_stylesheet_change_is_swapped_in_without_a_reload(tab, board: Path) -> None:
    with (board / "static" / "style.css").open("a") as css:
        css.write("\nbody { outline: 3px solid rgb(1, 2, 3); }\n")
    tab.wait_for_function("() => getComputedStyle(document.body).outlineColor === 'rgb(1, 2, 3)'", timeout=WAIT_MS)
    assert not reloaded(tab)
    assert tab.problems == []


SET_HIDDEN = """hidden => {
  Object.defineProperty(document, "hidden", {value: hidden, configurable: true});
  document.dispatchEvent(new Event("visibilitychange"));
}"""


def test_hidden_tab_lets_go_of_its_stream_and_catches_up_when_shown_again(tab, board: Path) -> None:
    tab.evaluate(SET_HIDDEN, True)
    before = tab.server.status.current.build
    with tab.expect_request("**/__board__/events") as reconnect:
        edit(board, BRIEF, f"title: {TITLE}", "title: Tidy our customer records before the CRM move")
        assert tab.server.status.wait_after(before, timeout=30) is not None
        assert not reloaded(tab)
        tab.evaluate(SET_HIDDEN, False)
    assert reconnect.value.url.endswith("/__board__/events")
    wait_for_heading(tab, "Tidy our customer records")
    assert tab.problems == []


def test_search_page_catches_up_with_the_index_after_a_new_brief(tab, board: Path) -> None:
    search = tab.server.url + "search/?q=zeppelin"
    tab.goto(search)
    results = tab.locator("#search-results .card-title a")
    tab.locator("#search-results:not([aria-busy])").wait_for(state="attached", timeout=WAIT_MS)
    expect(results).to_have_count(0, timeout=WAIT_MS)
    brief = (board / BRIEF).read_text().replace(f"title: {TITLE}", "title: Zeppelin fleet records clean-up")
    (board / "content" / "projects" / "zeppelin-records.md").write_text(brief)
    # The page reloads for the new pages, then for the new index. expect() waits across those reloads;
    # a one-off evaluate sent while one is under way can wait forever (seen once in ~10 loaded runs).
    expect(results).to_have_count(1, timeout=WAIT_MS)
    expect(results).to_have_attribute("href", "/board/projects/zeppelin-records/", timeout=WAIT_MS)
    assert tab.problems == []
