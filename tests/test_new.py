"""`board new SLUG`: a template dated from today in the board's timezone, that fails check only until filled in."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from site_builder.brieffields import FIELDS
from site_builder.cli import main
from site_builder.lifecycle import today_in
from site_builder.scaffold import DEADLINE_AFTER_DAYS

PATH = "content/projects/acme-crm-cleanup.md"
# The placeholders of the template, in file order, and real values an employer would write instead.
REAL_VALUES = [
    '"Clean up our customer records before the CRM migration"',
    '"Acme Analytics"',
    '"https://acme.example/jobs/123"',
    '"dana-acme"',
]
ZONE = "Pacific/Kiritimati"  # UTC+14: "today" here is tomorrow in UTC for ten hours a day


@pytest.fixture
def far_east_board(board):
    site = board.root / "site.toml"
    site.write_text(site.read_text().replace('timezone = "UTC"', f'timezone = "{ZONE}"'))
    return board


def new(board, slug: str) -> int:
    return main(["--root", str(board.root), "new", slug])


def check(board, *args: str) -> int:
    return main(["--root", str(board.root), "check", *args])


def field(text: str, name: str) -> str:
    return re.search(rf"^{name}: (\S+)", text, re.MULTILINE).group(1)


def line_of(text: str, start: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if line.lstrip().startswith(start))


def test_new_writes_a_brief_posted_today_with_a_deadline_two_weeks_out(far_east_board, capsys):
    before = today_in(ZONE)
    assert new(far_east_board, "acme-crm-cleanup") == 0
    after = today_in(ZONE)
    assert capsys.readouterr() == (f"wrote {PATH}: fill in the fields, then run `board check`\n", "")
    text = (far_east_board.root / PATH).read_text(encoding="utf-8")
    posted = date.fromisoformat(field(text, "posted"))
    assert posted in (before, after)
    assert DEADLINE_AFTER_DAYS == 14
    assert date.fromisoformat(field(text, "deadline")) == posted + timedelta(days=14)


def test_new_template_mentions_every_field_of_a_brief(board):
    assert new(board, "acme-crm-cleanup") == 0
    text = (board.root / PATH).read_text(encoding="utf-8")
    for name in FIELDS:
        assert re.search(rf"^(# )?{name}:", text, re.MULTILINE), name


def test_new_template_uses_the_board_categories(board):
    assert new(board, "acme-crm-cleanup") == 0
    text = (board.root / PATH).read_text(encoding="utf-8")
    assert field(text, "category") == "research"
    assert "# one of: research, data, writing, software, design, marketing" in text


def test_new_creates_content_projects_when_missing(board):
    (board.root / "content" / "projects").rmdir()
    assert new(board, "acme-crm-cleanup") == 0
    assert (board.root / PATH).is_file()


@pytest.mark.parametrize("slug", ["Acme-CRM", "acme_crm", "ab", "acme--crm", "../acme-crm", "a" * 81])
def test_new_refuses_an_invalid_slug(board, capsys, slug):
    assert new(board, slug) == 1
    assert capsys.readouterr() == ("", f"content/projects/{slug}.md:1: '{slug}' is not a valid slug: use 3 to 80 lowercase "
                                       "letters, digits and single hyphens, like acme-crm-cleanup\n")
    assert list((board.root / "content" / "projects").iterdir()) == []


def test_new_refuses_a_file_name_and_gives_the_slug(board, capsys):
    assert new(board, "acme-crm-cleanup.md") == 1
    assert capsys.readouterr().err == "content/projects/acme-crm-cleanup.md.md:1: give the slug without .md: board new acme-crm-cleanup\n"


def test_new_refuses_a_taken_slug_and_leaves_the_brief_alone(board, capsys):
    existing = board.brief("acme-crm-cleanup")
    before = existing.read_bytes()
    assert new(board, "acme-crm-cleanup") == 1
    assert capsys.readouterr() == ("", f"{PATH}:1: this slug is taken by an existing brief: choose another name for yours, "
                                       "like acme-crm-cleanup-2\n")
    assert existing.read_bytes() == before


def test_new_outside_a_board_says_there_is_no_site_toml(tmp_path, capsys):
    assert main(["--root", str(tmp_path), "new", "acme-crm-cleanup"]) == 1
    assert capsys.readouterr().err == f"site.toml:1: no site.toml in {tmp_path}: is this a board's folder?\n"
    assert not (tmp_path / "content").exists()


def test_fresh_template_fails_check_only_on_its_placeholders(board, capsys):
    assert new(board, "acme-crm-cleanup") == 0
    text = (board.root / PATH).read_text(encoding="utf-8")
    capsys.readouterr()
    assert check(board) == 1
    field_fix = "still holds the template's placeholder: replace it with your own text"
    assert capsys.readouterr().out.splitlines() == [
        f"{PATH}:{line_of(text, 'title:')}: title {field_fix}",
        f"{PATH}:{line_of(text, 'name:')}: company.name {field_fix}",
        f"{PATH}:{line_of(text, 'apply:')}: apply {field_fix}",
        f"{PATH}:{line_of(text, 'maintainers:')}: maintainers item {field_fix}",
        f"{PATH}:{line_of(text, 'FILL IN: describe')}: the description still holds the template's placeholder: "
        "replace it with your brief",
    ]


def test_template_passes_check_once_its_placeholders_are_replaced(board, capsys):
    assert new(board, "acme-crm-cleanup") == 0
    path = board.root / PATH
    text = path.read_text(encoding="utf-8")
    placeholders = re.findall(r'(?:(?<=: )|(?<=\[))"FILL IN[^"]*"', text)  # values, not the comment that explains them
    assert len(placeholders) == len(REAL_VALUES)
    for placeholder, value in zip(placeholders, REAL_VALUES):
        text = text.replace(placeholder, value, 1)
    text = re.sub(r"^FILL IN: describe the project\..*$", "We move to a new CRM in January.", text, flags=re.MULTILINE)
    assert [line for line in text.splitlines() if "FILL IN" in line and not line.startswith("#")] == []
    path.write_text(text, encoding="utf-8")
    capsys.readouterr()
    assert check(board) == 0
    assert capsys.readouterr().out == f"ok: 1 brief, 1 open on {today_in('UTC')}\n"
