"""Every rule of a brief: one bad brief each, asserting the exact `path:line: message` the employer sees."""

from __future__ import annotations

import re
import time
from datetime import date
from decimal import Decimal

import pytest

from tests.conftest import BODY, BODY_LINE, LINE, brief_text
from site_builder.brief import with_shared_values
from site_builder.content import load_briefs

P = "content/projects/acme-crm-cleanup.md"
WHAT = "is not an ISO 3166-1 country code, a region code or anywhere"
FIELD_NAMES = ("title, company, category, skills, hours, compensation, remote, countries, location, posted, "
               "deadline, apply, maintainers, draft, summary")


def at(field: str | int, message: str) -> str:
    line = field if isinstance(field, int) else LINE[field]
    return f"{P}:{line}: {message}"


# --- a valid brief ----------------------------------------------------------------------------------

def test_valid_brief_is_read_into_typed_fields(board):
    brief, problems = board.read(board.brief())
    assert problems == []
    assert brief.slug == "acme-crm-cleanup"
    assert brief.source == P
    assert brief.title == "Clean up our customer records"
    assert (brief.company.name, brief.company.url, brief.company.logo) == ("Acme Analytics", "https://acme.example", None)
    assert brief.category == "data"
    assert brief.skills == ("Excel", "SQL", "Data cleaning")
    assert brief.hours == 20
    assert (brief.compensation.amount, brief.compensation.currency, brief.compensation.type) == (Decimal(600), "USD", "fixed")
    assert brief.remote is True and brief.location is None
    assert brief.countries == ("US", "CA")
    assert (brief.posted, brief.deadline) == (date(2026, 11, 20), date(2026, 12, 15))
    assert brief.apply == "https://acme.example/jobs/123"
    assert brief.maintainers == ("dana-acme",)
    assert brief.draft is False and brief.summary is None
    assert brief.body == BODY.rstrip() and brief.body_line == BODY_LINE


def test_briefs_share_the_values_they_repeat_and_an_amount_only_as_it_is_written(board):
    """`with_shared_values` gives briefs one object for each value they repeat; 1260 and 1260.00 are equal
    numbers but not the same text, so each brief keeps its own."""
    shared: dict = {}
    briefs = [with_shared_values(board.read(board.brief(slug, compensation=f"\n  amount: {amount}\n  currency: USD\n  type: fixed"))[0], shared)
              for slug, amount in (("acme-one", "1260"), ("acme-two", "1260.00"), ("acme-three", "1260"))]
    first, second, third = briefs
    assert [str(brief.compensation.amount) for brief in briefs] == ["1260", "1260.00", "1260"]
    assert first.compensation is third.compensation and first.compensation is not second.compensation
    for name in ("company", "category", "skills", "countries", "posted", "deadline", "maintainers"):
        assert getattr(first, name) is getattr(second, name) is getattr(third, name), name
    assert first.skills[0] is second.skills[0] and (first.slug, second.slug) == ("acme-one", "acme-two")


def test_optional_fields_are_read_when_given(board):
    brief, problems = board.read(board.brief(
        company="\n  name: Acme Analytics\n  logo: acme.svg", skills=None,
        remote="false", location='"Berlin, DE"', draft="true", summary="Clean 4,800 records before January."))
    assert problems == []
    assert brief.company.logo == "acme.svg" and brief.skills == ()
    assert (brief.remote, brief.location, brief.draft) == (False, "Berlin, DE", True)
    assert brief.summary == "Clean 4,800 records before January."


# --- fields present, known, once ---------------------------------------------------------------------

@pytest.mark.parametrize("field", ["title", "company", "category", "hours", "compensation", "remote", "countries",
                                   "posted", "deadline", "apply", "maintainers"])
def test_errors_on_missing_required_field_at_the_closing_line_with_an_example_that_passes(board, field):
    text = brief_text(**{field: None})
    closing_line = text.split("\n").index("---", 1) + 1
    errors = board.errors(**{field: None})
    assert len(errors) == 1
    message = re.fullmatch(rf"{re.escape(P)}:(\d+): {field} is missing: add a line like `(.*)` above this ---", errors[0])
    assert message and int(message[1]) == closing_line, errors
    written = text.replace("\n---\n\n", f"\n{message[2]}\n---\n\n", 1)
    assert board.read(board.write("acme-crm-cleanup.md", written))[1] == [], "the example, written in, passes"


def test_errors_on_unknown_field_and_suggests_the_closest_known_one(board):
    assert board.errors(deadline=None, deadine="2026-12-15") == [
        at(18, f"unknown field 'deadine' (did you mean 'deadline'?); expected one of: {FIELD_NAMES}"),
        at("end", "deadline is missing: add a line like `deadline: 2026-12-15` above this ---"),
    ]


def test_errors_on_unknown_field_without_a_close_match_lists_the_known_ones(board):
    assert board.errors(benefits="none") == [at("end", f"unknown field 'benefits'; expected one of: {FIELD_NAMES}")]


def test_errors_on_unknown_field_in_company_with_suggestion(board):
    assert board.errors(company="\n  nmae: Acme Analytics\n  url: https://acme.example") == [
        at("company", "company needs a name: add a line `  name: Your Company` under company:"),
        at("company.name", "unknown field 'nmae' in company (did you mean 'name'?); expected one of: name, url, logo"),
    ]


def test_errors_on_unknown_field_in_compensation_with_suggestion(board):
    assert board.errors(compensation="\n  amount: 600\n  curency: USD\n  type: fixed") == [
        at("compensation", "compensation.currency is missing: add `  currency: …` under compensation:"),
        at("compensation.currency",
           "unknown field 'curency' in compensation (did you mean 'currency'?); expected one of: amount, currency, type"),
    ]


def test_errors_on_duplicate_field(board):
    text = brief_text().replace("category: data\n", "category: data\ntitle: The same project again\n")
    assert board.read(board.write("acme-crm-cleanup.md", text))[1] == [
        at(7, "title is given twice (first on line 2); keep one"),
    ]


def test_errors_on_duplicate_field_inside_company(board):
    assert board.errors(company="\n  name: Acme Analytics\n  name: Acme Inc") == [
        at(5, "company.name is given twice (first on line 4); keep one"),
    ]


# --- text fields ---------------------------------------------------------------------------------------

def test_errors_on_title_that_is_a_list(board):
    assert board.errors(title="[Clean, up]") == [at("title", "title must be a single piece of text, not a list or a set of fields")]


def test_errors_on_empty_title(board):
    assert board.errors(title="") == [at("title", "title is empty: write a value after the colon")]


def test_accepts_title_of_120_characters_and_errors_on_121(board):
    assert board.errors(title="x" * 120) == []
    assert board.errors(title="x" * 121) == [at("title", "title must be at most 120 characters, got 121")]


def test_errors_on_company_name_longer_than_100_characters(board):
    assert board.errors(company=f"\n  name: {'A' * 101}\n  url: https://acme.example") == [
        at("company.name", "company.name must be at most 100 characters, got 101"),
    ]


def test_errors_on_company_that_is_not_a_set_of_fields(board):
    assert board.errors(company="Acme Analytics") == [
        at("company", "company must be a set of fields on indented lines under it, like `  name: …`, got Acme Analytics"),
    ]


@pytest.mark.parametrize("value, kind", [("no", "a yes/no value"), ("on", "a yes/no value"), ("Yes", "a yes/no value"),
                                         ("2026", "a number"), ("20.5", "a number"), ("null", "an empty value"),
                                         ("2026-01-01", "a date")])
def test_errors_on_title_that_yaml_reads_as_another_type_and_says_to_quote_it(board, value, kind):
    assert board.errors(title=value) == [
        at("title", f'title must be text, but YAML reads {value} as {kind}; put it in quotes: "{value}"'),
    ]


def test_accepts_quoted_title_that_yaml_would_otherwise_read_as_a_yes_no_value(board):
    brief, problems = board.read(board.brief(title='"no"'))
    assert problems == [] and brief.title == "no"


def test_errors_on_company_name_that_yaml_reads_as_a_date(board):
    assert board.errors(company="{name: 2026-01-01}") == [
        at("company", 'company.name must be text, but YAML reads 2026-01-01 as a date; put it in quotes: "2026-01-01"'),
    ]


def test_errors_on_unquoted_norway_country_code_and_says_to_quote_it(board):
    assert board.errors(countries="[NO, SE]") == [
        at("countries", 'countries item must be text, but YAML reads NO as a yes/no value; put it in quotes: "NO"'),
    ]


def test_accepts_quoted_norway_country_code(board):
    brief, problems = board.read(board.brief(countries='["NO", SE]'))
    assert problems == [] and brief.countries == ("NO", "SE")


def test_errors_on_summary_longer_than_300_characters(board):
    assert board.errors(summary="s" * 301) == [at("end", "summary must be at most 300 characters, got 301")]


# --- hours and pay ------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["100", "4", "41", "0", "20.5", "1e3", "-20", "twenty", '""', "[20]"])
def test_errors_on_hours_that_are_not_a_whole_number_from_5_to_40(board, value):
    shown = {'""': "nothing", "[20]": "a list"}.get(value, value)
    assert board.errors(hours=value) == [at("hours", f"hours must be a whole number from 5 to 40, got {shown}")]


@pytest.mark.parametrize("value", ["5", "40"])
def test_accepts_hours_at_the_ends_of_the_range(board, value):
    assert board.errors(hours=value, compensation="\n  amount: 1000\n  currency: USD\n  type: fixed") == []


@pytest.mark.parametrize("value", ["0", "-600", "1e3", "600.555", "0.00", "six hundred"])
def test_errors_on_amount_that_is_not_a_positive_number_in_digits(board, value):
    assert board.errors(compensation=f"\n  amount: {value}\n  currency: USD\n  type: fixed") == [
        at("compensation.amount",
           f"compensation.amount must be an amount greater than 0 written as digits, like 600 or 22.50, got {value}"),
    ]


def test_errors_on_lowercase_currency_and_suggests_the_code(board):
    assert board.errors(compensation="\n  amount: 600\n  currency: usd\n  type: fixed") == [
        at("compensation.currency", "compensation.currency must be an ISO 4217 code such as USD, EUR or GBP, got usd (did you mean USD?)"),
    ]


def test_errors_on_unknown_currency(board):
    assert board.errors(compensation="\n  amount: 600\n  currency: XYZ\n  type: fixed") == [
        at("compensation.currency", "compensation.currency must be an ISO 4217 code such as USD, EUR or GBP, got XYZ"),
    ]


def test_errors_on_unknown_pay_type(board):
    assert board.errors(compensation="\n  amount: 600\n  currency: USD\n  type: monthly") == [
        at("compensation.type", "compensation.type must be fixed (one amount for the deliverable) or hourly (per hour), got monthly"),
    ]


def test_errors_on_fixed_pay_below_the_hourly_floor(board):
    assert board.errors(compensation="\n  amount: 300\n  currency: USD\n  type: fixed") == [
        at("compensation.amount", "pay is below this board's floor of 20 USD per hour: 300 USD for 20 hours is 15.00 USD per hour; "
                                  "raise the amount to at least 400 for 20 hours, or lower the hours"),
    ]


def test_errors_on_hourly_pay_below_the_floor(board):
    assert board.errors(compensation="\n  amount: 15\n  currency: EUR\n  type: hourly") == [
        at("compensation.amount", "pay is below this board's floor of 18 EUR per hour: got 15 EUR per hour; "
                                  "raise the hourly amount to at least 18"),
    ]


def test_floor_advice_rounds_up_so_following_it_passes(board):
    (board.root / "site.toml").write_text(board.root.joinpath("site.toml").read_text().replace("USD = 20", "USD = 20.25"))
    assert board.errors(hours="5", compensation="\n  amount: 101\n  currency: USD\n  type: fixed") == [
        at("compensation.amount", "pay is below this board's floor of 20.25 USD per hour: 101 USD for 5 hours is 20.20 USD per hour; "
                                  "raise the amount to at least 101.25 for 5 hours, or lower the hours"),
    ]
    assert board.errors(hours="5", compensation="\n  amount: 101.25\n  currency: USD\n  type: fixed") == []


def test_accepts_pay_exactly_at_the_floor(board):
    assert board.errors(compensation="\n  amount: 400\n  currency: USD\n  type: fixed") == []
    assert board.errors(compensation="\n  amount: 16\n  currency: GBP\n  type: hourly") == []


def test_refuses_a_currency_the_board_sets_no_floor_for_and_lists_the_accepted_ones(board):
    # With no floor, a 40-hour project could pay 1 IRR.
    assert board.errors(compensation="\n  amount: 10\n  currency: CAD\n  type: fixed") == [
        at("compensation.currency", "compensation.currency: this board takes pay only in the currencies it sets a pay floor for "
                                    "in site.toml ([policy] min_hourly_rate), got CAD; accepted: EUR, GBP, USD"),
    ]


# --- where: remote, countries, location --------------------------------------------------------------

def test_errors_on_lowercase_country_code_and_suggests_capitals(board):
    assert board.errors(countries="[us]") == [
        at("countries", "countries: us is not an ISO 3166-1 country code, a region code or anywhere (write it in capitals: US)"),
    ]


def test_errors_on_country_code_that_does_not_exist(board):
    assert board.errors(countries='["US", "XX"]') == [
        at("countries", "countries: XX is not an ISO 3166-1 country code, a region code or anywhere: write a two-letter code such as US, DE or IN, "
                        "a region such as EU, 150 (Europe) or 419 (Latin America), or anywhere"),
    ]


def test_accepts_anywhere_and_cldr_regions_beside_countries(board):
    for countries, read in (("[anywhere]", ("anywhere",)), ('["EU", "NO"]', ("EU", "NO")), ('["150", "419"]', ("150", "419"))):
        brief, problems = board.read(board.brief(countries=countries))
        assert problems == [] and brief.countries == read


@pytest.mark.parametrize("written, hint", [
    ('["worldwide"]', "(to take applicants from every country, write anywhere)"),
    ('["Anywhere"]', "(to take applicants from every country, write anywhere)"),
    ('["001"]', "(to take applicants from every country, write anywhere)"),
    ('["eu"]', "(write it in capitals: EU)"),
    ('["Germany"]', "(did you mean DE, Germany?)"),
    ('["Latin Amerca"]', "(did you mean 419, Latin America?)"),
])
def test_explains_a_wrong_country_or_region_with_the_likely_fix(board, written, hint):
    code = written.strip('[]"')
    assert board.errors(countries=written) == [at("countries", f"countries: {code} is not an ISO 3166-1 country code, a region code or anywhere {hint}")]


def test_errors_on_anywhere_beside_other_codes(board):
    assert board.errors(countries='[anywhere, "US"]') == [
        at("countries", "countries: anywhere already takes applicants from every country: list anywhere alone"),
    ]


def test_errors_on_empty_countries(board):
    assert board.errors(countries="[]") == [
        at("countries", 'countries needs at least one code of where applicants may be based, like ["US", "CA"], ["EU"] or [anywhere]'),
    ]


def test_errors_on_countries_that_is_not_a_list(board):
    assert board.errors(countries="US") == [
        at("countries", 'countries must be a list in square brackets, like countries: ["US", "CA"]'),
    ]


def test_errors_on_missing_location_when_not_remote(board):
    assert board.errors(remote="false") == [
        at("remote", 'location is required when remote is false: add a line like location: "Berlin, DE"'),
    ]


@pytest.mark.parametrize("value, hint", [("Berlin", ""), ("Berlin, Germany", " such as US, DE or IN"),
                                         ("Berlin, de", " (write it in capitals: DE)")])
def test_errors_on_location_not_written_city_comma_country_code(board, value, hint):
    assert board.errors(remote="false", location=value) == [
        at("end", f'location must be "City, CC" with a two-letter country code, like "Berlin, DE"{hint}, got {value}'),
    ]


# --- dates ----------------------------------------------------------------------------------------------

def test_errors_on_date_that_is_not_on_the_calendar(board):
    assert board.errors(posted="2026-02-30") == [
        at("posted", "posted must be a real calendar date, got 2026-02-30: there is no such day (the format is YYYY-MM-DD)"),
    ]


@pytest.mark.parametrize("value", ["2026-11-20 10:00:00", "2026-11-20T10:00:00Z", "20.11.2026", "2026-1-5", "[2026-11-20]"])
def test_errors_on_posted_that_is_not_a_plain_date(board, value):
    shown = "a list" if value.startswith("[") else value
    assert board.errors(posted=value) == [at("posted", f"posted must be a date written YYYY-MM-DD, like 2026-11-20, got {shown}")]


def test_errors_on_deadline_before_posted(board):
    assert board.errors(deadline="2026-11-19") == [
        at("deadline", "deadline must be on or after posted (2026-11-20) and at most 180 days later (by 2027-05-19), got 2026-11-19"),
    ]


def test_errors_on_deadline_more_than_180_days_after_posted(board):
    assert board.errors(deadline="2027-05-19") == []
    assert board.errors(deadline="2027-05-20") == [
        at("deadline", "deadline must be on or after posted (2026-11-20) and at most 180 days later (by 2027-05-19), got 2027-05-20"),
    ]


def test_accepts_deadline_on_the_posted_day(board):
    assert board.errors(deadline="2026-11-20") == []


# --- links and files ------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["javascript:alert(1)", "http://acme.example/jobs/123", "data:text/html;base64,PHNjcmlwdD4=",
                                   "/jobs/123", "jobs/123", "https://localhost/jobs", "ftp://acme.example/jobs"])
def test_errors_on_apply_that_is_not_https_or_mailto(board, value):
    assert board.errors(apply=value) == [
        at("apply", f"apply must be an https:// web address or a mailto: e-mail address, like https://acme.example/jobs/123, got {value}"),
    ]


@pytest.mark.parametrize("value", ['"mailto:"', "mailto:jobs", "mailto:?subject=Hello", "mailto:a@b.example,c@d.example"])
def test_errors_on_mailto_without_one_address(board, value):
    shown = value.strip('"')
    assert board.errors(apply=value) == [
        at("apply", f"apply must be mailto: followed by one e-mail address, like mailto:jobs@acme.example, got {shown}"),
    ]


@pytest.mark.parametrize("value", ["https://acme.example/jobs/123?ref=board#apply", "mailto:jobs@acme.example",
                                   "mailto:jobs@acme.example?subject=CRM%20cleanup"])
def test_accepts_https_and_mailto_apply(board, value):
    brief, problems = board.read(board.brief(apply=value))
    assert problems == [] and brief.apply == value


def test_errors_on_http_company_url(board):
    assert board.errors(company="\n  name: Acme Analytics\n  url: http://acme.example") == [
        at("company.url", "company.url must be an https:// web address, like https://acme.example, got http://acme.example"),
    ]


def test_errors_on_logo_file_that_does_not_exist(board):
    assert board.errors(company="\n  name: Acme Analytics\n  logo: acme.png") == [
        at(5, "company.logo: there is no file static/logos/acme.png; add the logo to your pull request or fix the name"),
    ]


@pytest.mark.parametrize("value", ["../x.svg", "../../site.toml", "sub/acme.svg", "..", "/etc/passwd", '"..\\\\acme.svg"'])
def test_errors_on_logo_path_outside_static_logos(board, value):
    (board.root / "static" / "x.svg").write_text("<svg/>")
    shown = value.strip('"').replace("\\\\", "\\")
    assert board.errors(company=f"\n  name: Acme Analytics\n  logo: {value}") == [
        at(5, f"company.logo must be just a file name inside static/logos/, like acme.svg, got {shown}"),
    ]


# --- lists ------------------------------------------------------------------------------------------------

def test_errors_on_more_than_ten_skills(board):
    skills = ", ".join(f"Skill {n}" for n in range(11))
    assert board.errors(skills=f"[{skills}]") == [at("skills", "skills may list at most 10, got 11: keep the ones that matter most")]


def test_errors_on_skill_longer_than_40_characters(board):
    assert board.errors(skills=f"[SQL, {'k' * 41}]") == [
        at("skills", f"each skill must be at most 40 characters, got 41: {'k' * 41}"),
    ]


def test_errors_on_skill_listed_twice_ignoring_case(board):
    assert board.errors(skills="[SQL, Excel, sql]") == [at("skills", "skill 'sql' is listed twice")]


def test_reports_each_list_item_on_its_own_line(board):
    assert board.errors(skills="\n  - SQL\n  - Excel\n  - sql") == [at(10, "skill 'sql' is listed twice")]


@pytest.mark.parametrize("value", ["bad_handle", "-dana", "dana-", "dana--acme", "x" * 40, "dana acme"])
def test_errors_on_maintainer_that_is_not_a_github_handle(board, value):
    assert board.errors(maintainers=f'["{value}"]') == [at("maintainers", f"maintainers: {value} is not a GitHub handle")]


def test_errors_on_maintainer_with_at_sign_and_suggests_the_handle_without_it(board):
    assert board.errors(maintainers='["@octocat"]') == [
        at("maintainers", "maintainers: @octocat is not a GitHub handle (write octocat, without the @)"),
    ]


def test_errors_on_unquoted_at_sign_with_a_hint_to_quote(board):
    assert board.errors(maintainers="[@octocat]") == [
        at("maintainers", "the front matter is not valid YAML: found character '@' that cannot start any token; "
                          "a value that starts with @ must be in quotes, like \"@octocat\""),
    ]


def test_errors_on_empty_maintainers(board):
    assert board.errors(maintainers="[]") == [
        at("maintainers", "maintainers needs at least one GitHub handle: the people allowed to edit this brief later"),
    ]


# --- yes/no fields ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["yes", "no", "on", "1", '"maybe"', ""])
def test_errors_on_remote_that_is_not_true_or_false(board, value):
    shown = {'"maybe"': "maybe", "": "nothing"}.get(value, value)
    assert board.errors(remote=value) == [at("remote", f"remote must be true or false, got {shown}")]


def test_errors_on_draft_that_is_not_true_or_false(board):
    assert board.errors(draft="yes") == [at("end", "draft must be true or false, got yes")]


# --- template leftovers and the body ----------------------------------------------------------------------

@pytest.mark.parametrize("field", ["title", "apply"])
def test_errors_on_placeholder_left_in_a_field(board, field):
    assert board.errors(**{field: '"FILL IN: something"'}) == [
        at(field, f"{field} still holds the template's placeholder: replace it with your own text"),
    ]


def test_errors_on_placeholder_left_in_the_body(board):
    assert board.errors(body="FILL IN: describe the project.\n") == [
        at(BODY_LINE, "the description still holds the template's placeholder: replace it with your brief"),
    ]


@pytest.mark.parametrize("body", ["", "\n\n   \n"])
def test_errors_on_empty_body_on_the_closing_line(board, body):
    assert board.errors(body=body) == [
        at("end", "the description is empty: after the second --- line, describe the context, "
                  "the deliverable and what success looks like"),
    ]


def test_body_line_counts_blank_lines_after_the_front_matter(board):
    brief, problems = board.read(board.write("acme-crm-cleanup.md", brief_text(body="\n\n" + BODY)))
    assert problems == [] and brief.body_line == BODY_LINE + 2


# --- file names -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("slug", ["Acme-CRM", "acme_crm", "ab", "acme--crm", "-acme", "acme-", "café-menu", "a" * 81])
def test_errors_on_file_name_that_is_not_a_valid_slug(board, slug):
    _, problems = board.read(board.brief(slug))
    assert problems == [f"content/projects/{slug}.md:1: the file name '{slug}' is not a valid slug: use 3 to 80 "
                        "lowercase letters, digits and single hyphens, like acme-crm-cleanup.md"]


def test_accepts_file_name_of_3_and_of_80_characters(board):
    assert board.errors("abc") == []
    assert board.errors("a" * 80) == []


def test_errors_on_files_in_content_projects_that_are_not_briefs(board):
    board.brief()
    board.write("notes.txt", "remember to post the CRM project")
    board.write("old.MD", brief_text())
    (board.root / "content" / "projects" / "drafts").mkdir()
    briefs, problems = load_briefs(board.root, board.config)
    assert [b.slug for b in briefs] == ["acme-crm-cleanup"]
    fix = "only briefs belong in content/projects/: one <slug>.md file per project (rename or move this)"
    assert [str(p) for p in problems] == [f"content/projects/{name}:1: {fix}" for name in ("drafts", "notes.txt", "old.MD")]


def test_ignores_readme_and_hidden_files_in_content_projects(board):
    board.write("README.md", "How to post a project.")
    board.write(".DS_Store", b"\x00\x01")
    assert load_briefs(board.root, board.config) == ([], [])


def test_errors_on_brief_with_md_in_another_case_when_checked_by_name(board):
    _, problems = board.read(board.write("acme-crm-cleanup.markdown", brief_text()))
    assert problems == ["content/projects/acme-crm-cleanup.markdown:1: a brief's file name must end in .md: rename it to acme-crm-cleanup.md"]


# --- category -------------------------------------------------------------------------------------------

def test_errors_on_unknown_category_with_suggestion(board):
    assert board.errors(category="dta") == [
        at("category", "there is no category 'dta' (did you mean 'data'?); expected one of: research, data, writing, software, design, marketing"),
    ]


def test_errors_on_category_in_another_case_with_suggestion(board):
    assert board.errors(category="Data") == [
        at("category", "there is no category 'Data' (did you mean 'data'?); expected one of: research, data, writing, software, design, marketing"),
    ]


# --- several problems at once ----------------------------------------------------------------------------

def test_reports_every_problem_of_a_brief_in_one_pass(board):
    problems = board.errors(title="no", hours="100", countries="[us]", apply="http://acme.example", body="")
    assert [p.split(":")[1] for p in problems] == ["2", "8", "14", "17", "19"]


# --- the file as a whole ---------------------------------------------------------------------------------

def test_errors_on_bytes_that_are_not_utf8_on_their_line(board):
    raw = brief_text().encode("utf-8").replace(b"Acme Analytics", b"Acme Analytics \xff Co")
    assert board.read(board.write("acme-crm-cleanup.md", raw))[1] == [
        at(4, "the file is not UTF-8 text (byte 0xff on this line); save it as UTF-8"),
    ]


def test_errors_on_latin1_file_on_the_line_of_the_first_accent(board):
    raw = brief_text(title="Menu for Café Müller").encode("latin-1")
    assert board.read(board.write("acme-crm-cleanup.md", raw))[1] == [
        at(2, "the file is not UTF-8 text (byte 0xe9 on this line); save it as UTF-8"),
    ]


@pytest.mark.parametrize("content", ["", "\n\n  \n"])
def test_errors_on_empty_file(board, content):
    assert board.read(board.write("acme-crm-cleanup.md", content))[1] == [
        at(1, "the file is empty: a brief starts with its fields between two lines of ---, then the description "
              "(run `board new SLUG` for a template)"),
    ]


def test_errors_on_file_without_front_matter(board):
    assert board.read(board.write("acme-crm-cleanup.md", "# Clean up our CRM\n\nWe need help.\n"))[1] == [
        at(1, "no front matter: the file must start with a line ---, then the fields, then another line --- before the description"),
    ]


def test_errors_on_front_matter_that_is_not_closed(board):
    text = brief_text().replace("\n---\n\n", "\n\n")
    assert board.read(board.write("acme-crm-cleanup.md", text))[1] == [
        at(1, "the front matter is not closed: add a line --- after the last field, before the description"),
    ]


def test_reads_file_with_byte_order_mark(board):
    brief, problems = board.read(board.write("acme-crm-cleanup.md", b"\xef\xbb\xbf" + brief_text().encode()))
    assert problems == [] and brief.title == "Clean up our customer records"


def test_reads_file_with_windows_line_endings_and_keeps_line_numbers(board):
    brief, problems = board.read(board.write("acme-crm-cleanup.md", brief_text().replace("\n", "\r\n")))
    assert problems == [] and brief.body_line == BODY_LINE and "\r" not in brief.body
    bad = brief_text(hours="100", body="").replace("\n", "\r\n")
    assert board.read(board.write("acme-crm-cleanup.md", bad))[1] == [
        at("hours", "hours must be a whole number from 5 to 40, got 100"),
        at("end", "the description is empty: after the second --- line, describe the context, "
                  "the deliverable and what success looks like"),
    ]


def test_errors_on_file_of_5_mb_with_its_size(board):
    path = board.write("acme-crm-cleanup.md", brief_text(body="x" * (5 * 1024 * 1024)))
    assert board.read(path)[1] == [at(1, "the file is 5.0 MB; a brief must be under 256 KB of text")]


def test_errors_on_file_just_over_the_limit_in_kilobytes(board):
    path = board.write("acme-crm-cleanup.md", brief_text(body="x" * (300 * 1024)))
    assert board.read(path)[1] == [at(1, "the file is 301 KB; a brief must be under 256 KB of text")]


def test_rejects_yaml_alias_bomb_quickly(board):
    bomb = (
        "---\n"
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
        "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
        "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
        "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
        "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
        "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
        "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
        "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
        "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n"
        "---\nlol\n"
    )
    path = board.write("acme-crm-cleanup.md", bomb)
    started = time.perf_counter()
    _, problems = board.read(path)
    assert time.perf_counter() - started < 2
    assert problems == [at(3, "the front matter is not valid YAML: YAML anchors and aliases (& and *) are not allowed "
                              "in a brief: write each value out")]


def test_errors_on_deeply_nested_front_matter_without_a_traceback(board):
    path = board.write("acme-crm-cleanup.md", "---\ntitle: " + "[" * 5000 + "]" * 5000 + "\n---\nbody\n")
    assert board.read(path)[1] == [at(1, "the front matter is nested too deeply to read: write each field on its own line")]


def test_errors_on_invalid_yaml_with_its_line(board):
    assert board.errors(hours="[20") == [
        at("compensation", "the front matter is not valid YAML: expected ',' or ']', but got ':' (in the value that starts on line 8)"),
    ]


def test_errors_on_unquoted_colon_in_text_with_a_hint_to_quote(board):
    assert board.errors(title="Cleanup: our CRM") == [
        at("title", "the front matter is not valid YAML: mapping values are not allowed here; "
                    "text with \": \" in it, or ending in \":\", must be in quotes, like title: \"Cleanup: the CRM\""),
    ]


def test_errors_on_tab_indentation_with_a_hint(board):
    assert board.errors(company="\n\tname: Acme Analytics\n  url: https://acme.example") == [
        at("company.name", "the front matter is not valid YAML: found character '\\t' that cannot start any token; "
                           "indent with spaces, not tabs"),
    ]


def test_errors_on_character_yaml_does_not_allow_on_its_line(board):
    assert board.errors(title="Clean up \x07 records") == [
        at("title", "the front matter contains a character YAML does not allow (U+0007); delete it"),
    ]


def test_errors_on_front_matter_that_is_a_list(board):
    assert board.read(board.write("acme-crm-cleanup.md", "---\n- title: x\n- hours: 20\n---\nbody\n"))[1] == [
        at(2, "the front matter must be a set of fields, one `name: value` per line, like `title: …`, got a list"),
    ]


def test_errors_on_front_matter_that_is_plain_text(board):
    assert board.read(board.write("acme-crm-cleanup.md", "---\nClean up our CRM\n---\nbody\n"))[1] == [
        at(2, "the front matter must be a set of fields, one `name: value` per line, like `title: …`, got Clean up our CRM"),
    ]


def test_errors_on_empty_front_matter(board):
    assert board.read(board.write("acme-crm-cleanup.md", "---\n---\nbody\n"))[1] == [
        at(1, "the front matter is empty: list the brief's fields between the two --- lines"),
    ]


def test_yaml_tags_do_not_run_code(board):
    assert board.errors(title="!!python/object/apply:os.system [echo hacked]") == [
        at("title", "title must be a single piece of text, not a list or a set of fields"),
    ]


@pytest.mark.parametrize("code, meaning", [("XXX", "for no currency"), ("XTS", "reserved for testing")])
def test_errors_on_currency_code_that_is_not_money(board, code, meaning):
    assert board.errors(compensation=f"\n  amount: 1\n  currency: {code}\n  type: fixed") == [
        at("compensation.currency", f"compensation.currency {code} is the ISO 4217 code {meaning}: every project is paid, "
                                    "so give the currency you pay in, such as USD, EUR or GBP"),
    ]


def test_line_separator_in_quoted_text_does_not_shift_later_line_numbers(board):
    # YAML counts U+2028 as a line break; GitHub and most editors show it inside the line.
    assert board.errors(title='"Clean\u2028up"', hours="100") == [at("hours", "hours must be a whole number from 5 to 40, got 100")]


def test_errors_on_unquoted_line_separator_on_its_line(board):
    assert board.errors(title="Clean\u2028up our records") == [
        at("title", "the front matter contains an invisible line separator (U+2028) on this line; delete it"),
    ]


def test_shows_a_line_break_in_a_value_as_written_to_keep_one_problem_per_line(board):
    assert board.errors(**{'"dead\\nline"': "2026-12-15"}) == [
        at("end", f"unknown field 'dead\\nline' (did you mean 'deadline'?); expected one of: {FIELD_NAMES}"),
    ]
