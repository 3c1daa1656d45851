""""I can apply from", "closes within 7 days" and pay sorted across currencies on the search page, in Chromium,
on the example board; and the country pages, which list the same projects with JavaScript off. The expected
projects are worked out from the briefs, site.toml and CLDR's own file (tests/eligible.py), apart from the
board's code."""

from __future__ import annotations

import contextlib
import tomllib
import warnings
from collections.abc import Iterator
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.eligible import examples, open_briefs, open_to
from tests.site_files import EXAMPLE_DATE, REPO
from tests.test_search_browser import (AXE, TODAY, ServedBoard, axe_violations, browser, context, every_result_link,  # noqa: F401
                                       page, served_board, settled)

KINDS = ["listed", "region", "anywhere"]  # a country an open brief names; one only a region brings in; one only `anywhere` covers
PICKED = examples(REPO, EXAMPLE_DATE)


@pytest.fixture(scope="module")
def board(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedBoard]:
    with contextlib.ExitStack() as stack:
        yield stack.enter_context(served_board(REPO, tmp_path_factory.mktemp("eligibility"), "board/"))


def slugs(links: list[str]) -> set[str]:
    return {link.rstrip("/").rsplit("/", 1)[1] for link in links}


@pytest.mark.parametrize("kind", KINDS)
def test_search_by_country_shows_exactly_the_projects_open_to_it(page, board, kind):
    country = PICKED[kind]
    expected = open_to(REPO, EXAMPLE_DATE, country)
    assert expected, f"the example board has open projects for {country}"
    page.goto(f"{board.url}search/?country={country}")
    settled(page)
    assert slugs(every_result_link(page)) == expected
    expect(page.locator("#facet-country")).to_have_value(country)
    option = page.locator(f'#facet-country option[value="{country}"]')
    assert option.inner_text().endswith(f"({len(expected)})")


def test_the_country_choice_is_remembered_and_offered_again(browser, board):
    country = PICKED["region"]
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{board.url}search/")
    settled(page)
    page.locator("#facet-country").select_option(country)
    settled(page)
    assert f"country={country}" in page.url
    page.goto(f"{board.url}search/")  # a later visit whose address names no country
    settled(page)
    expect(page.locator("#facet-country")).to_have_value(country)
    assert slugs(every_result_link(page)) == open_to(REPO, EXAMPLE_DATE, country)
    page.reload()
    settled(page)
    expect(page.locator("#facet-country")).to_have_value(country)
    page.locator("#facet-country").select_option("")  # choosing "Any country" forgets it
    settled(page)
    page.goto(f"{board.url}search/")
    settled(page)
    expect(page.locator("#facet-country")).to_have_value("")
    assert page.evaluate("Object.keys(localStorage)") == []
    context.close()


def test_an_unknown_country_in_the_address_filters_nothing(page, board):
    page.goto(f"{board.url}search/?country=__proto__")
    settled(page)
    expect(page.locator("#facet-country")).to_have_value("")
    assert len(every_result_link(page)) == len(board.site.open)


@pytest.mark.parametrize("kind", KINDS[:2])
def test_a_country_page_lists_the_same_projects_without_javascript(browser, board, kind):
    country = PICKED[kind]
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{board.url}countries/{country.lower()}/")
    links = page.locator(".cards .card-title a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert slugs(links) == open_to(REPO, EXAMPLE_DATE, country)
    context.close()


def test_closes_within_7_days_keeps_the_projects_whose_deadline_is_a_week_away_or_less(page, board):
    page.goto(f"{board.url}search/?closes=week")
    settled(page)
    expected = {p.brief.slug for p in board.site.open if (p.brief.deadline - TODAY).days <= 7}
    assert expected and expected != {p.brief.slug for p in board.site.open}
    assert slugs(every_result_link(page)) == expected


def test_the_search_page_with_the_new_filters_has_no_serious_accessibility_violations(browser, board):
    if not AXE.is_file():
        warnings.warn("axe-core is missing: the accessibility checks did not run (`make test` runs `npm ci`)")
        pytest.skip("SKIPPED LOUDLY: node_modules/axe-core is missing; run `npm ci`")
    context = browser.new_context(bypass_csp=True)  # axe is injected as a script the page's CSP would refuse
    page = context.new_page()
    page.goto(f"{board.url}search/?country={PICKED['region']}&closes=week")
    settled(page)
    violations = axe_violations(page)
    context.close()
    assert violations == []


@pytest.mark.parametrize("sort", ["pay", "pay_hour"])
def test_sorting_by_pay_orders_rupees_and_dollars_by_their_worth_in_the_boards_currency(page, board, sort):
    rates = board_rates()
    briefs = {b.slug: b for b in open_briefs(REPO, EXAMPLE_DATE)}
    assert {"INR", "USD"} <= {b.compensation.currency for b in briefs.values()}

    def worth(brief) -> Decimal:
        pay = brief.compensation
        return (pay.total(brief.hours) if sort == "pay" else pay.per_hour(brief.hours)) * rates[pay.currency]

    page.goto(f"{board.url}search/?sort={sort}")
    settled(page)
    shown = [worth(briefs[slug]) for slug in [link.rstrip("/").rsplit("/", 1)[1] for link in every_result_link(page)]]
    assert shown == sorted(map(worth, briefs.values()), reverse=True)
    raw = sorted(briefs.values(), key=lambda b: b.compensation.total(b.hours), reverse=True)
    assert raw[0].compensation.currency == "INR" and shown[0] != worth(raw[0]), "₹45,000 is not the best pay"


def board_rates() -> dict[str, Decimal]:
    money = tomllib.loads((REPO / "site.toml").read_text(encoding="utf-8"))["money"]
    return {money["currency"]: Decimal(1), **{c: Decimal(str(r)) for c, r in money["rates"].items()}}
