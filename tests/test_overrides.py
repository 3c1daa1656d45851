"""A board with no layouts/ and no static/ builds with the packaged theme; its own layouts/NAME or
static/NAME replaces the theme's file of that name, and `theme/NAME` extends the theme's original."""

from __future__ import annotations

import functools
import re
import shutil
import time
from datetime import date
from pathlib import Path

import pytest

import site_builder.devserver as devserver_module
import site_builder.load as load_module
from site_builder.build import BuildResult, build
from site_builder.devserver import DevServer
from site_builder.devwatch import Change, ChangeKind, classify
from site_builder.theme import SHIPPED, Theme
from tests.conftest import Board
from tests.site_files import tree
from tests.test_serve import poll

NOW = date(2026, 11, 25)
PROJECT = "projects/acme-crm-cleanup/index.html"
CRUMBS = re.compile(r'<nav class="breadcrumbs".*?</nav>', re.S)
MARKER = "MARKER-OVERRIDE-7c1f"


def build_quietly(root: Path, output: Path) -> tuple[BuildResult, list[str]]:
    """Build with search off and the cache on; return the result and the pages it rendered."""
    stages: list[str] = []
    result = build(root, output, NOW, search=False, progress=stages.append)
    rendered = next(stage for stage in stages if stage.startswith("rendering "))
    return result, rendered


@pytest.fixture
def themed(tmp_path: Path) -> tuple[Board, Path, dict[str, bytes]]:
    """A board of one brief with no layouts/ and only its logo in static/, built: (board, output, files)."""
    (tmp_path / "board").mkdir()
    board = Board(tmp_path / "board")
    board.brief()
    output = tmp_path / "public"
    build(board.root, output, NOW, search=False)
    return board, output, tree(output)


def theme_line(result: BuildResult) -> str | None:
    """The summary's line naming the board's overrides, if it has one."""
    return next((line for line in result.summary().splitlines() if line.startswith("theme:")), None)


def with_marker(layout: str) -> str:
    """The theme's 404.html with the marker as the first heading of its main block."""
    assert layout.count("{% block main %}") == 1
    return layout.replace("{% block main %}", f"{{% block main %}}<h1>{MARKER}</h1>")


def stylesheet_of(page: bytes, output: Path) -> bytes:
    """The bytes of the stylesheet `page` links, read from the built board."""
    href = re.search(rb'<link rel="stylesheet" href="/board/(static/style\.css)\?v=\w+"', page)
    assert href, "the page links no stylesheet"
    return (output / href.group(1).decode()).read_bytes()


def test_a_board_without_layouts_or_static_builds_with_the_packaged_theme(themed) -> None:
    board, output, files = themed
    assert not (board.root / "layouts").exists()
    assert stylesheet_of(files[PROJECT], output) == (SHIPPED / "static" / "style.css").read_bytes()
    assert {path for path in files if path.startswith("static/")} == {f"static/{name}" for name in Theme(board.root).static}
    assert "static/logos/acme.svg" in files and "static/logos/northwind.svg" not in files  # the example board's logos are not the theme's


def test_overrides_of_404_and_style_css_show_in_the_404_page_and_the_linked_stylesheet(themed) -> None:
    board, output, files = themed
    (board.root / "layouts").mkdir()
    theme_404 = (SHIPPED / "layouts" / "404.html").read_text()
    (board.root / "layouts" / "404.html").write_text(with_marker(theme_404))
    (board.root / "static" / "style.css").write_text((SHIPPED / "static" / "style.css").read_text() + f"\n/* {MARKER} */\n")
    result, rendered = build_quietly(board.root, output)
    built = tree(output)
    assert f"<h1>{MARKER}</h1>".encode() in built["404.html"]
    for page in ("index.html", PROJECT, "404.html"):
        assert MARKER.encode() in stylesheet_of(built[page], output)
    assert theme_line(result) == "theme: 2 files of the board's own replace the theme's: layouts/404.html, static/style.css"
    assert rendered.startswith(f"rendering {len([p for p in files if p.endswith('.html')])} pages")  # every page links style.css


def test_an_override_extending_the_themes_project_layout_changes_one_block_and_keeps_the_rest(themed) -> None:
    board, output, files = themed
    (board.root / "layouts").mkdir()
    (board.root / "layouts" / "project.html").write_text(
        '{% extends "theme/project.html" %}\n{% block breadcrumbs %}<p>' + MARKER + '</p>\n{% endblock %}\n')
    _, rendered = build_quietly(board.root, output)
    before, after = files[PROJECT].decode(), (output / PROJECT).read_text()
    assert len(CRUMBS.findall(before)) == 1 and MARKER not in before
    assert after == CRUMBS.sub(f"<p>{MARKER}</p>", before)
    assert rendered.startswith("rendering 1 pages ")  # the one project page: no other page uses project.html


def test_removing_an_override_brings_back_the_themes_file_byte_for_byte(themed) -> None:
    board, output, files = themed
    (board.root / "layouts").mkdir()
    (board.root / "layouts" / "404.html").write_text(f'{{% extends "base.html" %}}{{% block main %}}{MARKER}{{% endblock %}}')
    build_quietly(board.root, output)
    (board.root / "layouts" / "404.html").unlink()
    result, rendered = build_quietly(board.root, output)
    assert tree(output) == files
    assert rendered.startswith("rendering 1 pages ")
    assert theme_line(result) is None


def test_a_new_version_of_the_theme_redoes_the_pages_whose_layouts_changed(themed, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    board, output, files = themed
    upgraded = tmp_path / "upgraded-theme"
    for folder in ("layouts", "static"):
        shutil.copytree(SHIPPED / folder, upgraded / folder)
    monkeypatch.setattr(load_module, "Theme", functools.partial(Theme, source=upgraded))
    _, rendered = build_quietly(board.root, output)
    assert rendered.startswith("rendering 0 pages ") and tree(output) == files  # the same theme in another place
    layout = upgraded / "layouts" / "404.html"
    layout.write_text(with_marker(layout.read_text()))
    _, rendered = build_quietly(board.root, output)
    assert rendered.startswith("rendering 1 pages ") and MARKER.encode() in (output / "404.html").read_bytes()


def test_the_example_board_is_the_themes_own_source_with_no_overrides(example_build) -> None:
    _, result = example_build
    assert result.renderer.theme.is_theme_source and result.renderer.theme.overrides() == []
    assert theme_line(result) is None


def test_serve_watches_a_layouts_folder_the_board_adds_while_it_runs(themed) -> None:
    board, _, _ = themed
    layout = board.root / "layouts" / "404.html"
    with DevServer(board.root, port=0, now=NOW, log=print) as server:
        layout.parent.mkdir()
        for text in (MARKER, MARKER + "-edited"):  # the second save is seen only if the new folder is watched
            layout.write_text(f'{{% extends "theme/404.html" %}}{{% block main %}}<h1>{text}</h1>{{% endblock %}}')
            poll(server, "/board/404.html", lambda response: f"<h1>{text}</h1>" in response.text, time.monotonic() + 30)


def test_serve_follows_an_edit_of_the_themes_own_files(themed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    board, _, _ = themed  # as in an editable install, where the theme is a checkout being worked on
    theme = tmp_path / "theme-checkout"
    for folder in ("layouts", "static"):
        shutil.copytree(SHIPPED / folder, theme / folder)
    for module in (load_module, devserver_module):
        monkeypatch.setattr(module, "Theme", functools.partial(Theme, source=theme))
    with DevServer(board.root, port=0, now=NOW, log=print) as server:
        stylesheet = theme / "static" / "style.css"
        stylesheet.write_text(stylesheet.read_text() + f"\n/* {MARKER} */\n")
        poll(server, "/board/static/style.css", lambda response: MARKER in response.text, time.monotonic() + 30)


def test_a_change_in_the_themes_layouts_or_static_is_the_boards_change(tmp_path: Path) -> None:
    board, theme = tmp_path / "board", tmp_path / "theme"
    assert classify(board, str(theme / "layouts" / "base.html"), theme) == Change(ChangeKind.LAYOUT, (theme / "layouts" / "base.html").as_posix())
    assert classify(board, str(theme / "static" / "style.css"), theme).is_stylesheet
    for unused in ("content/projects/x.md", "site.toml", "static/.style.css.swp"):  # a checkout's example board is not the theme
        assert classify(board, str(theme / unused), theme) is None
