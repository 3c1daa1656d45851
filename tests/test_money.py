"""Pay across currencies: site.toml's [money] rates, what board check warns about them, the pay shown with its
worth in the board's currency, and pay bands and sorts that never compare raw amounts of different currencies."""

from __future__ import annotations

import json
import re
import tomllib
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from site_builder.build import build
from site_builder.cli import main
from tests.site_files import EXAMPLE_DATE, REPO, copy_example_board, parse_html
from tests.test_search import search_record

MONEY = re.compile(r"\n\[money\]\n.*?\n\n", re.S)


def check(capsys: pytest.CaptureFixture, root: Path, *args: str) -> tuple[int, str]:
    status = main(["--root", str(root), "check", "--now", EXAMPLE_DATE, *args])
    return status, capsys.readouterr().out


@pytest.fixture
def example(tmp_path: Path) -> Path:
    return copy_example_board(tmp_path / "board")


def with_money(board: Path, money: str) -> Path:
    text = (board / "site.toml").read_text(encoding="utf-8")
    (board / "site.toml").write_text(MONEY.sub("\n" + money + "\n", text, count=1), encoding="utf-8")
    return board


def money_line(board: Path, key: str) -> int:
    lines = (board / "site.toml").read_text(encoding="utf-8").splitlines()
    start = lines.index("[money]")
    return next(n for n, line in enumerate(lines, start=1) if n > start and line.startswith(f"{key} ="))


# --- site.toml and board check --------------------------------------------------------------------------

@pytest.mark.parametrize("money, message", [
    ('[money]\nrates = { EUR = 1.08 }\nrates_date = 2026-11-20\n',
     "rates need the board's currency they convert into: add currency = \"USD\" (or another) under [money]"),
    ('[money]\ncurrency = "USD"\nrates = { EUR = 1.08 }\n', "rates need the day they are from: add rates_date = YYYY-MM-DD under [money]"),
    ('[money]\ncurrency = "usd"\n', 'money.currency must be an ISO 4217 currency code in quotes, such as "USD", got "usd" (did you mean USD?)'),
    ('[money]\ncurrency = "USD"\nrates = { EUR = 0 }\nrates_date = 2026-11-20\n',
     "rates: EUR must be a number above zero (what 1 EUR is worth), got 0"),
    ('[money]\ncurrency = "USD"\nrates = { EUR = 1.08 }\nrates_date = "2026-11-20"\n',
     'money.rates_date must be a date written YYYY-MM-DD, without quotes, got "2026-11-20"'),
])
def test_bad_money_settings_are_explained(example, capsys, money, message):
    with_money(example, money)
    status, out = check(capsys, example)
    assert status == 1 and f": {message}\n" in out, out


def test_check_warns_when_rates_are_old_or_missing_and_still_passes(example, capsys):
    with_money(example, '[money]\ncurrency = "USD"\nrates = { EUR = 1.08, GBP = 1.27 }\nrates_date = 2026-09-01\n')
    status, out = check(capsys, example)
    date_line, rates_line = money_line(example, "rates_date"), money_line(example, "rates")
    age = (date.fromisoformat(EXAMPLE_DATE) - date(2026, 9, 1)).days
    assert status == 0 and age > 60
    assert out.splitlines()[:3] == [  # in the order of their lines
        f"site.toml:{rates_line}: warning: briefs pay in CAD, which has no rate in [money] rates: add CAD = (what 1 CAD is worth "
        "in USD); until then CAD pay is not converted and no pay sort is offered",
        f"site.toml:{rates_line}: warning: briefs pay in INR, which has no rate in [money] rates: add INR = (what 1 INR is worth "
        "in USD); until then INR pay is not converted and no pay sort is offered",
        f"site.toml:{date_line}: warning: the exchange rates are from 2026-09-01, {age} days before {EXAMPLE_DATE}: "
        "update [money] rates and rates_date, so pay in different currencies compares fairly",
    ]
    assert out.splitlines()[3].startswith("ok: ")
    status, out = check(capsys, example, "--format", "github")
    assert status == 0 and out.startswith(f"::warning file=site.toml,line={rates_line}::briefs pay in CAD")
    status, out = check(capsys, example, "--format", "json")
    assert status == 0 and [w["severity"] for w in json.loads(out)] == ["warning"] * 3


def test_the_example_boards_rates_are_complete_and_fresh_on_its_date(capsys):
    status, out = check(capsys, REPO)
    assert status == 0 and "warning" not in out


# --- with rates: the example board -----------------------------------------------------------------------

def rates() -> dict[str, Decimal]:
    money = tomllib.loads((REPO / "site.toml").read_text(encoding="utf-8"))["money"]
    return {money["currency"]: Decimal(1), **{c: Decimal(str(r)) for c, r in money["rates"].items()}}


def test_pay_in_another_currency_shows_its_worth_in_the_boards(example_build):
    output, result = example_build
    rupees = next(p for p in result.site.open if p.brief.compensation.currency == "INR")
    worth = rupees.brief.compensation.amount * rates()["INR"]
    expected = f"₹{rupees.brief.compensation.amount:,.0f} fixed (≈ ${worth:,.0f})"
    page = (output / rupees.path / "index.html").read_text(encoding="utf-8")
    assert f'<dd class="fact-pay">{expected}</dd>' in page
    company = "".join((output / f"companies/{rupees.company_slug}/index.html").read_text(encoding="utf-8").split())
    assert "".join(expected.split()) in company  # its card
    dollars = next(p for p in result.site.open if p.brief.compensation.currency == "USD")
    assert "≈" not in (output / dollars.path / "index.html").read_text(encoding="utf-8").split('class="fact-pay">')[1].split("<")[0]


def test_with_rates_pay_bands_and_sort_keys_are_in_the_boards_currency(example_build):
    output, result = example_build
    for project in result.site.projects:
        pay, hours = project.brief.compensation, project.brief.hours
        record = search_record(output, project.path)
        total, hourly = pay.total(hours) * rates()[pay.currency], pay.per_hour(hours) * rates()[pay.currency]
        assert f"pay:{total:f}" in record["data-pagefind-sort"] and f"pay_hour:{hourly:f}" in record["data-pagefind-sort"]
        band = next(v for v in record["data-pagefind-filter"] if v.startswith("pay:"))
        low, high = band.removeprefix("pay:usd-").split("-")
        assert int(low) <= total and (high == "plus" or total < int(high) + 1), project.path
    options = {attrs["value"] for tag, attrs in parse_html((output / "search/index.html").read_text(encoding="utf-8")).elements
               if tag == "option"}
    assert {"pay", "pay_hour"} <= options


# --- without rates ---------------------------------------------------------------------------------------

def test_without_rates_no_sort_compares_different_currencies(example, tmp_path):
    with_money(example, "")
    result = build(example, tmp_path / "out", date.fromisoformat(EXAMPLE_DATE), search=False)
    assert len({p.brief.compensation.currency for p in result.site.projects}) > 1
    search_page = (tmp_path / "out/search/index.html").read_text(encoding="utf-8")
    options = [attrs["value"] for tag, attrs in parse_html(search_page).elements if tag == "option" and "data-label" not in attrs]
    assert options == ["relevance", "newest", "deadline"]
    for project in result.site.projects:
        record = search_record(tmp_path / "out", project.path)
        assert [v.split(":")[0] for v in record["data-pagefind-sort"]] == ["posted", "deadline"]
        band = next(v for v in record["data-pagefind-filter"] if v.startswith("pay:"))
        assert band.startswith(f"pay:{project.brief.compensation.currency.lower()}-"), "bands stay in the brief's currency"
        assert "≈" not in (tmp_path / "out" / project.path / "index.html").read_text(encoding="utf-8")


def test_a_board_paying_in_one_currency_sorts_by_pay_without_rates(example, tmp_path):
    with_money(example, "")
    for brief in (example / "content/projects").glob("*.md"):
        text = brief.read_text(encoding="utf-8")
        if "currency: USD" not in text:
            brief.unlink()
    build(example, tmp_path / "out", date.fromisoformat(EXAMPLE_DATE), search=False)
    search_page = (tmp_path / "out/search/index.html").read_text(encoding="utf-8")
    assert '<option value="pay">' in search_page and '<option value="pay_hour">' in search_page
