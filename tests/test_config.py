"""site.toml: a valid one loads into SiteConfig; every bad one gives `site.toml:LINE: message`, all at once."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from decimal import Decimal

import pytest

from site_builder.config import OPTIONS, SiteConfig, commented_site_toml, config_from_text, load_config
from site_builder.optionreaders import REQUIRED
from site_builder.errors import BoardError
from tests.conftest import SITE_TOML

TOP_LEVEL = "title, description, base_url, language, timezone, per_page, closing_soon_days, feeds, policy, money, board, categories"
# Lines of tests.conftest.SITE_TOML: 1 title, 2 description, 3 base_url, 4 language, 5 timezone, 6 per_page,
# 8 [policy], 9 min_hourly_rate, 11 [categories.research], 12 its title, 13 its description.


def problems_of(root, text: str) -> list[str]:
    """Write site.toml and return its problems as `site.toml:line: message`; [] when it loads."""
    (root / "site.toml").write_text(text, encoding="utf-8")
    try:
        load_config(root)
    except BoardError as error:
        return [str(p) for p in error.problems]
    return []


def edited(old: str, new: str) -> str:
    assert old in SITE_TOML
    return SITE_TOML.replace(old, new, 1)


def test_loads_a_valid_config_with_its_defaults(board):
    config = board.config
    assert (config.title, config.description) == ("Test Board", "Short, paid projects.")
    assert (config.base_url, config.base_path) == ("https://example.org/board/", "/board/")
    assert (config.language, config.timezone, config.per_page) == ("en", "UTC", 20)
    assert (config.closing_soon_days, config.feed_items, config.board_maintainers) == (3, 50, ())
    assert dict(config.min_hourly_rate) == {"EUR": Decimal(18), "GBP": Decimal(16), "USD": Decimal(20)}
    assert [c.key for c in config.categories] == ["research", "data", "writing", "software", "design", "marketing"]
    assert config.category("data").title == "Data" and config.category("nope") is None


def test_adds_the_trailing_slash_to_base_url(tmp_path):
    assert problems_of(tmp_path, edited('"https://example.org/board/"', '"https://example.org/board"')) == []
    assert load_config(tmp_path).base_url == "https://example.org/board/"


def test_reads_config_with_byte_order_mark_and_windows_line_endings(tmp_path):
    (tmp_path / "site.toml").write_bytes(b"\xef\xbb\xbf" + SITE_TOML.replace("\n", "\r\n").encode())
    assert load_config(tmp_path).title == "Test Board"
    (tmp_path / "site.toml").write_bytes(b"\xef\xbb\xbf" + SITE_TOML.replace("per_page = 20", "per_pgae = 20").replace("\n", "\r\n").encode())
    with pytest.raises(BoardError) as error:
        load_config(tmp_path)
    assert [str(p) for p in error.value.problems] == [
        f"site.toml:6: unknown setting 'per_pgae' (did you mean 'per_page'?); expected one of: {TOP_LEVEL}"]


def test_errors_on_unknown_setting_with_suggestion_on_its_line(tmp_path):
    assert problems_of(tmp_path, edited("per_page = 20", "per_pgae = 20")) == [
        f"site.toml:6: unknown setting 'per_pgae' (did you mean 'per_page'?); expected one of: {TOP_LEVEL}",
    ]


def test_errors_on_unknown_setting_in_a_table_with_suggestion(tmp_path):
    assert problems_of(tmp_path, SITE_TOML + "\n[feeds]\nitem = 10\n") == [
        "site.toml:36: unknown setting 'item' in [feeds] (did you mean 'items'?); expected one of: items",
    ]


def test_errors_on_unknown_setting_in_a_category_with_suggestion(tmp_path):
    assert problems_of(tmp_path, edited('title = "Research"', 'titel = "Research"')) == [
        "site.toml:11: categories.research.title is required: add `title = \"…\"`",
        "site.toml:12: unknown setting 'titel' in [categories.research] (did you mean 'title'?); expected one of: title, description",
    ]


@pytest.mark.parametrize("value, shown", [('"20"', '"20"'), ("0", "0"), ("501", "501"), ("20.5", "20.5"), ("true", "true"),
                                          ("[20]", "a list")])
def test_errors_on_per_page_that_is_not_a_whole_number_in_range(tmp_path, value, shown):
    assert problems_of(tmp_path, edited("per_page = 20", f"per_page = {value}")) == [
        f"site.toml:6: per_page must be a whole number from 1 to 500, got {shown}",
    ]


def test_errors_on_text_setting_that_is_not_text(tmp_path):
    assert problems_of(tmp_path, edited('title = "Test Board"', "title = 5")) == [
        "site.toml:1: title must be non-empty text in quotes, got 5",
    ]


def test_errors_on_a_control_character_or_noncharacter_in_a_text_setting(tmp_path):
    assert problems_of(tmp_path, edited('title = "Test Board"', 'title = "Test \\u001b[2J Board"')
                       .replace('title = "Data"', 'title = "Data \\uFFFE"')) == [
        "site.toml:1: title contains the character U+001B, a control character or non-character that pages and feeds cannot carry: delete it",
        "site.toml:16: categories.data.title contains the character U+FFFE, a control character or non-character that pages and feeds "
        "cannot carry: delete it",
    ]


@pytest.mark.parametrize("value", ["example.org/board/", "ftp://example.org/", "https://", "https://example.org/?page=1",
                                   "/board/"])
def test_errors_on_base_url_that_is_not_an_absolute_http_url(tmp_path, value):
    assert problems_of(tmp_path, edited('"https://example.org/board/"', f'"{value}"')) == [
        f'site.toml:3: base_url must be an absolute http(s) URL such as "https://example.org/board/", got "{value}"',
    ]


def test_errors_on_missing_base_url(tmp_path):
    assert problems_of(tmp_path, edited('base_url = "https://example.org/board/"\n', "")) == [
        'site.toml:1: base_url is required: the absolute URL the board is served from, e.g. "https://example.org/board/"',
    ]


@pytest.mark.parametrize("value", ["Mars/Base", "America", "", "../etc/passwd", "Europe/" + "x" * 300, "CET+1"])
def test_errors_on_timezone_that_is_not_an_iana_zone(tmp_path, value):
    assert problems_of(tmp_path, edited('timezone = "UTC"', f'timezone = "{value}"')) == [
        f'site.toml:5: timezone must be an IANA time zone such as "UTC" or "Europe/Berlin", got "{value}"',
    ]


@pytest.mark.parametrize("value", ["klingon", "", "xx", "en/../de"])
def test_errors_on_language_that_is_not_a_language_code(tmp_path, value):
    assert problems_of(tmp_path, edited('language = "en"', f'language = "{value}"')) == [
        f'site.toml:4: language must be a language code such as "en" or "de", got "{value}"',
    ]


@pytest.mark.parametrize("value", ["de", "fr_CA", "pt-BR"])
def test_accepts_language_codes_babel_knows(tmp_path, value):
    assert problems_of(tmp_path, edited('language = "en"', f'language = "{value}"')) == []


def test_errors_on_lowercase_currency_in_pay_floor_with_suggestion(tmp_path):
    # pycountry finds "usd" too; accepting it would set a floor that no brief (which must write USD) ever meets.
    assert problems_of(tmp_path, edited("USD = 20", "usd = 20")) == [
        "site.toml:9: min_hourly_rate: 'usd' is not an ISO 4217 currency code such as USD, EUR or GBP (did you mean USD?)",
    ]


def test_errors_on_unknown_currency_in_pay_floor_on_its_own_line(tmp_path):
    text = edited("min_hourly_rate = { USD = 20, EUR = 18, GBP = 16 }", "[policy.min_hourly_rate]\nUSD = 20\nXYZ = 5\nEUR = -1")
    assert problems_of(tmp_path, text) == [
        "site.toml:11: min_hourly_rate: 'XYZ' is not an ISO 4217 currency code such as USD, EUR or GBP",
        "site.toml:12: min_hourly_rate: EUR must be a number of zero or more, got -1",
    ]


@pytest.mark.parametrize("value, shown", [('"20"', '"20"'), ("nan", "nan"), ("inf", "inf"), ("true", "true")])
def test_errors_on_pay_floor_that_is_not_a_finite_number(tmp_path, value, shown):
    # nan used to be accepted, then made every USD brief's floor comparison raise decimal.InvalidOperation.
    assert problems_of(tmp_path, edited("USD = 20", f"USD = {value}")) == [
        f"site.toml:9: min_hourly_rate: USD must be a number of zero or more, got {shown}",
    ]


def test_errors_on_pay_floor_that_is_not_a_table(tmp_path):
    assert problems_of(tmp_path, edited("min_hourly_rate = { USD = 20, EUR = 18, GBP = 16 }", "min_hourly_rate = 20")) == [
        "site.toml:9: min_hourly_rate must be a table of currency = amount, e.g. { USD = 20 }, got 20",
    ]


def test_errors_on_table_given_as_a_value(tmp_path):
    assert problems_of(tmp_path, edited("per_page = 20", "per_page = 20\nfeeds = 50")) == [
        "site.toml:7: feeds must be a table ([feeds]), got 50",
    ]


def test_errors_on_board_maintainer_with_at_sign_and_suggests_the_handle(tmp_path):
    assert problems_of(tmp_path, SITE_TOML + '\n[board]\nmaintainers = ["@board-admin"]\n') == [
        'site.toml:36: board maintainers: "@board-admin" is not a GitHub handle (write board-admin, without the @)',
    ]


def test_errors_on_category_key_that_cannot_be_a_url(tmp_path):
    assert problems_of(tmp_path, SITE_TOML + '\n[categories."Data Science"]\ntitle = "Data science"\n') == [
        "site.toml:35: category key 'Data Science' must be lowercase letters, digits and hyphens (it becomes a URL)",
    ]


def test_errors_on_board_without_categories(tmp_path):
    assert problems_of(tmp_path, SITE_TOML[: SITE_TOML.index("[categories.research]")]) == [
        "site.toml:1: at least one category is needed: add a [categories.KEY] table with title and description",
    ]


@pytest.mark.parametrize("change, message", [
    (("per_page = 20", "per_page 20"), "site.toml:6: not valid TOML: Expected '=' after a key in a key/value pair"),
    (('title = "Test Board"', "title = Test Board"),
     'site.toml:1: not valid TOML: invalid value: text must be in quotes, like title = "My board"'),
    (('language = "en"', 'language = "en'),
     'site.toml:4: not valid TOML: a text in quotes must end on the same line (use """ for text over several lines)'),
    (("per_page = 20", "per_page = 20\nper_page = 30"), "site.toml:7: not valid TOML: this setting is already given above: keep one"),
    (("[categories.data]", "[categories.research]"),
     "site.toml:15: not valid TOML: the table [categories.research] is written twice: merge the two into one"),
])
def test_errors_on_invalid_toml_with_its_line(tmp_path, change, message):
    assert problems_of(tmp_path, edited(*change)) == [message]


def test_errors_on_missing_site_toml(tmp_path):
    with pytest.raises(BoardError) as error:
        load_config(tmp_path)
    assert [str(p) for p in error.value.problems] == [f"site.toml:1: no site.toml in {tmp_path}: is this a board's folder?"]


def test_errors_on_site_toml_that_is_not_utf8(tmp_path):
    (tmp_path / "site.toml").write_bytes(SITE_TOML.replace("Test Board", "Tést Board").encode("latin-1"))
    with pytest.raises(BoardError) as error:
        load_config(tmp_path)
    assert [str(p) for p in error.value.problems] == ["site.toml:1: the file is not UTF-8 text; save it as UTF-8"]


def test_reports_every_problem_of_site_toml_in_one_run(tmp_path):
    text = (edited('base_url = "https://example.org/board/"', 'base_url = "example.org"')
            .replace('timezone = "UTC"', 'timezone = "Berlin"')
            .replace("per_page = 20", 'per_page = "20"')
            .replace("USD = 20", "usd = 20")
            + "\n[feeds]\nitems = 0\nlimit = 5\n")
    assert problems_of(tmp_path, text) == [
        'site.toml:3: base_url must be an absolute http(s) URL such as "https://example.org/board/", got "example.org"',
        'site.toml:5: timezone must be an IANA time zone such as "UTC" or "Europe/Berlin", got "Berlin"',
        'site.toml:6: per_page must be a whole number from 1 to 500, got "20"',
        "site.toml:9: min_hourly_rate: 'usd' is not an ISO 4217 currency code such as USD, EUR or GBP (did you mean USD?)",
        "site.toml:36: feeds.items must be a whole number from 1 to 1000, got 0",
        "site.toml:37: unknown setting 'limit' in [feeds]; expected one of: items",
    ]


def test_errors_on_board_maintainers_that_are_not_a_list(tmp_path):
    assert problems_of(tmp_path, SITE_TOML + '\n[board]\nmaintainers = "board-admin"\n') == [
        'site.toml:36: board maintainers must be a list of GitHub handles, e.g. ["board-admin"], got "board-admin"',
    ]


def test_every_setting_is_declared_once_with_a_row_for_each_config_field():
    read = [field.name for field in dataclasses.fields(SiteConfig) if field.default is dataclasses.MISSING]  # not derived
    assert [option.field for option in OPTIONS] == read
    assert len({option.key for option in OPTIONS}) == len(OPTIONS)


def test_left_out_settings_take_their_declared_defaults(tmp_path):
    required = [option for option in OPTIONS if option.default is REQUIRED]
    text = "".join(f"{o.key} = {o.example}\n" for o in required if o.key != "categories") + dict(
        (o.key, o.example) for o in required)["categories"] + "\n"
    assert problems_of(tmp_path, text) == []
    config = load_config(tmp_path)
    for option in OPTIONS:
        if option.default is not REQUIRED:
            value = getattr(config, option.field)
            assert (dict(value) if isinstance(value, Mapping) else list(value) if isinstance(value, tuple) else value) == option.default


def test_commented_site_toml_explains_every_setting_and_loads_with_a_new_boards_values():
    text = commented_site_toml({"title": '"Acme projects"', "base_url": '"https://acme.test/jobs/"'})
    config = config_from_text(text)
    assert (config.title, config.base_url, config.per_page) == ("Acme projects", "https://acme.test/jobs/", 12)
    for option in OPTIONS:
        assert f"# {option.explanation}\n" in text
    assert "# (a whole number from 1 to 500; default 20)\nper_page = 12\n" in text
