"""`board check` as the employer and the pull-request workflow run it: exit status, and every line printed."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from site_builder.cli import main
from site_builder.errors import Problem, format_github, format_json, format_text
from site_builder.lifecycle import today_in

REPO = Path(__file__).resolve().parent.parent
CATEGORIES = "research, data, writing, software, design, marketing"
PROJECTS = "content/projects"

# Ten briefs, each broken in its own way, and the one line `board check` prints for each.
BROKEN = {
    "brief-01": ({"hours": "100"}, "8: hours must be a whole number from 5 to 40, got 100"),
    "brief-02": ({"category": "dta"}, f"6: there is no category 'dta' (did you mean 'data'?); expected one of: {CATEGORIES}"),
    "brief-03": ({"countries": "[us]"}, "14: countries: us is not an ISO 3166-1 country code, a region code or anywhere (write it in capitals: US)"),
    "brief-04": ({"apply": "http://acme.example/jobs"},
                 "17: apply must be an https:// web address or a mailto: e-mail address, like https://acme.example/jobs/123, "
                 "got http://acme.example/jobs"),
    "brief-05": ({"deadline": "2026-11-01"},
                 "16: deadline must be on or after posted (2026-11-20) and at most 180 days later (by 2027-05-19), got 2026-11-01"),
    "brief-06": ({"title": "no"}, '2: title must be text, but YAML reads no as a yes/no value; put it in quotes: "no"'),
    "brief-07": ({"remote": "yes"}, "13: remote must be true or false, got yes"),
    "brief-08": ({"body": ""}, "19: the description is empty: after the second --- line, describe the context, "
                               "the deliverable and what success looks like"),
    "brief-09": ({"compensation": "\n  amount: 100\n  currency: USD\n  type: fixed"},
                 "10: pay is below this board's floor of 20 USD per hour: 100 USD for 20 hours is 5.00 USD per hour; "
                 "raise the amount to at least 400 for 20 hours, or lower the hours"),
    "brief-10": ({"maintainers": '["@octocat"]'}, "18: maintainers: @octocat is not a GitHub handle (write octocat, without the @)"),
}
EXPECTED_LINES = [f"{PROJECTS}/{slug}.md:{line}" for slug, (_, line) in BROKEN.items()]


def check(board, *args: str) -> int:
    return main(["--root", str(board.root), "check", *args])


@pytest.fixture
def broken_board(board):
    """A board with one good brief and the ten broken ones."""
    board.brief("acme-crm-cleanup")
    for slug, (fields, _) in BROKEN.items():
        board.brief(slug, **fields)
    return board


# --- text ------------------------------------------------------------------------------------------------

def test_check_passes_a_good_board_with_a_summary_line(board, capsys):
    board.brief("acme-crm-cleanup")
    board.brief("acme-dashboard", posted="2026-12-01", deadline="2026-12-20")  # scheduled on the 25th
    board.brief("acme-survey", posted="2026-10-01", deadline="2026-10-20")  # closed on the 25th
    assert check(board, "--now", "2026-11-25") == 0
    assert capsys.readouterr() == ("ok: 3 briefs, 1 open on 2026-11-25\n", "")


def test_check_counts_one_brief_in_the_singular(board, capsys):
    board.brief("acme-crm-cleanup")
    assert check(board, "--now", "2026-12-15") == 0
    assert capsys.readouterr().out == "ok: 1 brief, 1 open on 2026-12-15\n"


def test_check_dates_the_summary_today_in_the_board_timezone_by_default(board, capsys):
    assert check(board) == 0
    assert capsys.readouterr().out == f"ok: 0 briefs, 0 open on {today_in('UTC')}\n"


def test_check_prints_every_problem_of_ten_broken_briefs_in_one_run(broken_board, capsys):
    broken_board.write("notes.txt", "a note that does not belong here")
    assert check(broken_board, "--now", "2026-11-25") == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == EXPECTED_LINES + [
        f"{PROJECTS}/notes.txt:1: only briefs belong in {PROJECTS}/: one <slug>.md file per project (rename or move this)"]
    assert err == "11 problems in 11 files\n"


def test_check_reports_site_toml_problems_with_their_lines(board, capsys):
    (board.root / "site.toml").write_text((board.root / "site.toml").read_text()
                                          .replace('timezone = "UTC"', 'timezone = "Berlin"').replace("per_page = 20", "per_page = 0"))
    assert check(board, "--now", "2026-11-25") == 1
    assert capsys.readouterr() == (
        'site.toml:5: timezone must be an IANA time zone such as "UTC" or "Europe/Berlin", got "Berlin"\n'
        "site.toml:6: per_page must be a whole number from 1 to 500, got 0\n",
        "2 problems in 1 file\n")


def test_check_without_now_reports_site_toml_problems_too(board, capsys):
    (board.root / "site.toml").write_text((board.root / "site.toml").read_text().replace('timezone = "UTC"', 'timezone = "Berlin"'))
    assert check(board) == 1
    assert capsys.readouterr().out == 'site.toml:5: timezone must be an IANA time zone such as "UTC" or "Europe/Berlin", got "Berlin"\n'


def test_check_outside_a_board_says_there_is_no_site_toml(tmp_path, capsys):
    assert main(["--root", str(tmp_path), "check"]) == 1
    assert capsys.readouterr().out == f"site.toml:1: no site.toml in {tmp_path}: is this a board's folder?\n"


# --- given files -----------------------------------------------------------------------------------------

def test_check_given_files_checks_only_those(broken_board, capsys):
    broken_board.write("notes.txt", "not a brief, but not asked about either")
    assert check(broken_board, f"{PROJECTS}/acme-crm-cleanup.md", "--now", "2026-11-25") == 0
    assert capsys.readouterr().out == "ok: 1 brief, 1 open on 2026-11-25\n"
    assert check(broken_board, f"{PROJECTS}/brief-01.md", f"{PROJECTS}/brief-07.md", "--now", "2026-11-25") == 1
    assert capsys.readouterr().out.splitlines() == [EXPECTED_LINES[0], EXPECTED_LINES[6]]


def test_check_given_a_file_by_absolute_path_names_it_relative_to_the_board(broken_board, capsys):
    assert check(broken_board, str(broken_board.root / PROJECTS / "brief-01.md")) == 1
    assert capsys.readouterr().out.splitlines() == [EXPECTED_LINES[0]]


def test_check_given_the_same_file_twice_checks_it_once(board, capsys):
    board.brief("acme-crm-cleanup")
    path = f"{PROJECTS}/acme-crm-cleanup.md"
    assert check(board, path, path, f"./{path}", "--now", "2026-11-25") == 0
    assert capsys.readouterr().out == "ok: 1 brief, 1 open on 2026-11-25\n"


def test_check_given_a_missing_file_says_so_and_still_checks_the_others(broken_board, capsys):
    assert check(broken_board, f"{PROJECTS}/acme-crm-cleanp.md", f"{PROJECTS}/brief-01.md", "--now", "2026-11-25") == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        f"{PROJECTS}/acme-crm-cleanp.md:1: there is no such file: give the path of a brief, like {PROJECTS}/acme-crm-cleanup.md",
        EXPECTED_LINES[0],
    ]
    assert err == "2 problems in 2 files\n"


def test_check_given_a_folder_says_there_is_no_such_file(board, capsys):
    assert check(board, PROJECTS) == 1
    assert capsys.readouterr().out == (
        f"{PROJECTS}:1: there is no such file: give the path of a brief, like {PROJECTS}/acme-crm-cleanup.md\n")


# --- github and json -------------------------------------------------------------------------------------

def test_check_prints_github_annotations_one_per_problem(broken_board, capsys):
    assert check(broken_board, "--format", "github", "--now", "2026-11-25") == 1
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert all(re.fullmatch(r"::error file=[^,:]+,line=\d+::[^\r\n]+", line) for line in lines), lines
    assert lines == [f"::error file={PROJECTS}/{slug}.md,line={expected.split(': ', 1)[0]}::{expected.split(': ', 1)[1]}"
                     for slug, (_, expected) in BROKEN.items()]
    assert err == ""


def test_check_prints_json_list_of_path_line_message(broken_board, capsys):
    assert check(broken_board, "--format", "json", "--now", "2026-11-25") == 1
    problems = json.loads(capsys.readouterr().out)
    assert [f"{p['path']}:{p['line']}: {p['message']}" for p in problems] == EXPECTED_LINES
    assert all(set(p) == {"path", "line", "message"} and isinstance(p["line"], int) for p in problems)


def test_check_prints_an_empty_json_list_and_nothing_in_github_format_when_all_is_well(board, capsys):
    board.brief()
    assert check(board, "--format", "json") == 0
    assert json.loads(capsys.readouterr().out) == []
    assert check(board, "--format", "github") == 0
    assert capsys.readouterr() == ("", "")


def test_github_format_escapes_percent_and_a_problem_shows_line_breaks_as_escapes():
    problem = Problem("content/projects/acme.md", 3, "100% of it\r\nis wrong")
    assert format_github([problem]) == "::error file=content/projects/acme.md,line=3::100%25 of it\\r\\nis wrong\n"


def test_a_problem_escapes_surrogates_and_control_characters_so_every_format_can_print_it():
    # A message quotes what a file holds, a path is what someone named a file: a lone surrogate cannot be
    # written as UTF-8, an escape sequence would drive the terminal, a line break would split the line.
    problem = Problem("content/projects/\udcff\n.md", 3, "got \ud800, \x1b[2J and \ufffe")
    assert (problem.path, problem.message) == ("content/projects/\\udcff\\n.md", "got \\ud800, \\x1b[2J and \\ufffe")
    assert format_text([problem]) == "content/projects/\\udcff\\n.md:3: got \\ud800, \\x1b[2J and \\ufffe\n"
    assert format_github([problem]).encode("utf-8").count(b"\n") == 1
    assert json.loads(format_json([problem]).encode("utf-8"))[0]["message"] == problem.message


def test_github_format_escapes_colon_and_comma_in_the_file_property():
    problem = Problem("content/projects/a:b,c%.md", 1, "x: y, z")
    assert format_github([problem]) == "::error file=content/projects/a%3Ab%2Cc%25.md,line=1::x: y, z\n"


def test_formats_sort_problems_by_file_then_line():
    problems = [Problem("b.md", 2, "two"), Problem("a.md", 10, "ten"), Problem("a.md", 9, "nine")]
    assert format_text(problems) == "a.md:9: nine\na.md:10: ten\nb.md:2: two\n"
    assert [p["line"] for p in json.loads(format_json(problems))] == [9, 10, 2]


def test_json_format_keeps_non_ascii_text():
    assert json.loads(format_json([Problem("x.md", 1, "Café Müller")])) == [{"path": "x.md", "line": 1, "message": "Café Müller"}]


# --- usage -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("args", [["--format", "xml"], ["--now", "2026-13-01"], ["--now", "tomorrow"]])
def test_check_exits_2_on_usage_errors(board, capsys, args):
    with pytest.raises(SystemExit) as exit_:
        check(board, *args)
    assert exit_.value.code == 2
    assert "usage: board" in capsys.readouterr().err


# --- the example board, as the deploy workflow runs it ----------------------------------------------------

def test_example_board_passes_check_run_as_a_module(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    run = subprocess.run([sys.executable, "-m", "site_builder", "--root", str(REPO), "check", "--now", "2026-11-25"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
    assert re.fullmatch(r"ok: \d+ briefs, \d+ open on 2026-11-25\n", run.stdout)
    assert "Traceback" not in run.stderr
