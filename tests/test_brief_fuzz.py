"""Whatever an employer's file holds, read_brief returns a Brief or reports problems on real lines: never a traceback."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from site_builder.brief import Brief
from site_builder.brieffields import COMPANY_FIELDS, COMPENSATION_FIELDS, FIELDS
from site_builder.config import SiteConfig, load_config
from site_builder.content import read_brief
from site_builder.errors import Problem
from site_builder.frontyaml import MAX_YEAR, MIN_YEAR
from site_builder.markup import UnrenderableBody, render_markdown
from site_builder.text import FORBIDDEN_CHARACTER, MAX_NAME_SLUG, slug_of
from tests.conftest import BRIEF_FIELDS, LINE, Board, brief_text

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Values that YAML 1.1 or the rules treat specially, next to plain and odd text.
SPECIAL = [
    "no", "NO", "yes", "on", "off", "~", "null", "", "1e3", "1.0e+3", "0x1F", "0o17", "-5", "20", "20.5", ".inf", ".nan",
    "2026-02-30", "2026-11-20", "2026-11-20 10:00:00", "2026-11-20T10:00:00Z", "12:30:00", "&anchor value", "*alias",
    "!!python/object/apply:os.system [ls]", "!!binary aGVsbG8=", "!custom tag", "!!str 20", "'single'", '"double \\x41"',
    '"unclosed', "|\n  block\n  text", ">\n  folded", "@octocat", "`tick`", "%percent", "FILL IN: something", "fill in",
    "https://acme.example/jobs/1", "http://acme.example", "mailto:", "mailto:a@b.example", "javascript:alert(1)", "../x.svg",
    "USD", "usd", "XXX", "fixed", "hourly", "Berlin, DE", "US", "{a: 1}", "[a, b", "? complex key", "- item", "# comment",
    "value # comment", "a: b: c", "\t", "\u2028", "\x85", "\ufeff", "\x00", "\x07", "\ud7ff", "é", "😀",
]
KEYS = FIELDS + COMPANY_FIELDS + COMPENSATION_FIELDS + ["deadine", "Title", "tags", "?", "-", "<<", "1", "true", "'quoted key'"]

scalars = st.one_of(st.sampled_from(SPECIAL), st.text(max_size=30),
                    st.text(alphabet=st.characters(codec="utf-8"), max_size=12))
keys = st.one_of(st.sampled_from(KEYS), st.text(min_size=1, max_size=10))


def block(depth: int) -> st.SearchStrategy[str]:
    """YAML-ish text: mappings, lists and scalars, nested, indented right or (sometimes) wrong."""
    if depth == 0:
        return scalars
    inner = block(depth - 1)
    indents = st.sampled_from(["  ", "  ", "    ", " ", "\t", ""])

    def mapping(pairs: list[tuple[str, str]], indent: str) -> str:
        return "\n".join(f"{key}:" + (f"\n{indent}" + value.replace("\n", f"\n{indent}") if "\n" in value else f" {value}")
                         for key, value in pairs)

    def block_list(items: list[str], indent: str) -> str:
        return "\n".join(f"{indent}- {item}" for item in items)

    return st.one_of(
        scalars,
        st.lists(scalars, max_size=12).map(lambda items: "[" + ", ".join(items) + "]"),
        st.lists(inner, min_size=1, max_size=4).flatmap(lambda items: indents.map(lambda i: "\n" + block_list(items, i))),
        st.lists(st.tuples(keys, inner), min_size=1, max_size=5).flatmap(lambda pairs: indents.map(lambda i: "\n" + mapping(pairs, i))),
    )


front_matters = st.one_of(
    st.lists(st.tuples(keys, block(2)), max_size=14).map(
        lambda pairs: "\n".join(f"{key}:{value}" if value.startswith("\n") else f"{key}: {value}" for key, value in pairs)),
    # a valid brief with one field replaced by something odd
    st.tuples(st.sampled_from(sorted(BRIEF_FIELDS)), block(2)).map(
        lambda change: "\n".join(f"{k}:{v}" if v.startswith("\n") else f"{k}: {v}"
                                 for k, v in {**BRIEF_FIELDS, change[0]: change[1]}.items())),
    block(3),
)
bodies = st.one_of(st.just("We need 4,800 records cleaned.\n"), st.just(""), st.text(max_size=40))
line_ends = st.sampled_from(["\n", "\r\n", "\r"])
documents = st.one_of(
    st.tuples(front_matters, bodies, line_ends, st.booleans()).map(
        lambda d: (("\ufeff" if d[3] else "") + f"---\n{d[0]}\n---\n{d[1]}").replace("\n", d[2]).encode("utf-8", "surrogatepass")),
    st.binary(max_size=300),
    st.binary(max_size=60).map(lambda b: b"---\ntitle: " + b + b"\n---\nbody\n"),
)


@pytest.fixture(scope="module")
def fuzz_board(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SiteConfig]:
    board = Board(tmp_path_factory.mktemp("fuzz"))
    return board.root, load_config(board.root)


def lines_in(raw: bytes) -> int:
    """How many lines an editor shows for these bytes (\\r\\n, \\r and \\n all end a line)."""
    return raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n").count(b"\n") + 1


def assert_read_safely(root: Path, config: SiteConfig, raw: bytes) -> None:
    path = root / "content" / "projects" / "fuzzed-brief.md"
    path.write_bytes(raw)
    problems: list[Problem] = []
    brief = read_brief(path, root, config, problems)
    assert isinstance(brief, Brief) != bool(problems), "a Brief exactly when there is no problem"
    if brief is not None:
        assert_within_the_boards_limits(brief)
    for problem in problems:
        assert problem.path == "content/projects/fuzzed-brief.md"
        assert isinstance(problem.message, str) and problem.message.strip()
        assert "\n" not in problem.message and "\r" not in problem.message, "one problem, one output line"
        assert 1 <= problem.line <= lines_in(raw), f"line {problem.line} is not in the file: {problem}"


def texts_in(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if dataclasses.is_dataclass(value):
        value = dataclasses.astuple(value)
    return [text for item in value for text in texts_in(item)] if isinstance(value, (tuple, list)) else []


def assert_within_the_boards_limits(brief: Brief) -> None:
    """What the check accepts, every later stage can write: no character an output cannot carry, ASCII
    numbers of sane size, dates whose arithmetic cannot overflow, short slugs, a body the markup stage renders."""
    assert not [text for text in texts_in(brief) if FORBIDDEN_CHARACTER.search(text)]
    assert MIN_YEAR <= brief.posted.year <= MAX_YEAR and MIN_YEAR <= brief.deadline.year <= MAX_YEAR
    assert len(str(int(brief.compensation.amount))) <= 12 and brief.hours <= 40
    assert all(len(slug_of(name)) <= MAX_NAME_SLUG for name in (brief.company.name, *brief.skills))
    render_markdown(brief.body, brief.summary)


@FUZZ
@given(body=st.text(alphabet=st.sampled_from([*"[]!()<>*_`#>-+1. \n\t|&;:'\"\\", "\x1b", "\ufffe", "é", "\u2028"]), max_size=300))
def test_a_body_is_rendered_or_refused_on_a_line_of_its_own_never_a_traceback(fuzz_board, body):
    root, config = fuzz_board
    path = root / "content" / "projects" / "fuzzed-brief.md"
    path.write_text(brief_text(body=body or "x"), encoding="utf-8")
    problems: list[Problem] = []
    brief = read_brief(path, root, config, problems)
    if brief is None:
        assert all(p.line >= LINE["end"] for p in problems), problems  # the closing --- names an empty description
        return
    try:
        render_markdown(brief.body, brief.summary)
    except UnrenderableBody as error:
        assert 0 <= error.line <= brief.body.count("\n")


@FUZZ
@given(raw=documents)
def test_read_brief_never_raises_on_random_front_matter(fuzz_board, raw):
    assert_read_safely(*fuzz_board, raw)


@FUZZ
@given(raw=st.binary(max_size=2000))
def test_read_brief_never_raises_on_random_bytes(fuzz_board, raw):
    assert_read_safely(*fuzz_board, raw)


@FUZZ
@given(title=st.text(max_size=40))
def test_line_numbers_do_not_depend_on_the_text_written_before(fuzz_board, title):
    # YAML counts U+0085, U+2028 and U+2029 as line breaks; editors and GitHub do not, and the file's lines are what counts.
    root, config = fuzz_board
    text = brief_text(title=json.dumps(title, ensure_ascii=False), hours="100")
    path = root / "content" / "projects" / "fuzzed-brief.md"
    path.write_text(text, encoding="utf-8")
    problems: list[Problem] = []
    read_brief(path, root, config, problems)
    messages = [str(p) for p in problems]
    hours = "content/projects/fuzzed-brief.md:8: hours must be a whole number from 5 to 40, got 100"
    assert hours in messages or [p.message for p in problems if "YAML does not allow" in p.message], messages


@FUZZ
@given(key=st.text(min_size=1, max_size=20).filter(lambda k: k not in FIELDS))
def test_any_unknown_field_name_is_one_problem_on_one_line(fuzz_board, key):
    root, config = fuzz_board
    text = brief_text(**{json.dumps(key): "x"})  # ASCII-escaped: the parsed key can hold any character
    path = root / "content" / "projects" / "fuzzed-brief.md"
    path.write_text(text, encoding="utf-8")
    problems: list[Problem] = []
    read_brief(path, root, config, problems)
    assert len(problems) == 1 and problems[0].line == 19, problems
    assert problems[0].message.startswith("unknown field '") and "\n" not in problems[0].message
