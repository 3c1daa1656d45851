"""A mistake in a layout stops `board build` with `layouts/FILE:LINE: message`, never a traceback, whatever
the mistake and whichever process renders the page, and leaves the last good board as it was."""

from __future__ import annotations

import gzip
import json
import os
import pickle
import time
from datetime import date
from pathlib import Path

import pytest

from site_builder.build import build
from site_builder.cli import main
from site_builder.errors import BoardError, Problem
from site_builder.parallel import map_in_processes
from site_builder.theme import SHIPPED
from tests.site_files import EXAMPLE_DATE, copy_example_board, tree

NOW = date.fromisoformat(EXAMPLE_DATE)
MAIN_BLOCK = "{% block main %}"  # in layouts/project.html: a broken line is added right after it
MACRO = "{% macro badges(project) %}"  # in layouts/_macros.html


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, bytes]]:
    """A copy of the example board, built once: (board, output folder, the output's files)."""
    board = copy_example_board(tmp_path_factory.mktemp("layouts") / "board")
    output = board.parent / "public"
    build(board, output, NOW)
    return board, output, tree(output)


def break_layout(board: Path, layout: str, anchor: str, broken: str) -> int:
    """Add the line `broken` after the line holding `anchor`; return the broken line's number."""
    path = board / "layouts" / layout
    text = path.read_text()
    assert anchor in text
    start = text.index(anchor)
    path.write_text(text[:start] + anchor + "\n" + broken + text[start + len(anchor):])
    return text[:start].count("\n") + 2


def board_build(board: Path, output: Path, capsys: pytest.CaptureFixture[str], *options: str) -> tuple[int, str, str]:
    status = main(["--root", str(board), "build", "--output", str(output), "--now", EXAMPLE_DATE, "--no-search", *options])
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def restore_layouts(built: tuple[Path, Path, dict[str, bytes]]):
    """Put the layouts back as they were after a test has broken them."""
    board = built[0]
    saved = {path: path.read_bytes() for path in (board / "layouts").iterdir()}
    yield
    for path in (board / "layouts").iterdir():
        if path not in saved:
            path.unlink()
    for path, data in saved.items():
        path.write_bytes(data)


def first_project_page(output: Path) -> str:
    """The first project page a build renders: the open bundle's pages go first (`build.render_first`),
    by path. The open bundle's fragments name them."""
    fragments = [gzip.decompress(path.read_bytes()) for path in (output / "pagefind" / "fragment").glob("*.pf_fragment")]
    urls = [json.loads(fragment[fragment.index(b"{"):])["url"] for fragment in fragments]
    assert urls
    return min(url[url.index("projects/"):] + "index.html" for url in urls)


@pytest.mark.parametrize(("broken", "message"), [
    ("{% if %}", "template error: Expected an expression, got 'end of statement block'"),
    ("{{ brief.title | no_such_filter }}", "template error: No filter named 'no_such_filter'."),
    ("{{ projct.title }}", "template error: 'projct' is undefined, while rendering {page}"),
    ("{{ brief.titel }}", "template error: Brief has no attribute 'titel' (did you mean 'title'?), while rendering {page}"),
    ("{{ 1/0 }}", "template error: division by zero (ZeroDivisionError), while rendering {page}"),
    ("{{ badges(project, 'big') }}", "template error: macro 'badges' takes not more than 1 argument(s) (TypeError), while rendering {page}"),
    ("{{ card_of(project) }}", "template error: 'card_of' is undefined, while rendering {page}"),
    ('{% include "sidebar.html" %}', "template error: there is no layout 'sidebar.html' in layouts/ or the theme"),
])
def test_layout_mistake_fails_the_build_with_its_file_and_line_and_keeps_the_last_board(
        built, restore_layouts, capsys, broken: str, message: str) -> None:
    board, output, files = built
    line = break_layout(board, "project.html", MAIN_BLOCK, broken)
    status, out, err = board_build(board, output, capsys)
    expected = message.format(page=first_project_page(output))
    assert (status, out, err) == (1, "", f"layouts/project.html:{line}: {expected}\n")
    assert tree(output) == files


def test_filter_given_a_bad_argument_names_the_layout_line_and_the_kind_of_error(built, restore_layouts, capsys) -> None:
    board, output, files = built
    line = break_layout(board, "project.html", MAIN_BLOCK, '{{ brief.title | truncate("ten") }}')
    status, out, err = board_build(board, output, capsys)
    assert status == 1 and out == "" and "Traceback" not in err
    assert err.startswith(f"layouts/project.html:{line}: template error: ") and err.endswith(
        f" (TypeError), while rendering {first_project_page(output)}\n")
    assert tree(output) == files


def test_mistake_inside_a_macro_is_reported_in_the_macro_file_not_where_it_is_called(built, restore_layouts, capsys) -> None:
    board, output, files = built
    line = break_layout(board, "_macros.html", MACRO, "{{ project.zzzz }}")
    status, out, err = board_build(board, output, capsys)
    assert status == 1 and out == ""
    [reported] = err.splitlines()
    assert reported.startswith(f"layouts/_macros.html:{line}: template error: Project has no attribute 'zzzz', while rendering ")
    assert tree(output) == files


def test_syntax_error_in_an_imported_layout_names_that_layout(built, restore_layouts, capsys) -> None:
    board, output, files = built
    line = break_layout(board, "_macros.html", MACRO, "{% endmacr %}")
    status, _, err = board_build(board, output, capsys)
    assert status == 1
    assert err.startswith(f"layouts/_macros.html:{line}: template error: Encountered unknown tag 'endmacr'.")
    assert tree(output) == files


def test_a_page_whose_layout_the_board_deletes_is_rendered_with_the_themes(built, restore_layouts, capsys) -> None:
    board, output, files = built
    (board / "layouts" / "page.html").unlink()  # the board's copy of the theme's page.html
    assert board_build(board, output, capsys)[0] == 0
    assert tree(output) == files


def test_mistake_met_in_a_theme_layout_names_the_themes_file(built, restore_layouts, capsys) -> None:
    board, output, files = built
    for layout in (board / "layouts").iterdir():  # the board keeps only its own _macros.html, without breadcrumbs
        if layout.name != "_macros.html":
            layout.unlink()
    macros = board / "layouts" / "_macros.html"
    macros.write_text(macros.read_text().replace("{% macro breadcrumbs(", "{% macro crumbs("))
    status, _, err = board_build(board, output, capsys)
    place, _, message = err.partition(": template error: ")
    theme_layout, _, line = place.rpartition(":")
    assert (status, Path(theme_layout).parent) == (1, SHIPPED / "layouts")
    assert "breadcrumbs" in Path(theme_layout).read_text().splitlines()[int(line) - 1]
    assert "does not export the requested name 'breadcrumbs'" in message
    assert tree(output) == files


def test_layout_extending_a_missing_layout_names_its_extends_line(built, restore_layouts, capsys) -> None:
    board, output, files = built
    layout = board / "layouts" / "project.html"
    text = layout.read_text()
    assert text.startswith('{% extends "base.html" %}')
    layout.write_text(text.replace('"base.html"', '"bsae.html"', 1))
    assert board_build(board, output, capsys) == (1, "", "layouts/project.html:1: template error: there is no layout 'bsae.html' in layouts/ or the theme\n")


def test_pages_rendered_in_worker_processes_report_the_same_first_broken_page_as_one_process(built, restore_layouts, capsys) -> None:
    board, output, files = built
    # Only the pages of briefs with a company URL break, so which page fails first depends on the data.
    break_layout(board, "project.html", MAIN_BLOCK, "{% if brief.company.url %}{{ 1/0 }}{% endif %}")
    reports = [board_build(board, output, capsys, "--no-cache", "--jobs", jobs) for jobs in ("1", "2", "2")]
    assert reports[1:] == reports[:1] * 2
    status, _, err = reports[0]
    assert status == 1 and "(ZeroDivisionError), while rendering projects/" in err and len(err.splitlines()) == 1
    assert tree(output) == files


def test_first_failing_item_in_order_is_the_error_raised_although_a_later_one_fails_sooner() -> None:
    """Real worker processes (two, and this one sharing the work): item 30 fails slowly in one, item 60 at
    once in the other; the error is item 30's, with its problem intact after crossing back from the worker
    that raised it."""
    def work(index: int) -> int:
        if index == 30:
            time.sleep(0.3)
        if index in (30, 60):
            raise BoardError([Problem(f"item-{index}", index, f"raised in process {os.getpid()}")])
        return os.getpid()

    with pytest.raises(BoardError) as caught:
        map_in_processes(work, range(300), jobs=3, share=True)
    [problem] = caught.value.problems
    assert (problem.path, problem.line) == ("item-30", 30)
    assert problem.message != f"raised in process {os.getpid()}", "the work did not run in a worker process"


def test_board_error_pickles_with_its_problems() -> None:
    error = BoardError([Problem("layouts/project.html", 17, "template error: division by zero"), Problem("a.md", 1, "x")])
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is BoardError and copy.problems == error.problems and str(copy) == str(error)
