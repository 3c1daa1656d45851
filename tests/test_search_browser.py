"""The search page in a real browser: Debian's Chromium driven by Playwright, the built board served
over HTTP on 127.0.0.1, once at a domain root and once under a sub-path. Expected results come from
the board's own model (the Site the build returns), never from a list written into the test."""

from __future__ import annotations

import contextlib
import functools
import re
import threading
import tomllib
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from site_builder.build import build
from site_builder.model import Project, Site
from tests.browser import chromium
from tests.conftest import brief_text
from tests.site_files import REPO, copy_example_board

TODAY = date(2026, 11, 25)
AXE = REPO / "node_modules/axe-core/axe.min.js"
PAGE_SIZE = 10
# Pagefind loads its WebAssembly and index on every page load; on a busy 2-core CI machine that can
# take a few seconds, more than Playwright's default 5 s for an expectation.
expect.set_options(timeout=20_000)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@dataclass(frozen=True)
class ServedBoard:
    """A board built for, and served at, `url`, which ends in its base path."""

    url: str
    site: Site

    @property
    def base_path(self) -> str:
        return urlsplit(self.url).path

    def link(self, project: Project) -> str:
        return self.base_path + project.path


@contextlib.contextmanager
def served_board(board: Path, folder: Path, sub_path: str, search: bool = True,
                 page: Page | None = None) -> Iterator[ServedBoard]:
    """Build `board` into `folder`/`sub_path` for a free port on 127.0.0.1 and serve `folder` there.

    `page`, if given, leaves the board before the server stops: a search page may still be fetching
    index chunks, and a server closed under it is a reset connection, not a fault of the page."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(folder)))
    url = f"http://127.0.0.1:{server.server_address[1]}/{sub_path}"
    result = build(board, folder / sub_path if sub_path else folder, TODAY, base_url=url, search=search)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield ServedBoard(url, result.site)
    finally:
        if page is not None:
            page.goto("about:blank")
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium("the search page's browser tests") as browser:
        yield browser


@pytest.fixture(scope="module")
def boards(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, ServedBoard]]:
    """The example board, built and served at a domain root and under /board/."""
    with contextlib.ExitStack() as stack:
        yield {name: stack.enter_context(served_board(REPO, tmp_path_factory.mktemp(name), sub_path))
               for name, sub_path in (("root", ""), ("sub-path", "board/"))}


@pytest.fixture
def board(request: pytest.FixtureRequest, boards: dict[str, ServedBoard]) -> ServedBoard:
    """The board under /board/, the harder case; or at the root too, for the tests marked AT_ROOT_AND_SUB_PATH."""
    return boards[getattr(request, "param", "sub-path")]


# The search, the filters, the sort and a shared URL must work at a domain root and under a sub-path.
AT_ROOT_AND_SUB_PATH = pytest.mark.parametrize("board", ["root", "sub-path"], indirect=True)


@pytest.fixture(scope="module")
def context(browser: Browser) -> Iterator[BrowserContext]:
    """One browser context per module, so pages share the HTTP cache; each test has its own page."""
    context = browser.new_context()
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    """A fresh page that records console errors, uncaught exceptions and dialogs; a test ends with none."""
    errors: list[str] = []
    page = context.new_page()
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: errors.append(f"dialog opened: {dialog.message}"))
    yield page
    page.close()
    assert errors == [], "the browser console reported errors"


def search(page: Page, board: ServedBoard, query: str = "") -> None:
    page.goto(f"{board.url}search/{query}")
    settled(page)


def settled(page: Page) -> None:
    """Wait until the page has shown the results of the latest search."""
    page.locator("#search-results:not([aria-busy])").wait_for(state="attached")


def result_links(page: Page) -> list[str]:
    return page.locator("#search-results .card-title a").evaluate_all("links => links.map(a => a.getAttribute('href'))")


def every_result_link(page: Page) -> list[str]:
    """The links of every result, loading more until there are none left."""
    more = page.locator("#search-more")
    while more.is_visible():
        more.click()
        settled(page)
    return result_links(page)


def facet_text(page: Page, name: str, value: str) -> str:
    label = page.locator(f'fieldset[data-facet="{name}"] label', has=page.locator(f'input[value="{value}"]'))
    return label.locator(".facet-count").inner_text()


def facet_count(page: Page, name: str, value: str) -> int:
    return int(facet_text(page, name, value).strip("()"))


def tick(page: Page, name: str, value: str) -> None:
    page.locator(f'fieldset[data-facet="{name}"] input[value="{value}"]').check()
    settled(page)


@AT_ROOT_AND_SUB_PATH
def test_browsing_with_no_query_lists_every_open_project_newest_first(page, board):
    search(page, board)
    newest = [board.link(p) for p in board.site.open]
    assert result_links(page) == newest[:PAGE_SIZE]
    expect(page.locator("#search-summary")).to_have_text(f"{len(newest)} open projects, showing {PAGE_SIZE}")
    expect(page.locator("#search-sort")).to_have_value("newest")
    assert facet_count(page, "status", "open") == len(board.site.open)
    assert facet_count(page, "status", "closed") == len(board.site.archive)
    assert facet_count(page, "status", "all") == len(board.site.projects)


@AT_ROOT_AND_SUB_PATH
def test_typing_a_query_shows_the_matching_projects(page, board):
    search(page, board)
    kestrel = {board.link(p) for p in board.site.open if p.brief.company.name == "Kestrel Robotics"}
    assert len(kestrel) >= 2
    requests: list[str] = []
    page.on("request", lambda request: requests.append(urlsplit(request.url).path))
    page.locator("#search-q").fill("kestrel")
    expect(page.locator("#search-summary")).to_have_text(f"{len(kestrel)} open projects match “kestrel”")
    settled(page)
    assert set(result_links(page)) == kestrel
    assert page.url.endswith("search/?q=kestrel")
    expect(page.locator("#search-sort")).to_have_value("relevance")
    expect(page.locator("#search-results mark").first).to_have_text(re.compile("kestrel", re.I))
    index_files = [path for path in requests if "/pagefind/" in path]
    assert index_files and all(path.startswith(f"{board.base_path}pagefind/") for path in index_files)


def test_query_matches_the_title_before_the_body(page, board):
    project = next(p for p in board.site.open if p.brief.slug == "fjord-heat-pump-market-scan")
    search(page, board, "?q=heat+pump")
    assert result_links(page)[0] == board.link(project)


def test_a_query_matches_what_projects_say_not_their_addresses(page, board):
    mentions = {board.link(p) for p in board.site.projects
                if "svg" in f"{p.brief.title} {re.sub('<[^>]+>', ' ', p.html)} {' '.join(p.brief.skills)}".lower()}  # the body's text
    assert len(mentions) < sum(bool(p.brief.company.logo) for p in board.site.projects), "logos are SVG files"
    search(page, board, "?q=svg&status=all")
    assert set(every_result_link(page)) == mentions
    search(page, board, "?q=board&status=all")
    assert len(every_result_link(page)) < len(board.site.projects), "every result URL has /board/ in it"


def test_a_match_in_the_title_company_or_skills_ranks_above_one_in_the_text(page, tmp_path):
    board = copy_example_board(tmp_path / "source")
    filler = "We need help with a small, well-scoped piece of work over the next few weeks. " * 6
    briefs = {  # for each word: the project that names it in a field, then the one that says it often
        "zebrafish": ({"skills": "[Zebrafish imaging]"}, "Our zebrafish tanks, zebrafish feeding and zebrafish logs. " * 3),
        "quokka": ({"company": "\n  name: Quokka Labs"}, "Quokka photos, quokka maps and quokka counts. " * 3),
        "kiwi": ({"title": "Kiwi orchard yield survey"}, "Kiwi vines, kiwi pickers and kiwi crates. " * 3),
    }
    for word, (field, text) in briefs.items():
        (board / f"content/projects/{word}-in-a-field.md").write_text(brief_text(f"## Context\n\n{filler}\n", **field))
        (board / f"content/projects/{word}-in-the-text.md").write_text(brief_text(f"## Context\n\n{filler} {text}\n"))
    with served_board(board, tmp_path / "site", "", page=page) as served:
        search(page, served)
        for word in briefs:
            page.locator("#search-q").fill(word)
            page.locator("#search-q").press("Enter")
            settled(page)
            assert result_links(page) == [f"/projects/{word}-in-a-field/", f"/projects/{word}-in-the-text/"], word


@AT_ROOT_AND_SUB_PATH
def test_a_filter_narrows_the_list_and_the_counts_follow(page, board):
    search(page, board)
    data = [p for p in board.site.open if p.brief.category == "data"]
    assert facet_count(page, "category", "data") == len(data)
    tick(page, "category", "data")
    assert set(result_links(page)) == {board.link(p) for p in data}
    expect(page.locator("#search-summary")).to_have_text(f"{len(data)} open projects")
    assert facet_count(page, "category", "data") == len(data), "a filter's own counts ignore its selection"
    remote = sum(p.brief.remote for p in data)
    assert (facet_count(page, "where", "remote"), facet_count(page, "where", "on-site")) == (remote, len(data) - remote)
    assert facet_count(page, "status", "open") == len(data)
    # Searching open projects reads the open bundle alone: it cannot count the archive's closed projects.
    assert facet_text(page, "status", "closed") == facet_text(page, "status", "all") == ""
    assert "category=data" in page.url
    tick(page, "status", "all")  # now every bundle: every count is known
    data_closed = sum(p.brief.category == "data" for p in board.site.archive)
    assert (facet_count(page, "status", "closed"), facet_count(page, "status", "all")) == (data_closed, len(data) + data_closed)


def test_two_values_of_one_filter_combine_with_or(page, board):
    search(page, board, "?category=data")
    tick(page, "category", "research")
    either = {board.link(p) for p in board.site.open if p.brief.category in ("data", "research")}
    assert set(result_links(page)) == either
    assert sorted(parse_qsl(urlsplit(page.url).query)) == [("category", "data"), ("category", "research")]


def test_filters_of_different_kinds_combine_with_and(page, board):
    search(page, board, "?hours=11-20&where=remote")
    expected = {board.link(p) for p in board.site.open if 11 <= p.brief.hours <= 20 and p.brief.remote}
    assert set(every_result_link(page)) == expected


@AT_ROOT_AND_SUB_PATH
def test_changing_the_sort_changes_the_order(page, board):
    search(page, board)
    newest = result_links(page)
    page.locator("#search-sort").select_option("deadline")
    settled(page)
    by_deadline = sorted(board.site.open, key=lambda p: p.brief.deadline)
    shown = {board.link(p): p for p in board.site.open}
    deadlines = [shown[link].brief.deadline for link in result_links(page)]
    assert deadlines == [p.brief.deadline for p in by_deadline[:PAGE_SIZE]]
    assert result_links(page) != newest
    page.locator("#search-sort").select_option("pay")
    settled(page)
    worth = board_currency_worth(REPO / "site.toml")  # the example board pays in several currencies, with rates
    pays = [worth(shown[link]) for link in result_links(page)]
    assert pays == sorted(map(worth, board.site.open), reverse=True)[:PAGE_SIZE]
    assert page.url.endswith("search/?sort=pay")


def board_currency_worth(site_toml: Path):
    """A project's total pay in the board's currency, at the rates of site.toml's [money], read here."""
    money = tomllib.loads(site_toml.read_text(encoding="utf-8"))["money"]
    rates = {money["currency"]: 1, **money["rates"]}

    def worth(project: Project) -> Decimal:
        pay = project.brief.compensation
        return pay.total(project.brief.hours) * Decimal(str(rates[pay.currency]))
    return worth


@AT_ROOT_AND_SUB_PATH
def test_a_shared_url_reloads_to_the_same_search(page, board):
    search(page, board, "?q=data&category=data&category=research&sort=deadline")
    expect(page.locator("#search-q")).to_have_value("data")
    expect(page.locator('input[name="category"][value="data"]')).to_be_checked()
    expect(page.locator('input[name="category"][value="research"]')).to_be_checked()
    expect(page.locator("#search-sort")).to_have_value("deadline")
    first = result_links(page)
    summary = page.locator("#search-summary").inner_text()
    assert first
    page.reload()
    settled(page)
    assert result_links(page) == first
    expect(page.locator("#search-summary")).to_have_text(summary)
    expect(page.locator('input[name="category"][value="research"]')).to_be_checked()


def test_back_and_forward_step_through_searches(page, board):
    search(page, board)
    tick(page, "category", "design")
    design = {board.link(p) for p in board.site.open if p.brief.category == "design"}
    assert set(result_links(page)) == design
    page.go_back()
    settled(page)
    expect(page.locator('input[name="category"][value="design"]')).not_to_be_checked()
    assert len(result_links(page)) == PAGE_SIZE
    page.go_forward()
    settled(page)
    expect(page.locator('input[name="category"][value="design"]')).to_be_checked()
    assert set(result_links(page)) == design


def test_closed_projects_are_found_only_with_the_status_filter(page, board):
    search(page, board)
    closed = {board.link(p) for p in board.site.archive}
    assert not closed & set(every_result_link(page))
    page.locator('input[name="status"][value="closed"]').check()
    settled(page)
    assert set(every_result_link(page)) == closed
    assert page.url.endswith("search/?status=closed")
    expect(page.locator("#search-results .card-closed .badge-closed")).to_have_count(len(closed))
    page.locator('input[name="status"][value="all"]').check()
    settled(page)
    assert set(every_result_link(page)) == {board.link(p) for p in board.site.projects}


def test_load_more_appends_results_and_keeps_the_place(page, board):
    search(page, board)
    first = result_links(page)
    more = page.locator("#search-more")
    more.scroll_into_view_if_needed()
    before = page.evaluate("window.scrollY")
    more.click()
    settled(page)
    links = result_links(page)
    assert links[:PAGE_SIZE] == first
    assert links == [board.link(p) for p in board.site.open]
    expect(more).to_be_hidden()
    expect(page.locator("#search-results .card-title a").nth(PAGE_SIZE)).to_be_focused()
    assert page.evaluate("window.scrollY") >= before
    page.reload()
    settled(page)
    assert result_links(page) == links, "a reload (or Back from a project) keeps the loaded results"


@AT_ROOT_AND_SUB_PATH
def test_a_result_card_carries_the_listing_card_facts(page, board):
    project = next(p for p in board.site.open if p.brief.slug == "acme-crm-cleanup")
    search(page, board, "?q=crm+migration")
    card = page.locator("#search-results .card", has=page.locator(f'a[href="{board.link(project)}"]'))
    expect(card.locator(".card-company a")).to_have_text(project.brief.company.name)
    expect(card.locator(".card-company a")).to_have_attribute("href", f"{board.base_path}companies/{project.company_slug}/")
    expect(card.locator(".facts li")).to_have_text(["$600 fixed", "20 hours", "Remote", "Closes in 20 days (Dec 15, 2026)"])
    expect(card.locator("img.logo")).to_have_attribute("src", re.compile(f"^{board.base_path}static/logos/acme.svg"))
    expect(card.locator(".tags a")).to_have_text(list(project.brief.skills))
    card.locator(".card-title a").click()
    expect(page).to_have_url(board.url + project.path)


def test_the_header_search_box_leads_to_the_search_page(page, board):
    page.goto(board.url)
    page.locator("#header-q").fill("kestrel")
    page.locator("#header-q").press("Enter")
    settled(page)
    expect(page.locator("#search-q")).to_have_value("kestrel")
    assert result_links(page) and all("kestrel" in link for link in result_links(page))


def test_keyboard_alone_can_search_filter_and_sort(page, board):
    search(page, board)
    page.locator("#search-q").focus()
    page.keyboard.type("design")
    page.keyboard.press("Enter")
    settled(page)
    checkbox = page.locator('input[name="category"][value="design"]')
    checkbox.focus()
    page.keyboard.press("Space")
    settled(page)
    expect(checkbox).to_be_checked()
    expect(checkbox).to_be_focused()
    page.locator("#search-sort").focus()
    page.keyboard.press("ArrowDown")
    settled(page)
    assert "sort=" in page.url
    expect(page.locator("#search-summary")).to_have_attribute("role", "status")


def test_on_a_phone_the_filters_fold_above_the_results(page, board):
    page.set_viewport_size({"width": 375, "height": 800})
    search(page, board, "?category=data&where=remote")
    expect(page.locator('input[name="category"][value="data"]')).to_be_hidden()
    expect(page.locator("#search-filters summary")).to_have_text("Filter projects (2 active)")
    expect(page.locator("#search-results .card").first).to_be_in_viewport()
    page.locator("#search-filters summary").click()
    expect(page.locator('input[name="category"][value="data"]')).to_be_visible()


def test_search_page_without_javascript_links_to_categories_and_skills(browser, board):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{board.url}search/")
    notice = page.locator(".search-fallback").first
    expect(notice).to_contain_text("Search needs JavaScript")
    for category in board.site.config.categories:
        expect(notice.locator(f'a[href="{board.base_path}categories/{category.key}/"]')).to_be_visible()
    expect(notice.locator(f'a[href="{board.base_path}skills/"]')).to_be_visible()
    expect(page.locator("#search-ui")).to_be_hidden()
    context.close()


def test_a_board_built_without_search_says_search_is_unavailable(browser, tmp_path):
    context = browser.new_context()
    page = context.new_page()
    with served_board(REPO, tmp_path, "board/", search=False) as board:
        page.goto(f"{board.url}search/?q=data")
        expect(page.locator("#search-unavailable")).to_be_visible()
        expect(page.locator("#search-unavailable")).to_contain_text("Search is not available right now")
    context.close()


def test_hostile_brief_text_is_shown_as_text_in_results(page, tmp_path):
    board = copy_example_board(tmp_path / "source")
    evil = "<img src=x onerror=alert(1)>\"'</script>"
    brief = board / "content/projects/acme-crm-cleanup.md"
    text = brief.read_text()
    quoted = evil.replace("'", "''")
    text = text.replace("title: Clean up our customer records before the CRM migration", f"title: '{quoted} zanzibar'")
    brief.write_text(text.replace("name: Acme Analytics", f"name: '{quoted} Inc'", 1))
    with served_board(board, tmp_path / "site", "", page=page) as served:
        search(page, served, "?q=zanzibar")
        expect(page.locator("#search-results .card-title a")).to_have_text(f"{evil} zanzibar")
        expect(page.locator("#search-results .card-company a")).to_have_text(f"{evil} Inc")
        expect(page.locator("#search-results img[src='x']")).to_have_count(0)


def axe_violations(page: Page) -> list[str]:
    """Serious and critical axe-core violations on the page as it is now."""
    page.add_script_tag(path=str(AXE))
    report = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in report["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("path", ["", "projects/acme-crm-cleanup/", "search/?q=data&category=data"])
def test_pages_have_no_serious_accessibility_violations(browser, board, path):
    if not AXE.is_file():
        warnings.warn("axe-core is missing: the accessibility checks did not run (`make test` runs `npm ci`)")
        pytest.skip("SKIPPED LOUDLY: node_modules/axe-core is missing; run `npm ci`")
    context = browser.new_context(bypass_csp=True)  # axe is injected as a script the page's CSP would refuse
    page = context.new_page()
    page.goto(board.url + path)
    if path.startswith("search/"):
        settled(page)
    violations = axe_violations(page)
    context.close()
    assert violations == []


@pytest.mark.parametrize("query", ["?sort=constructor", "?sort=__proto__", "?sort=toString&category=__proto__",
                                   "?status=hasOwnProperty&where=constructor&pay=__proto__"])
def test_a_url_naming_object_properties_browses_as_if_they_were_not_there(page, board, query):
    # The page looks URL parameters up in its own tables only: `"constructor" in SORTS` is true in JavaScript.
    search(page, board, query)
    newest = [board.link(p) for p in board.site.open]
    expect(page.locator("#search-summary")).to_have_text(f"{len(newest)} open projects, showing {PAGE_SIZE}")
    assert result_links(page) == newest[:PAGE_SIZE]
    expect(page.locator("#search-sort")).to_have_value("newest")


@pytest.mark.parametrize("name", ["skill", "company"])
@pytest.mark.parametrize("value", ["__proto__", "constructor"])
def test_a_filter_value_named_like_an_object_property_matches_nothing_and_says_so(page, board, name, value):
    search(page, board, f"?{name}={value}")
    expect(page.locator("#search-summary")).not_to_have_text("Loading search…")
    assert result_links(page) == []
    ticked = page.locator(f'fieldset[data-facet="{name}"] input[value="{value}"]')
    expect(ticked).to_be_checked()
    assert facet_count(page, name, value) == 0
