"""What the repository ships: a wheel that carries the theme, from which a new board is made, checked,
built and served with no layouts/ and no static/ of its own; and no build artifact ever committed.

The wheel is built (from the sdist, as `python -m build` does) and installed into a new venv outside the
checkout, once for the module: the commands then run as a user's would, through the installed `board`.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest

from site_builder import __version__
from site_builder.starter import EXAMPLE_SLUG
from tests.site_files import REPO, tree

ARTIFACTS = (".whl", ".tar.gz")
MARKER = "MARKER-FROM-THE-WHEEL-TEST"


def test_no_wheel_or_source_archive_is_tracked():
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout.decode().split("\0")
    assert [path for path in tracked if path.endswith(ARTIFACTS)] == []


def run(*command: str | Path, cwd: Path) -> subprocess.CompletedProcess:
    done = subprocess.run([str(part) for part in command], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": ""})  # nothing of the checkout on the path
    assert done.returncode == 0, f"{command} failed:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """(the built dist folder, the new venv's bin folder, an empty folder to work in), all outside the checkout."""
    root = tmp_path_factory.mktemp("wheel")
    assert not root.is_relative_to(REPO)
    run(sys.executable, "-m", "build", "--outdir", root / "dist", REPO, cwd=root)
    run(sys.executable, "-m", "venv", root / "venv", cwd=root)
    wheel = next((root / "dist").glob("*.whl"))
    installing = run(root / "venv" / "bin" / "python", "-m", "pip", "install", wheel, cwd=root)
    assert "absent from the `packages` configuration" not in installing.stdout + installing.stderr
    (root / "work").mkdir()
    return root / "dist", root / "venv" / "bin", root / "work"


def test_the_sdist_and_the_wheel_carry_the_theme_and_the_files_board_init_copies(installed) -> None:
    dist, _, _ = installed
    assert sorted(path.name for path in dist.iterdir()) == [f"microboard-{__version__}-py3-none-any.whl", f"microboard-{__version__}.tar.gz"]
    names = set(zipfile.ZipFile(next(dist.glob("*.whl"))).namelist())
    for shipped in ("layouts/base.html", "static/style.css", "translations/de/LC_MESSAGES/messages.po", ".github/workflows/check.yml",
                    "CONTRIBUTING.md", "site_builder/devserver_assets/reload.js"):
        assert any(name.endswith(shipped) for name in names), shipped


def test_the_installed_board_command_inits_checks_builds_and_serves_a_board_with_no_layouts_or_static(installed) -> None:
    _, bin_folder, work = installed
    board = bin_folder / "board"
    assert run(bin_folder / "python", "-c", "import site_builder; print(site_builder.__file__)", cwd=work).stdout.startswith(str(bin_folder.parent))
    assert run(board, "init", "myboard", cwd=work).stdout.startswith("wrote ")
    folder = work / "myboard"
    assert run(board, "upgrade", cwd=folder).stdout == f"microboard {__version__}: the files it gave this board are up to date\n"
    assert not (folder / "layouts").exists() and not (folder / "static").exists()
    assert run(board, "check", cwd=folder).stdout.startswith("ok: 1 brief, 1 open on ")
    run(board, "build", cwd=folder)
    built = tree(folder / "public", skip=())
    home = built["index.html"].decode()
    for path in ("index.html", f"projects/{EXAMPLE_SLUG}/index.html", "search/index.html", "pagefind/pagefind.js",
                 "feed.xml", "atom.xml", "feed.json", "sitemap.xml", "404.html"):
        assert path in built, path
    stylesheet = re.search(r'<link rel="stylesheet" href="/board/(static/style\.css)\?v=\w+"', home)
    assert stylesheet and built[stylesheet.group(1)] == (REPO / "static" / "style.css").read_bytes()
    assert any(path.startswith("pagefind/fragment/") for path in built)
    served = serve_home(board, folder)
    assert "Find out why volunteers stop coming to our garden" in served


def test_overrides_from_a_board_replace_and_extend_the_installed_theme(installed) -> None:
    _, bin_folder, work = installed
    board, folder = bin_folder / "board", work / "overrides"
    run(board, "init", folder, cwd=work)
    (folder / "layouts").mkdir()
    (folder / "static").mkdir()
    (folder / "layouts" / "404.html").write_text('{% extends "theme/base.html" %}{% block main %}<h1>' + MARKER + '</h1>{% endblock %}')
    (folder / "layouts" / "project.html").write_text('{% extends "theme/project.html" %}{% block breadcrumbs %}<p>' + MARKER + '</p>{% endblock %}')
    (folder / "static" / "style.css").write_text(f"/* {MARKER} */\nbody {{ color: black; }}\n")
    summary = run(board, "build", "--no-search", cwd=folder).stdout
    assert "theme: 3 files of the board's own replace the theme's: layouts/404.html, layouts/project.html, static/style.css" in summary
    project = (folder / "public" / "projects" / EXAMPLE_SLUG / "index.html").read_text()
    assert f"<h1>{MARKER}</h1>" in (folder / "public" / "404.html").read_text()
    assert f"<p>{MARKER}</p>" in project and 'class="project"' in project and "breadcrumbs" not in project
    assert (folder / "public" / "static" / "style.css").read_text().startswith(f"/* {MARKER} */")


def serve_home(board: Path, folder: Path) -> str:
    """Start `board serve` on a free port, return the home page it serves once built, and stop it."""
    process = subprocess.Popen([str(board), "serve", "--port", "0"], cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, env={**os.environ, "PYTHONPATH": "", "PYTHONUNBUFFERED": "1"})
    try:
        address = re.search(r"serving (http://\S+)", process.stdout.readline())
        assert address, "board serve printed no address"
        deadline = time.monotonic() + 60
        while True:
            try:
                return urllib.request.urlopen(address.group(1), timeout=5).read().decode()
            except urllib.error.HTTPError as error:  # 503 while the first build runs
                if error.code != 503 or time.monotonic() > deadline:
                    raise
            time.sleep(0.2)
    finally:
        process.terminate()
        process.wait(timeout=30)
