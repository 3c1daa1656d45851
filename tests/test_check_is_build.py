"""`board check` is `board build` without the rendering and the writing: both run the same loader, so a
board broken in every way they know gets the same `file:line: message` lines from each."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_builder.cli import main
from tests.site_files import EXAMPLE_DATE, copy_example_board


def edit(board: Path, name: str, old: str, new: str) -> None:
    path = board / name
    text = path.read_text()
    assert old in text, f"{name} no longer holds {old!r}"
    path.write_text(text.replace(old, new, 1))


def check_and_build(board: Path, capsys: pytest.CaptureFixture[str]) -> tuple[tuple[int, str], tuple[int, str]]:
    """(status, problem lines) of `board check`, then of `board build`."""
    checked = main(["--root", str(board), "check", "--now", EXAMPLE_DATE])
    check_out = capsys.readouterr().out
    built = main(["--root", str(board), "build", "--now", EXAMPLE_DATE, "--no-search", "--output", str(board.parent / "public")])
    return (checked, check_out), (built, capsys.readouterr().err)


def test_board_broken_in_every_way_gets_the_same_lines_from_check_and_build(tmp_path: Path, capsys) -> None:
    board = copy_example_board(tmp_path / "board")
    edit(board, "content/projects/acme-crm-cleanup.md", "hours: ", "hours: 100\nhour: ")  # a bad value and an unknown field
    (board / "content" / "projects" / "notes.txt").write_text("not a brief")
    edit(board, "content/pages/about.md", "title:", "titel:")
    edit(board, "layouts/project.html", "{% block main %}", "{% block main %}\n{% if %}")  # a syntax error
    edit(board, "layouts/_macros.html", "{% macro", "{{ 1 | no_such_filter }}\n{% macro")  # an unknown filter
    edit(board, "layouts/search.html", "{% block main %}", '{% block main %}{% include "sidebar.html" %}')  # a missing layout
    check, build = check_and_build(board, capsys)
    assert check == build
    status, lines = check
    assert status == 1 and "Traceback" not in lines
    for where in ("content/projects/acme-crm-cleanup.md:", "content/projects/notes.txt:1:", "content/pages/about.md:",
                  "layouts/project.html:", "layouts/_macros.html:1: template error: No filter named 'no_such_filter'.",
                  "layouts/search.html:17: template error: there is no layout 'sidebar.html' in layouts/ or the theme"):
        assert where in lines
    assert not (board.parent / "public").exists()


def test_broken_site_toml_gets_the_same_lines_from_check_and_build(tmp_path: Path, capsys) -> None:
    board = copy_example_board(tmp_path / "board")
    edit(board, "site.toml", "per_page = 12", "per_page = 0\nper_pgae = 3")
    check, build = check_and_build(board, capsys)
    assert check == build and check[0] == 1
    assert "site.toml:" in check[1] and "per_page must be a whole number from 1 to 500, got 0" in check[1]
