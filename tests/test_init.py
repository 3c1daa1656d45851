"""`board init [DIR]`: a new board that checks and builds at once, with this repository's own workflows,
forms and employers' guide, and microboard installed from the package index at this version."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from site_builder import __version__
from site_builder.cli import main
from site_builder.config import OPTIONS, load_config
from site_builder.content import read_brief
from site_builder.lifecycle import today_in
from site_builder.starter import EXAMPLE_SLUG
from tests.site_files import REPO, tree
from tests.test_workflows import check_jsonschema


@pytest.fixture(scope="module")
def new_board(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("init") / "myboard"
    assert main(["init", str(folder)]) == 0
    return folder


def test_a_new_board_checks_and_builds_with_no_layouts_and_no_static(new_board: Path, tmp_path: Path, capsys) -> None:
    capsys.readouterr()
    assert not (new_board / "layouts").exists() and not (new_board / "static").exists()
    assert main(["--root", str(new_board), "check"]) == 0
    assert capsys.readouterr().out == f"ok: 1 brief, 1 open on {today_in('UTC')}\n"
    assert main(["--root", str(new_board), "build", "--output", str(tmp_path / "public"), "--no-search", "--no-cache"]) == 0
    built = tree(tmp_path / "public")
    assert {"index.html", f"projects/{EXAMPLE_SLUG}/index.html", "404.html", "feed.xml", "static/style.css"} <= built.keys()


def test_site_toml_holds_every_option_with_its_explanation(new_board: Path) -> None:
    text = (new_board / "site.toml").read_text()
    for option in OPTIONS:
        name = option.key.rpartition(".")[2]
        assert re.search(rf"^# {re.escape(option.explanation)}\n#.*\n(\[?{re.escape(name)}\b)", text, re.M), option.key
    assert load_config(new_board).title


def test_the_example_brief_is_valid_and_posted_today(new_board: Path) -> None:
    problems: list = []
    brief = read_brief(new_board / "content" / "projects" / f"{EXAMPLE_SLUG}.md", new_board, load_config(new_board), problems)
    assert problems == [] and brief.posted == today_in(load_config(new_board).timezone)


def test_guide_forms_and_templates_are_this_repositorys_own_files(new_board: Path) -> None:
    shipped = [path.relative_to(REPO).as_posix() for path in sorted((REPO / ".github").rglob("*")) if path.is_file()]
    assert shipped and all((new_board / name).is_file() for name in shipped)
    for name in [*shipped, "CONTRIBUTING.md", "docs/deploy.md"]:
        if not name.startswith(".github/workflows/"):
            assert (new_board / name).read_bytes() == (REPO / name).read_bytes(), name


def test_workflows_install_this_version_of_microboard_from_the_package_index(new_board: Path) -> None:
    workflows = sorted((new_board / ".github" / "workflows").glob("*.yml"))
    assert [path.name for path in workflows] == sorted(path.name for path in (REPO / ".github" / "workflows").glob("*.yml"))
    for path in workflows:
        text = path.read_text()
        installs = [step["run"] for job in yaml.safe_load(text)["jobs"].values() for step in job.get("steps", [])
                    if "pip install" in step.get("run", "")]
        if re.search(r"^\s*(run: )?board ", text, re.M):
            assert installs == [f"python -m pip install microboard=={__version__}"], path.name
        assert "pyproject.toml" not in text and not re.search(r"pip install (-e )?\.", text), path.name
    done = check_jsonschema("vendor.github-workflows", *workflows)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_issue_form_offers_the_new_boards_categories(new_board: Path) -> None:
    form = yaml.safe_load((new_board / ".github" / "ISSUE_TEMPLATE" / "post-a-project.yml").read_text())
    category = next(item for item in form["body"] if item.get("id") == "category")
    assert category["attributes"]["options"] == [c.key for c in load_config(new_board).categories]


def test_init_into_a_folder_that_is_not_empty_exits_1_naming_it_and_writes_nothing(tmp_path: Path, capsys) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    assert main(["init", str(tmp_path)]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.startswith(f"board init: error: {tmp_path} is not empty (it holds notes.txt)")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["notes.txt"]


def test_init_onto_a_file_exits_1(tmp_path: Path, capsys) -> None:
    (tmp_path / "myboard").write_text("")
    assert main(["init", str(tmp_path / "myboard")]) == 1
    assert f"{tmp_path / 'myboard'} is a file, not a folder" in capsys.readouterr().err


def test_force_writes_only_the_missing_files_and_never_over_an_existing_one(new_board: Path, tmp_path: Path, capsys) -> None:
    (tmp_path / "README.md").write_text("my own readme")
    (tmp_path / "site.toml").symlink_to(tmp_path / "elsewhere.toml")  # not even through a link to nowhere
    assert main(["init", str(tmp_path), "--force"]) == 0
    assert capsys.readouterr().out.startswith(f"wrote {len(tree(new_board)) - 2} files into {tmp_path.as_posix()}/; "
                                              "kept 2 that were there: README.md, site.toml")
    assert (tmp_path / "README.md").read_text() == "my own readme" and not (tmp_path / "elsewhere.toml").exists()
    assert (tmp_path / ".github" / "workflows" / "check.yml").read_bytes() == (new_board / ".github" / "workflows" / "check.yml").read_bytes()
