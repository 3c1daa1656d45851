"""The files editors leave beside the one being edited (swap files, locks, autosaves, backups) are no part
of the board: `board check` and `board build` skip them in content/ and static/, as `board serve` does."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from site_builder.build import build
from site_builder.cli import main
from site_builder.contentfiles import is_editor_noise
from site_builder.theme import Theme
from tests.conftest import Board
from tests.site_files import tree

NOW = "2026-11-25"
# What Vim, Emacs and JetBrains IDEs leave beside acme-crm-cleanup.md while and after it is edited.
EDITOR_FILES = ["acme-crm-cleanup.md~", "#acme-crm-cleanup.md#", ".acme-crm-cleanup.md.swp", ".acme-crm-cleanup.md.swo",
                "4913", "acme-crm-cleanup.md___jb_tmp___", "acme-crm-cleanup.md___jb_old___"]


def leave_editor_files(folder: Path, name: str) -> None:
    """Write what editors leave beside `name` in `folder`, Emacs's lock included: a link to nowhere."""
    for noise in EDITOR_FILES:
        (folder / noise.replace("acme-crm-cleanup.md", name)).write_text("---\ntitle: an editor's copy\n")
    (folder / f".#{name}").symlink_to("maintainer@laptop.4242:1700000000")


@pytest.mark.parametrize("name", [*EDITOR_FILES, ".#acme-crm-cleanup.md", ".acme.md.swx", ".goutputstream-X1Y2", ".DS_Store"])
def test_editor_swap_lock_autosave_and_backup_files_are_noise(name: str) -> None:
    assert is_editor_noise(name)


@pytest.mark.parametrize("name", ["acme-crm-cleanup.md", "style.css", "style.css.bak", "notes.tmp", "4913.md", "c#.svg"])
def test_files_a_board_may_hold_are_not_noise(name: str) -> None:
    assert not is_editor_noise(name)


def test_check_passes_with_an_editors_files_beside_a_brief(board: Board, capsys: pytest.CaptureFixture[str]) -> None:
    board.brief()
    leave_editor_files(board.root / "content" / "projects", "acme-crm-cleanup.md")
    assert main(["--root", str(board.root), "check", "--now", NOW]) == 0
    assert capsys.readouterr() == ("ok: 1 brief, 1 open on 2026-11-25\n", "")


def test_build_leaves_an_editors_files_out_of_content_pages_and_static(site_board: Board, tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    root, output = site_board.root, tmp_path / "public"
    site_board.brief()
    pages = root / "content" / "pages"
    pages.mkdir()
    (pages / "about.md").write_text("---\ntitle: About\n---\n\nAbout this board.\n")
    static = {f"static/{name}" for name in Theme(root).static}  # the theme's and the board's logo
    leave_editor_files(pages, "about.md")
    leave_editor_files(root / "static", "style.css")
    assert main(["--root", str(root), "build", "--output", str(output), "--now", NOW, "--no-search"]) == 0
    assert capsys.readouterr().err == ""
    built = tree(output)
    assert {path for path in built if path.startswith("static/")} == static
    assert "about/index.html" in built
    assert [path for path in built if any(mark in path for mark in ("~", "#", ".sw", "4913", "___jb_"))] == []


def test_editor_files_in_layouts_do_not_make_a_rebuild_render_the_pages_again(site_board: Board, tmp_path: Path) -> None:
    root, output = site_board.root, tmp_path / "public"
    site_board.brief()
    build(root, output, date.fromisoformat(NOW), search=False)
    (root / "layouts").mkdir()
    leave_editor_files(root / "layouts", "project.html")
    stages: list[str] = []
    build(root, output, date.fromisoformat(NOW), search=False, progress=stages.append)
    assert [stage for stage in stages if stage.startswith("rendering ")][0].startswith("rendering 0 pages ")
