"""The Intake workflow's steps really work: run as GitHub runs them, in a clone of a board, against a stand-in `gh`.

git is real (the branch is force-pushed to a real bare repository); `gh`, which would talk to GitHub, is a
small script that records how it was called and answers as GitHub would for the state the test sets up.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.gitboard import commit_all, git
from tests.site_files import REPO, copy_example_board
from tests.test_intake import GOOD, issue_body
from tests.test_workflows import workflow

FAKE_GH = """#!/usr/bin/env python3
import json, os, sys
state = json.load(open(os.environ["FAKE_GH_STATE"]))
with open(os.environ["FAKE_GH_LOG"], "a") as log:
    args = sys.argv[1:]
    files = {a[1:] if a.startswith("@") else a.split("=@", 1)[1]: None for a in args if "@" in a and os.path.isfile(a.split("@", 1)[1])}
    files.update({args[i + 1]: None for i, a in enumerate(args) if a == "--body-file"})
    log.write(json.dumps({"args": args, "files": {f: open(f).read() for f in files}}) + "\\n")
if args[:2] == ["pr", "list"]:
    print(state.get("pr", ""))
elif args[:2] == ["pr", "create"]:
    print("https://github.com/owner/board/pull/8")
elif args[0] == "api" and "--method" not in args:
    print(state.get("comment", ""))
"""


@pytest.fixture
def runner(tmp_path):
    """A bare `origin` holding the example board and its .github, a clone of it as actions/checkout leaves one,
    and a stand-in gh on PATH."""
    board = copy_example_board(tmp_path / "board")
    for brief in (board / "content/projects").glob("*.md"):
        if brief.name != "acme-crm-cleanup.md":
            brief.unlink()  # one brief is board enough, and builds in a fraction of the time
    shutil.copytree(REPO / ".github", board / ".github")
    (board / ".gitignore").write_text(".cache/\npublic/\n", encoding="utf-8")
    git(board, "init", "--quiet", "--initial-branch=main")
    commit_all(board, "The board", user="board-admin")
    git(tmp_path, "clone", "--quiet", "--bare", str(board), "origin.git")
    git(tmp_path, "clone", "--quiet", "--depth=1", f"file://{tmp_path / 'origin.git'}", "checkout")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "gh").write_text(FAKE_GH, encoding="utf-8")
    (bin_dir / "gh").chmod(0o755)
    return tmp_path


def run_intake_job(root: Path, body: str, github_state: dict[str, str], author: str = "dana") -> list[dict]:
    """Run the intake job's steps for an issue #7 with `body`; return the gh calls made, in order."""
    temp, log, state = root / "runner-temp", root / "gh.log", root / "gh-state.json"
    temp.mkdir(exist_ok=True)
    log.write_text("", encoding="utf-8")
    state.write_text(json.dumps(github_state), encoding="utf-8")
    event = root / "event.json"
    event.write_text(json.dumps({"issue": {"number": 7, "body": body, "user": {"login": author}, "state": "open"}}), encoding="utf-8")
    values = {"github.token": "token", "github.event.issue.number": "7", "github.event.issue.user.login": author}
    job = workflow("intake.yml")["jobs"]["intake"]
    env = {**os.environ, "PATH": os.pathsep.join([str(root / "bin"), str(Path(sys.executable).parent), os.environ["PATH"]]),
           "GITHUB_EVENT_PATH": str(event), "RUNNER_TEMP": str(temp), "GITHUB_OUTPUT": str(temp / "output"),
           "GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "owner/board", "GITHUB_RUN_ID": "42",
           "FAKE_GH_STATE": str(state), "FAKE_GH_LOG": str(log)}
    env |= {key: re.sub(r"\$\{\{\s*(.+?)\s*\}\}", lambda m: values[m.group(1)], value) for key, value in job["env"].items()}
    (temp / "output").write_text("", encoding="utf-8")
    for step in job["steps"]:
        if "run" not in step or step["run"].startswith("python -m pip install"):
            continue  # GitHub's actions; this test's Python already has the board installed
        if "if" in step:  # the only conditions the job uses: on the exit status of `board intake`
            wanted = re.fullmatch(r"steps\.intake\.outputs\.status == '(\d)'", step["if"])[1]
            outputs = dict(line.split("=", 1) for line in (temp / "output").read_text().splitlines())
            if outputs["status"] != wanted:
                continue
        done = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=root / "checkout", env=env, capture_output=True, text=True)
        assert done.returncode == 0, (step["name"], done.stdout, done.stderr)
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


def pushed_brief(root: Path, branch: str = "intake/issue-7") -> str:
    files = git(root / "origin.git", "diff", "--name-only", "main", branch).splitlines()
    assert len(files) == 1 and files[0].startswith("content/projects/"), files
    return git(root / "origin.git", "show", f"{branch}:{files[0]}")


def test_valid_answers_open_a_pull_request_and_an_edit_updates_it_and_the_one_comment(runner):
    title = "Clean up records $(touch pwned) `touch pwned2`"
    calls = run_intake_job(runner, issue_body("post-a-project.yml", GOOD | {"title": title}), {})
    assert [call["args"][:2] for call in calls] == [["auth", "setup-git"], ["pr", "list"], ["pr", "create"], ["workflow", "run"],
                                                    ["api", "--paginate"], ["issue", "comment"]]
    # GitHub starts no workflow for the pull request GITHUB_TOKEN opened, but does for workflow_dispatch: the Check, on its branch.
    assert calls[3]["args"] == ["workflow", "run", "check.yml", "--ref", "intake/issue-7", "--field", "pull-request=8"]
    del calls[3]
    calls = calls[1:]
    create = calls[1]["args"]
    assert create[create.index("--head") + 1] == "intake/issue-7"
    assert create[create.index("--title") + 1] == "Post a project: dana-analytics-clean-up-records-touch-pwned-touch"
    body = calls[1]["files"][create[create.index("--body-file") + 1]]
    assert "Closes #7" in body and "@dana becomes its maintainer" in body
    assert "Checked and built by the Intake workflow: https://github.com/owner/board/actions/runs/42" in body
    comment = next(iter(calls[3]["files"].values()))
    assert comment.startswith("<!-- microboard-intake -->\nThank you, @dana") and "https://github.com/owner/board/pull/8" in comment
    assert f"title: {title}" in pushed_brief(runner) or f"title: '{title}'" in pushed_brief(runner)
    assert not any(runner.rglob("pwned*"))

    # The author edits the issue: a fresh checkout of main, the same branch force-pushed, the same pull request and comment.
    shutil.rmtree(runner / "checkout")
    git(runner, "clone", "--quiet", "--depth=1", f"file://{runner / 'origin.git'}", "checkout")
    state = {"pr": "https://github.com/owner/board/pull/8", "comment": "99"}
    calls = run_intake_job(runner, issue_body("post-a-project.yml", GOOD | {"hours": "25"}), state)
    assert [call["args"][:2] for call in calls[1:]] == [["pr", "list"], ["pr", "edit"], ["workflow", "run"], ["api", "--paginate"],
                                                        ["api", "--method"]]
    assert calls[3]["args"] == ["workflow", "run", "check.yml", "--ref", "intake/issue-7", "--field", "pull-request=8"]
    del calls[3]
    calls = calls[1:]
    assert calls[1]["args"][2] == "https://github.com/owner/board/pull/8"
    assert calls[3]["args"][:4] == ["api", "--method", "PATCH", "repos/owner/board/issues/comments/99"]
    assert "hours: 25" in pushed_brief(runner)
    assert git(runner / "origin.git", "rev-list", "--count", "main..intake/issue-7") == "1"  # replaced, not stacked


def test_the_check_and_the_build_take_the_restored_cache_from_outside_the_board_and_push_none_of_it(runner):
    """What actions/cache/restore leaves in the checkout (deploy's .cache/ and public/) is moved out of the board's
    folder, where `board check --base` reads no cache, and taken by the check and the build: only the new brief is parsed."""
    checkout = runner / "checkout"
    deployed = subprocess.run([sys.executable, "-m", "site_builder", "--root", str(checkout), "build", "--no-search"],
                              capture_output=True, text=True)
    assert deployed.returncode == 0, deployed.stderr
    before = {path.name: path.stat().st_mtime_ns for path in (checkout / ".cache" / "entries").glob("*.pickle")}
    run_intake_job(runner, issue_body("post-a-project.yml", GOOD), {})
    moved = runner / "runner-temp" / "cache"
    assert not (checkout / ".cache").exists()
    after = {path.name: path.stat().st_mtime_ns for path in (moved / "entries").glob("*.pickle")}
    assert before.keys() <= after.keys() and after != before  # deploy's entries, with the new brief's kept by the build
    assert pushed_brief(runner).startswith("---")  # the branch holds the brief alone, no cache and no output


def test_wrong_answers_push_nothing_and_put_the_reply_in_the_comment(runner):
    calls = run_intake_job(runner, issue_body("post-a-project.yml", GOOD | {"hours": "100"}), {"comment": "99"})
    assert [call["args"][:4] for call in calls] == [["api", "--paginate", "repos/owner/board/issues/7/comments", "--jq"],
                                                    ["api", "--method", "PATCH", "repos/owner/board/issues/comments/99"]]
    reply = next(iter(calls[1]["files"].values()))
    assert reply.startswith("<!-- microboard-intake -->\n@dana") and "- **Estimated hours:** hours must be a whole number" in reply
    assert "intake/issue-7" not in git(runner / "origin.git", "branch", "--list")
    assert not [call for call in calls if call["args"][0] == "workflow"]  # no pull request, so no Check to start
