"""Briefs written to break the board rather than to post a project: `board check` refuses each one
with its `file:line: message`, in every output format, and whatever the check lets through the build
builds. The build is never the first to find a problem, so a pull request the check passes cannot stop
the daily build (and with it the opening and closing of every listing).

Each case stands for a class of input, not for one string: the held-out hostile pull requests are
other members of the same classes."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from site_builder import content, frontyaml
from site_builder.build import build
from site_builder.cli import main
from site_builder.text import FORBIDDEN_CHARACTER, printable, slug_of
from tests.browser import chromium
from tests.conftest import BODY, Board, brief_text
from tests.gitboard import commit_all, git
from tests.site_files import REPO, parse_html
from tests.static_host import hosted

TODAY = date(2026, 11, 25)
NOW = ["--now", TODAY.isoformat()]
CANNOT_CARRY = "a control character or non-character that pages and feeds cannot carry: delete it"
SLOW = "the description takes more than 2 seconds to render, so it was stopped: simplify its Markdown (long runs of [, ! or other marks, deep nesting)"


@dataclass(frozen=True)
class Case:
    """One hostile brief: its file name, its text, and what the check says about it (`{needle}` lines)."""

    name: str
    text: str
    expected: tuple[tuple[str, str], ...] = ()  # (a piece of the text on the line the problem names, or "" for line 1; message)
    file_name: str = ""

    @property
    def file(self) -> str:
        return self.file_name or f"{self.name}.md"

    def lines(self) -> list[str]:
        """The expected problems as `path:line: message`, each line found from the text, never written in."""
        path = printable(f"content/projects/{self.file}")  # as a terminal must show it: \n, \udcff
        return [f"{path}:{1 + self.text[:self.text.index(needle)].count(chr(10)) if needle else 1}: {message}"
                for needle, message in self.expected]


def refused(name: str, expected: list[tuple[str, str]], body: str = BODY, file_name: str = "", **fields: str) -> Case:
    return Case(name, brief_text(body, **fields), tuple(expected), file_name)


def accepted(name: str, body: str = BODY, **fields: str) -> Case:
    return Case(name, brief_text(body, **fields))


REFUSED = [
    # Characters no page, feed or terminal should get: a lone surrogate cannot even be written as UTF-8.
    refused("lone-surrogate", [("title:", f"title contains the character U+D800, {CANNOT_CARRY}")], title='"Clean up \\ud800 records"'),
    refused("escape-sequence", [("name:", f"company.name contains the character U+001B, {CANNOT_CARRY}")],
            company='\n  name: "Acme \\e[2J Analytics"\n  url: https://acme.example'),
    refused("c1-control", [("title:", f"title contains the character U+0085, {CANNOT_CARRY}")], title='"Clean\\x85up"'),
    refused("vertical-tab-in-body", [("\x0b", f"the description contains the character U+000B, {CANNOT_CARRY}")],
            body="## Context\n\nWe need\x0b4,800 records cleaned.\n"),
    refused("noncharacter", [("summary:", f"summary contains the character U+FFFE, {CANNOT_CARRY}")], summary='"Records \\uFFFE cleaned"'),
    refused("noncharacter-in-a-higher-plane", [("skills:", f"skills item contains the character U+1FFFE, {CANNOT_CARRY}")],
            skills='[SQL, "Excel \\U0001FFFE"]'),
    # File names: a slug is all of the name, not a prefix of it.
    refused("newline", [("", "the file name 'acme-crm-cleanup\\n' is not a valid slug: use 3 to 80 lowercase letters, digits "
                             "and single hyphens, like acme-crm-cleanup.md")], file_name="acme-crm-cleanup\n.md"),
    refused("not-utf-8", [("", "the file name is not plain UTF-8 text: rename it to lowercase letters, digits and hyphens, "
                               "like acme-crm-cleanup.md")], file_name=os.fsdecode(b"caf\xe9-brief.md")),
    # Names whose web address (and file name) would be longer than a file system takes, once transliterated.
    refused("company-slug-too-long", [("name:", f"company.name makes a web address of {len(slug_of('ﷺ' * 12))} characters once written "
                                                f"in Latin letters (at most 100): shorten it, got {'ﷺ' * 12}")],
            company=f"\n  name: {'ﷺ' * 12}\n  url: https://acme.example"),
    refused("skill-slug-too-long", [("skills:", f"skill makes a web address of {len(slug_of('北京大学计算机科学技术系' * 3))} characters once "
                                                f"written in Latin letters (at most 100): shorten it, got {'北京大学计算机科学技术系' * 3}")],
            skills=f"[SQL, {'北京大学计算机科学技术系' * 3}]"),
    # Numbers: ASCII digits only, as many as a count or an amount needs.
    refused("amount-of-29-digits", [("amount:", "compensation.amount has 29 digits before the point; an amount has at most 12")],
            compensation=f"\n  amount: {'9' * 29}\n  currency: USD\n  type: fixed"),
    refused("thousands-of-digits", [("hours:", f"hours must be a whole number from 5 to 40, got {'9' * 60}…")], hours="9" * 5000),
    refused("arabic-indic-digits", [("hours:", "hours must be a whole number from 5 to 40, got ١٠ (write numbers and dates with the digits 0-9)")],
            hours="١٠"),
    refused("fullwidth-digits", [("hours:", "hours must be a whole number from 5 to 40, got ４５ (write numbers and dates with the digits 0-9)")],
            hours="４５"),
    refused("date-in-other-digits", [("posted:", "posted must be a date written YYYY-MM-DD, like 2026-11-20, got ٢٠٢٦-١١-٢٠ "
                                                 "(write numbers and dates with the digits 0-9)")], posted="٢٠٢٦-١١-٢٠"),
    # Dates: near year 9999 "deadline + 1 day" is no date; the board's years are 2000 to 2999.
    refused("dates-near-9999", [("posted:", "posted must be a date in the years 2000 to 2999, got 9999-12-25"),
                                ("deadline:", "deadline must be a date in the years 2000 to 2999, got 9999-12-31")],
            posted="9999-12-25", deadline="9999-12-31"),
    # Descriptions: limits checked before rendering, and a time budget while rendering.
    refused("nested-lists", [("- - -", "the description nests lists or quotes 300 levels deep on this line; at most 8 are allowed: flatten it")],
            body="- " * 300 + "deep\n"),
    refused("nested-quotes", [("> > > > > > > > >", "the description nests lists or quotes 9 levels deep on this line; at most 8 are allowed: flatten it")],
            body="".join("> " * level + "quoted\n" for level in range(1, 12))),
    refused("description-too-long", [("www", "the description is 20,005 characters long; a brief's description may have at most "
                                             "20,000: shorten it, or link to a longer document")], body="w" * 20_005 + "\n"),
    refused("empty-links", [("[](", SLOW)], body="[](" * 6600 + "\n"),  # 5 s at Python-Markdown 3.11 (a run of [ no longer is)
    # Sizes: every field has a limit, a web address too.
    refused("address-of-2021-characters", [("apply:", "apply must be at most 2000 characters, got 2021")],
            apply=f"https://acme.example/{'a' * 2000}"),
    # Pay: every currency needs a floor, or a 40-hour project could pay 1 IRR.
    refused("currency-without-a-floor", [("currency:", "compensation.currency: this board takes pay only in the currencies it sets a pay "
                                                       "floor for in site.toml ([policy] min_hourly_rate), got IRR; accepted: EUR, GBP, USD")],
            compensation="\n  amount: 1\n  currency: IRR\n  type: fixed", hours="40"),
]

LONG_WORD = "Supercalifragilisticexpialidocious" * 3  # 102 letters, no place to break
COLLIDING_COMPANIES = ["C", "C.", f"c-{hashlib.sha1(b'c.').hexdigest()[:6]}"]
ACCEPTED = [
    accepted("markup-injection", body="<script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1)) ]]> {{ 7*7 }}\n",
             title='"</script><!-- {{ 7*7 }} {% raw %} ]]>"', summary="\"'\\\"><svg onload=alert(1)>\""),
    accepted("long-words", body=f"## {LONG_WORD}\n\n{LONG_WORD} https://acme.example/{'a' * 200}\n\n| {LONG_WORD} | x |\n|---|---|\n| y | z |\n",
             title=LONG_WORD[:100], company=f"\n  name: {LONG_WORD[:100]}\n  url: https://acme.example/{'b' * 200}",
             skills=f"[{LONG_WORD[:40]}]", remote="false", location=f'"{LONG_WORD[:90]}, DE"', summary=LONG_WORD,
             apply=f"https://{'c' * 60}.example/{'d' * 200}"),
    accepted("right-to-left-and-invisible-marks", body="مرحبا \u200f\u202eabc\u202c \u200b\u2028\u2029 text \ue000\n"),
    accepted("emoji-and-combining-marks", title='"Data 😀 clean-up Z' + "\u0336" * 40 + '"', body="😀" * 500 + " e" + "\u0301" * 200 + "\n"),
    accepted("nesting-at-the-limit", body="".join("    " * level + "- level\n" for level in range(8))),
    accepted("empty-links-within-the-budget", body="[](" * 200 + "\n"),
    accepted("description-at-the-size-limit", body=("word " * 3999)[:19_990] + "\n"),
    accepted("dates-at-the-edges-of-the-range", posted="2999-12-01", deadline="2999-12-31"),
    accepted("long-closed", posted="2000-01-01", deadline="2000-01-02", title=LONG_WORD[:100]),
    accepted("largest-amount", compensation="\n  amount: 999999999999.99\n  currency: USD\n  type: hourly"),
    accepted("names-like-object-properties", company="\n  name: __proto__\n  url: https://acme.example",
             skills="[constructor, __proto__, toString, hasOwnProperty]"),
    accepted("names-with-no-letters", company='\n  name: "!!!"\n  url: https://acme.example', skills='["***", "C#", "C++", "c", "+++"]'),
    accepted("one-word-of-19000-letters", body="a" * 19_000 + "\n"),
    # Three companies whose slugs meet: "C" and "C." both make "c"; the third calls itself what "C." becomes.
    *(accepted(f"slug-collision-{n}", company=f'\n  name: "{name}"\n  url: https://acme.example')
      for n, name in enumerate(COLLIDING_COMPANIES)),
]


def make_board(root: Path, cases: list[Case]) -> Path:
    board = Board(root)
    shutil.copytree(REPO / "layouts", root / "layouts")
    shutil.copytree(REPO / "static", root / "static", dirs_exist_ok=True)
    for case in cases:
        board.write(case.file, case.text.encode("utf-8", "surrogatepass"))
    return root


def check(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    status = main(["--root", str(root), "check", *NOW, *args])
    return status, capsys.readouterr().out


@pytest.mark.parametrize("case", REFUSED, ids=lambda case: case.name)
def test_check_refuses_a_hostile_brief_with_its_file_line_and_message(tmp_path, capsys, case):
    root = make_board(tmp_path, [case])
    status, out = check(root, capsys)
    assert status == 1
    assert out.splitlines() == case.lines()


@pytest.fixture(scope="module")
def refused_board(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_board(tmp_path_factory.mktemp("refused"), REFUSED)


@pytest.fixture(scope="module")
def accepted_board(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path, str]]:
    """The briefs the check accepts, built and served: (board, output folder, its address)."""
    root = make_board(tmp_path_factory.mktemp("accepted"), ACCEPTED)
    with hosted(root / "public") as url:
        build(root, root / "public", TODAY, base_url=url)
        yield root, root / "public", url


def expected_lines(cases: list[Case]) -> list[str]:
    return sorted((line for case in cases for line in case.lines()), key=lambda line: (line.split(":")[0], int(line.split(":")[1])))


def test_every_output_format_prints_every_hostile_problem(tmp_path, capsys):
    quick = [case for case in REFUSED if SLOW not in dict(case.expected).values()]  # the slow ones are ASCII text
    root = make_board(tmp_path, quick)
    expected = expected_lines(quick)
    assert check(root, capsys) == (1, "".join(line + "\n" for line in expected))
    status, out = check(root, capsys, "--format", "json")
    assert status == 1 and [f"{p['path']}:{p['line']}: {p['message']}" for p in json.loads(out.encode("utf-8"))] == expected
    status, out = check(root, capsys, "--format", "github")
    assert status == 1 and len(out.encode("utf-8").splitlines()) == len(expected)
    assert all(line.startswith("::error file=content/projects/") for line in out.splitlines())


def test_a_logo_whose_name_is_not_utf8_is_a_problem_for_check_and_build_not_a_traceback(tmp_path, capsys):
    root = make_board(tmp_path, [accepted("acme-crm-cleanup")])
    (root / "static/logos" / os.fsdecode(b"caf\xe9.svg")).write_bytes((root / "static/logos/acme.svg").read_bytes())
    assert check(root, capsys)[0] == 1
    assert main(["--root", str(root), "build", *NOW, "--no-search"]) == 1
    assert capsys.readouterr().err.startswith("static/logos/caf\\udce9.svg:1: ")


def test_check_prints_every_problem_to_an_ascii_terminal(tmp_path):
    root = make_board(tmp_path, [case for case in REFUSED if case.name in ("lone-surrogate", "fullwidth-digits")])
    for format_name in ("text", "github", "json"):
        run = subprocess.run([sys.executable, "-m", "site_builder", "--root", str(root), "check", *NOW, "--format", format_name],
                             capture_output=True, env={**os.environ, "PYTHONIOENCODING": "ascii", "PYTHONPATH": str(REPO)})
        assert run.returncode == 1 and b"Traceback" not in run.stderr, run.stderr
        assert b"got \\uff14\\uff15 (write numbers" in run.stdout.replace(b"\\\\", b"\\"), run.stdout


def test_build_refuses_exactly_what_check_refuses(refused_board, capsys):
    status = main(["--root", str(refused_board), "build", *NOW, "--output", str(refused_board / "public")])
    assert status == 1 and not (refused_board / "public").exists()
    assert capsys.readouterr().err.splitlines() == expected_lines(REFUSED)


def test_check_and_build_agree_on_the_hostile_briefs_the_check_accepts(accepted_board, capsys):
    root, output, _ = accepted_board  # built by the fixture: a build that failed would have failed it
    status, out = check(root, capsys)
    assert status == 0, out
    shown = {case.name for case in ACCEPTED} - {"dates-at-the-edges-of-the-range"}  # scheduled for 2999
    assert {path.name for path in (output / "projects").iterdir()} == shown


def test_company_names_whose_slugs_meet_get_a_page_each(accepted_board):
    _, output, _ = accepted_board
    headings = [next(text for tag, text in parse_html(page.read_text()).data if tag == "h1")
                for page in sorted(output.glob("companies/*/index.html"))]
    assert sorted(name for name in headings if name in COLLIDING_COMPANIES) == sorted(COLLIDING_COMPANIES)


def test_every_page_fits_a_phone_360_pixels_wide_whatever_the_words(accepted_board):
    # Words of 100 letters in a title, a company, a skill, a location, a table and the text: each wraps.
    _, output, url = accepted_board
    paths = sorted(p.relative_to(output).as_posix().removesuffix("index.html") for p in output.rglob("index.html"))
    too_wide, errors = {}, []
    with chromium("the phone-width test of hostile briefs") as browser:
        page = browser.new_page(viewport={"width": 360, "height": 740})
        page.on("pageerror", lambda error: errors.append(str(error)))  # the search page lists "__proto__" as a company
        for path in paths + [f"search/?q={LONG_WORD[:30]}", "search/?company=__proto__"]:
            page.goto(url + path)
            if path.startswith("search/"):
                page.locator("#search-results:not([aria-busy])").wait_for(state="attached")
                assert page.locator("#search-results .card-title a").count() >= 1, path
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 360:
                too_wide[path] = width
    assert len(paths) > 30 and too_wide == {} and errors == []


def test_no_output_carries_a_control_character_even_where_the_check_was_bypassed(tmp_path, monkeypatch):
    # Defence in depth: with the check's character rule switched off, the writers still drop them.
    monkeypatch.setattr(frontyaml, "first_forbidden", lambda text: None)
    monkeypatch.setattr(content, "first_forbidden", lambda text: None)
    hostile, in_yaml = "\x1b[2J\x0b\x7f\x85\ufdd0\ufffe\U0001fffe", "\\e[2J\\v\\x7f\\x85\\uFDD0\\uFFFE\\U0001FFFE"
    root = make_board(tmp_path, [accepted("control-characters", body=f"## Context {hostile}\n\nText {hostile} here.\n",
                                          title=f'"Clean up {in_yaml} records"', summary=f'"Summary {in_yaml}"')])
    build(root, root / "public", TODAY, jobs=1)
    escaped = re.compile(r"\\u00(?:0[0-8bcef]|1[0-9a-f]|7f|[89][0-9a-f])|\\u(?:d[89a-f]|fdd|fde|fff[ef])|\\x1b", re.I)
    checked = 0
    for path in sorted((root / "public").rglob("*")):
        if path.suffix in (".html", ".json", ".xml", ".ics", ".opml", ".txt"):
            text = path.read_text(encoding="utf-8")
            assert not FORBIDDEN_CHARACTER.search(text) and not escaped.search(text), path
            checked += 1
    project = (root / "public/projects/control-characters/index.html").read_text()
    assert "Clean up [2J records" in project and "Text [2J here." in project
    assert checked > 20


def test_a_commit_dated_in_year_10000_is_a_warning_not_a_failed_build(tmp_path, capsys, monkeypatch):
    root = make_board(tmp_path, [accepted("acme-crm-cleanup")])
    git(root, "init", "--quiet", "--initial-branch=main")
    monkeypatch.setenv("GIT_COMMITTER_DATE", "@253402300800 +0000")  # 10000-01-01T00:00:00+00:00
    commit_all(root, "A commit from the future", user="mallory")
    monkeypatch.delenv("GIT_COMMITTER_DATE")
    for _ in range(2):  # and again when the history is taken as the last build read it
        assert main(["--root", str(root), "build", *NOW, "--no-search"]) == 0
        assert ("warning: git history: a commit's date cannot be read (10000-01-01T00:00:00+00:00); the briefs it changed "
                "count as changed when they were posted") in capsys.readouterr().out.splitlines()
    assert subprocess.run(["git", "-C", str(root), "log", "--format=%cI"], capture_output=True, text=True).stdout.startswith("10000")
