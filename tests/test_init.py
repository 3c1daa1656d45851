"""`board init [DIR]`: a new board that checks and builds at once, with this repository's own workflows,
forms and employers' guide, and microboard installed from the package index at this version."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from site_builder import __version__
from site_builder.cli import main
from site_builder.config import OPTIONS, load_config
from site_builder.content import read_brief
from site_builder.lifecycle import today_in
from site_builder.starter import EXAMPLE_SLUG, MANIFEST
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


# --- board upgrade ----------------------------------------------------------------------------------------

CHECK, DEPLOY, INTAKE = (f".github/workflows/{name}.yml" for name in ("check", "deploy", "intake"))
FORM = ".github/ISSUE_TEMPLATE/update-a-project.yml"


def older_board(new_board: Path, folder: Path) -> dict[str, str]:
    """`new_board` as an older microboard would have made it: its deploy workflow different (another version
    installed, a step since changed) and recorded as written so, an issue form this version no longer has,
    and none of this version's update form. Returns the manifest's hashes."""
    shutil.copytree(new_board, folder)
    recorded = json.loads((folder / MANIFEST).read_text())["files"]
    old_deploy = (folder / DEPLOY).read_text().replace(f"microboard=={__version__}", "microboard==0.0.1") + "# a step since changed\n"
    (folder / DEPLOY).write_text(old_deploy)
    (folder / ".github/ISSUE_TEMPLATE/retired.yml").write_text("name: A form microboard no longer ships\n")
    (folder / FORM).unlink()
    recorded |= {DEPLOY: hashlib.sha256(old_deploy.encode()).hexdigest(),
                 ".github/ISSUE_TEMPLATE/retired.yml": hashlib.sha256(b"name: A form microboard no longer ships\n").hexdigest()}
    (folder / MANIFEST).write_text(json.dumps({"microboard": "0.0.1", "files": recorded}))
    return recorded


def test_init_records_the_files_that_stay_microboards_and_upgrade_finds_them_up_to_date(new_board: Path, tmp_path: Path, capsys) -> None:
    recorded = json.loads((new_board / MANIFEST).read_text())
    assert recorded["microboard"] == __version__
    assert sorted(recorded["files"]) == sorted(path.relative_to(new_board).as_posix() for path in new_board.rglob("*")
                                               if path.is_file() and path.relative_to(new_board).parts[0] in (".github", "CONTRIBUTING.md", "docs"))
    assert all(hashlib.sha256((new_board / name).read_bytes()).hexdigest() == value for name, value in recorded["files"].items())
    shutil.copytree(new_board, tmp_path / "board")
    capsys.readouterr()
    assert main(["--root", str(tmp_path / "board"), "upgrade"]) == 0
    assert capsys.readouterr().out == f"microboard {__version__}: the files it gave this board are up to date\n"
    assert tree(tmp_path / "board") == tree(new_board)


def test_upgrade_replaces_the_files_left_as_written_and_puts_this_versions_beside_those_the_board_changed(
        new_board: Path, tmp_path: Path, capsys) -> None:
    board = tmp_path / "board"
    older_board(new_board, board)
    (board / CHECK).write_text((board / CHECK).read_text().replace("timeout-minutes: 15", "timeout-minutes: 30"))
    ours = (board / CHECK).read_bytes()
    (board / ".github/ISSUE_TEMPLATE/retired.yml").write_text("name: A form microboard no longer ships, reworded here\n")
    capsys.readouterr()
    assert main(["--root", str(board), "upgrade"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"updated {DEPLOY}",
        f"added {FORM}",
        f"kept {CHECK}, which differs from what microboard wrote: this version's is beside it, in {CHECK}.new; "
        "merge what you need into it, then delete that file",
        "kept .github/ISSUE_TEMPLATE/retired.yml: no longer part of microboard, but changed here; delete it unless something needs it",
        f"microboard {__version__}: 1 updated, 1 added, 1 to merge by hand, 0 removed; review with `git diff`, then commit"]
    for name in (DEPLOY, FORM, INTAKE):
        assert (board / name).read_bytes() == (new_board / name).read_bytes(), name
    assert (board / CHECK).read_bytes() == ours and (board / f"{CHECK}.new").read_bytes() == (new_board / CHECK).read_bytes()
    assert (board / MANIFEST).read_bytes() == (new_board / MANIFEST).read_bytes()
    assert main(["--root", str(board), "upgrade"]) == 0  # once the maintainers merged and deleted the .new file, it is settled
    assert capsys.readouterr().out.splitlines()[0].startswith(f"kept {CHECK}, which differs")
    (board / f"{CHECK}.new").unlink()
    (board / CHECK).write_bytes((new_board / CHECK).read_bytes())
    (board / ".github/ISSUE_TEMPLATE/retired.yml").unlink()
    assert main(["--root", str(board), "upgrade"]) == 0
    assert capsys.readouterr().out == f"microboard {__version__}: the files it gave this board are up to date\n"


def test_upgrade_deletes_a_file_microboard_no_longer_ships_only_as_it_wrote_it(new_board: Path, tmp_path: Path, capsys) -> None:
    board = tmp_path / "board"
    older_board(new_board, board)
    assert main(["--root", str(board), "upgrade"]) == 0
    assert "removed .github/ISSUE_TEMPLATE/retired.yml: no longer part of microboard, and as microboard wrote it" in capsys.readouterr().out
    assert not (board / ".github/ISSUE_TEMPLATE/retired.yml").exists()


def test_upgrade_of_a_board_made_before_the_record_replaces_only_files_that_differ_in_the_version_installed(
        new_board: Path, tmp_path: Path, capsys) -> None:
    board = tmp_path / "board"
    shutil.copytree(new_board, board)
    (board / MANIFEST).unlink()
    (board / INTAKE).write_text((board / INTAKE).read_text().replace(f"microboard=={__version__}", "microboard==0.0.1"))
    (board / "CONTRIBUTING.md").write_text((board / "CONTRIBUTING.md").read_text() + "\nOur own note.\n")
    capsys.readouterr()
    assert main(["--root", str(board), "upgrade"]) == 0
    assert capsys.readouterr().out.splitlines()[:2] == [
        f"updated {INTAKE}", "kept CONTRIBUTING.md, which differs from what microboard wrote: this version's is beside it, "
        "in CONTRIBUTING.md.new; merge what you need into it, then delete that file"]
    assert (board / INTAKE).read_bytes() == (new_board / INTAKE).read_bytes()
    assert (board / "CONTRIBUTING.md").read_text().endswith("Our own note.\n") and (board / MANIFEST).is_file()


def test_upgrade_writes_through_no_link_and_deletes_nothing_a_record_names_outside_microboards_files(
        new_board: Path, tmp_path: Path, capsys) -> None:
    board = tmp_path / "board"
    shutil.copytree(new_board, board)
    elsewhere = tmp_path / "elsewhere.yml"
    elsewhere.write_text("someone else's file\n")  # as if microboard had written it: its hash is the record's
    (board / DEPLOY).unlink()
    (board / DEPLOY).symlink_to(elsewhere)
    outside = {DEPLOY: elsewhere.read_bytes(), "site.toml": (board / "site.toml").read_bytes(),
               "../elsewhere.yml": elsewhere.read_bytes(), ".github/../site.toml": (board / "site.toml").read_bytes()}
    recorded = json.loads((board / MANIFEST).read_text())["files"] | {
        name: hashlib.sha256(data).hexdigest() for name, data in outside.items()}
    (board / MANIFEST).write_text(json.dumps({"files": recorded}))
    assert main(["--root", str(board), "upgrade"]) == 0
    assert f"kept {DEPLOY}, which differs" in capsys.readouterr().out
    assert elsewhere.read_text() == "someone else's file\n" and (board / DEPLOY).is_symlink() and (board / "site.toml").is_file()
    assert (board / f"{DEPLOY}.new").read_bytes() == (new_board / DEPLOY).read_bytes()


def test_upgrade_outside_a_board_says_there_is_no_site_toml(tmp_path: Path, capsys) -> None:
    assert main(["--root", str(tmp_path), "upgrade"]) == 1
    assert "site.toml" in capsys.readouterr().err and not list(tmp_path.iterdir())
