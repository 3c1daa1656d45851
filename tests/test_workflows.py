"""The GitHub workflows and forms: valid for GitHub, wired to the right events, and their steps really work.

The steps' shell commands are run here as GitHub would run them, in a real shallow clone, with each
`${{ … }}` expression replaced by the value GitHub would give it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import yaml

from site_builder.config import load_config
from site_builder.errors import Problem, format_github
from tests.gitboard import commit_all, git
from tests.site_files import REPO, copy_example_board, parse_html

WORKFLOWS = REPO / ".github/workflows"
ISSUE_FORM = REPO / ".github/ISSUE_TEMPLATE/post-a-project.yml"
UPDATE_FORM = REPO / ".github/ISSUE_TEMPLATE/update-a-project.yml"
OFFICIAL_ACTIONS = {"actions/checkout@v4", "actions/setup-python@v5", "actions/cache@v4", "actions/cache/restore@v4",
                    "actions/configure-pages@v5",
                    "actions/upload-pages-artifact@v3", "actions/deploy-pages@v4"}


def check_jsonschema(schema: str, *files: Path) -> subprocess.CompletedProcess:
    """Validate with the schema that ships inside check-jsonschema: no network needed."""
    return subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, *map(str, files)],
                          capture_output=True, text=True)


def workflow(name: str) -> dict:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    data["on"] = data.pop(True)  # YAML 1.1 reads the key `on` as true
    return data


def _value(expression: str, github: dict[str, str]) -> str:
    """`a || b`: the first alternative with a value, as GitHub gives it; an expression the test did not set is a KeyError."""
    alternatives = [part.strip() for part in expression.split(" || ")]
    if not any(part in github for part in alternatives):
        raise KeyError(expression)
    return next((github[part] for part in alternatives if github.get(part)), "")


def _expand(text: str, github: dict[str, str]) -> str:
    return re.sub(r"\$\{\{\s*(.+?)\s*\}\}", lambda m: _value(m.group(1), github), text)


def _runs(step: dict, github: dict[str, str]) -> bool:
    """A step's `if:`; the only kind the check job uses is on the event's name."""
    if "if" not in step:
        return True
    wanted = re.fullmatch(r"github\.event_name == '(\w+)'", step["if"])[1]
    return github["github.event_name"] == wanted


def checkout(options: dict, workspace: Path, origin: Path, github: dict[str, str]) -> None:
    """actions/checkout as GitHub runs it: `ref` (default: the event's commit) fetched `fetch-depth` deep
    from `origin` into `path`, detached; the credentials are never written in this stand-in either way."""
    folder = workspace / options.get("path", ".")
    ref = _expand(str(options.get("ref", "${{ github.sha }}")), github)
    git(folder.parent, "init", "--quiet", str(folder))
    depth = int(options.get("fetch-depth", 1))
    git(folder, "fetch", "--quiet", "--no-tags", *([f"--depth={depth}"] if depth else []), f"file://{origin}", ref)
    git(folder, "checkout", "--quiet", "--detach", "FETCH_HEAD")


def run_steps(job: dict, workdir: Path, github: dict[str, str], origin: Path | None = None,
              python: Path | None = None) -> list[subprocess.CompletedProcess]:
    """Run a job's steps in order as GitHub would, stopping at the first shell step that fails; return the
    shell steps' results. actions/checkout fetches from `origin` (skipped without one). pip steps run with
    `python` (a fresh virtual environment, offline) or, without one, are skipped: this test's Python has
    the board installed."""
    python = python or Path(sys.executable)
    results = []
    outputs = workdir.parent / f"{workdir.name}-step-outputs"
    for step in job["steps"]:
        if not _runs(step, github):
            continue
        if step.get("uses", "").startswith("actions/checkout@") and origin is not None:
            checkout(step.get("with", {}), workdir, origin, github)
        if "run" not in step or (step["run"].startswith("python -m pip install") and python == Path(sys.executable)):
            continue  # other `uses:` steps are GitHub's
        assert "${{" not in step["run"], f"{step['name']}: pass expressions through env:, never into the script"
        env = {**os.environ, "PATH": f"{python.parent}{os.pathsep}{os.environ['PATH']}",
               "PIP_NO_INDEX": "1", "PIP_NO_BUILD_ISOLATION": "0", "PIP_QUIET": "1", "GITHUB_OUTPUT": str(outputs),
               "GITHUB_WORKSPACE": str(workdir)}
        env.update({key: _expand(value, github) for key, value in step.get("env", {}).items()})
        outputs.write_text("", encoding="utf-8")
        results.append(done := subprocess.run(["bash", "-e", "-o", "pipefail", "-c", step["run"]], cwd=workdir, env=env,
                                              capture_output=True, text=True))
        if done.returncode != 0:
            break
        github |= {f"steps.{step.get('id')}.outputs.{key}": value
                   for key, value in (line.split("=", 1) for line in outputs.read_text(encoding="utf-8").splitlines())}
    return results


# --- valid for GitHub ------------------------------------------------------------------------------------

def test_workflows_are_valid_against_githubs_workflow_schema():
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert [f.name for f in files] == ["check.yml", "deploy.yml", "intake.yml"]
    done = check_jsonschema("vendor.github-workflows", *files)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_schema_check_rejects_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("on: pull_request\njobs:\n  check:\n    steps:\n      - run: board check\n")  # no runs-on
    done = check_jsonschema("vendor.github-workflows", broken)
    assert done.returncode == 1 and "runs-on" in done.stdout


def test_issue_forms_are_valid_against_githubs_issue_form_schema():
    assert sorted((REPO / ".github/ISSUE_TEMPLATE").iterdir()) == [ISSUE_FORM, UPDATE_FORM]
    done = check_jsonschema("vendor.github-issue-forms", ISSUE_FORM, UPDATE_FORM)
    assert done.returncode == 0, done.stdout + done.stderr


def test_issue_form_offers_exactly_the_boards_categories():
    form = yaml.safe_load(ISSUE_FORM.read_text(encoding="utf-8"))
    category = next(item for item in form["body"] if item.get("id") == "category")
    assert category["attributes"]["options"] == [c.key for c in load_config(REPO).categories]


def test_issue_form_and_pull_request_template_ask_for_the_same_promises():
    form = yaml.safe_load(ISSUE_FORM.read_text(encoding="utf-8"))
    terms = next(item for item in form["body"] if item.get("id") == "terms")["attributes"]["options"]
    template = (REPO / ".github/PULL_REQUEST_TEMPLATE.md").read_text(encoding="utf-8")
    boxes = re.findall(r"^- \[ \] (.+)$", template, re.M)
    assert len(boxes) == len(terms) == 5 and all(term["required"] for term in terms)
    for words in ("paid", "5 to 40 hours", "one deliverable", "apply link", "board's terms"):
        assert sum(words in box for box in boxes) == 1, words
        assert sum(words in term["label"] for term in terms) == 1, words


# --- wired to the right events ---------------------------------------------------------------------------

def test_workflows_use_only_githubs_official_actions():
    used = {step["uses"] for name in ("check.yml", "deploy.yml", "intake.yml")
            for job in workflow(name)["jobs"].values() for step in job["steps"] if "uses" in step}
    assert used == OFFICIAL_ACTIONS


def test_check_runs_the_base_commits_checker_on_the_pull_request_read_as_data():
    """GitHub's "pwn request" guidance: pull_request_target runs the base's workflow and code; the head is
    checked out without credentials into its own folder and never installed or run."""
    check = workflow("check.yml")
    assert set(check["on"]) == {"pull_request_target", "workflow_dispatch"}
    assert check["on"]["workflow_dispatch"]["inputs"]["pull-request"]["type"] == "number"
    assert check["permissions"] == {}
    assert check["jobs"]["check"]["permissions"] == {"contents": "read", "pull-requests": "read", "issues": "read"}
    assert check["jobs"]["report"]["permissions"] == {"statuses": "write"}
    steps = check["jobs"]["check"]["steps"]
    checkouts = [step["with"] for step in steps if step.get("uses") == "actions/checkout@v4"]
    assert checkouts == [
        {"ref": "${{ github.event.pull_request.base.sha || steps.pull-request.outputs.base }}", "path": "checker",
         "persist-credentials": False},
        {"ref": "${{ steps.pull-request.outputs.merge || format('refs/pull/{0}/merge', github.event.pull_request.number) }}",
         "path": "pull-request", "fetch-depth": 1, "persist-credentials": False},
    ]
    # Only the step that reads the pull request from GitHub's API, on workflow_dispatch, holds a token.
    assert [step["name"] for step in steps if "GH_TOKEN" in step.get("env", {})] == [steps[0]["name"]]
    assert steps[0]["if"] == "github.event_name == 'workflow_dispatch'"
    shell = [step["run"] for step in steps if "run" in step]
    assert "python -m pip install ./checker" in shell
    assert all("pull-request" not in line or "--root pull-request" in line or line.startswith("git -C pull-request fetch")
               for line in shell), "the pull request's tree is only ever read by the checker and git"
    command = next(step for step in steps if "board" in step.get("run", "") and " check " in step["run"])
    assert command["run"] == ('board --root pull-request check --format github --base "$BASE_SHA" --author "$AUTHOR" '
                              '--cache "$GITHUB_WORKSPACE/.cache"')
    assert command["env"] == {"BASE_SHA": "${{ github.event.pull_request.base.sha || steps.pull-request.outputs.base }}",
                              "AUTHOR": "${{ github.event.pull_request.user.login || steps.pull-request.outputs.author }}"}
    assert shell[-1] == 'board --root pull-request build --output "$GITHUB_WORKSPACE/public" --cache "$GITHUB_WORKSPACE/.cache"'


def expressions(text: str) -> list[str]:
    return [match.strip() for match in re.findall(r"\$\{\{(.*?)\}\}", text, re.S)]


def test_no_workflow_script_holds_an_expression_so_no_text_from_an_issue_or_pull_request_reaches_a_shell():
    """GitHub's script-injection guidance: an expression inside `run:` is pasted into the script before bash reads it."""
    for path in sorted(WORKFLOWS.glob("*.yml")):
        for job in workflow(path.name)["jobs"].values():
            for step in job["steps"]:
                assert expressions(step.get("run", "")) == [], (path.name, step.get("name"))


def test_intake_reads_the_issue_body_only_from_the_events_file_and_no_other_text_of_the_issue():
    intake = workflow("intake.yml")
    used = set(re.findall(r"github\.event\.[\w.*]+", (WORKFLOWS / "intake.yml").read_text(encoding="utf-8")))
    # Numbers, the author's login (GitHub allows only letters, digits and hyphens in one), state and labels.
    assert used == {"github.event.issue.number", "github.event.issue.user.login", "github.event.issue.state",
                    "github.event.issue.labels.*.name"}
    steps = intake["jobs"]["intake"]["steps"]
    read = next(step for step in steps if "GITHUB_EVENT_PATH" in step.get("run", ""))
    assert read["run"] == "jq --raw-output '.issue.body // \"\"' \"$GITHUB_EVENT_PATH\" > \"$RUNNER_TEMP/issue.md\""
    assert sum("issue.body" in step.get("run", "") for step in steps) == 1


def test_intake_runs_on_the_forms_issues_with_the_least_permissions_it_needs():
    intake = workflow("intake.yml")
    assert intake["on"] == {"issues": {"types": ["opened", "edited", "reopened"]}}
    assert intake["permissions"] == {"contents": "write", "pull-requests": "write", "issues": "write", "actions": "write"}
    labels = {yaml.safe_load(form.read_text(encoding="utf-8"))["labels"][0] for form in (ISSUE_FORM, UPDATE_FORM)}
    assert labels == {"new project", "update project"} and all(f"'{label}'" in intake["jobs"]["intake"]["if"] for label in labels)
    steps = intake["jobs"]["intake"]["steps"]
    assert [step.get("uses") for step in steps[:2]] == ["actions/checkout@v4", "actions/setup-python@v5"]
    # The default branch, as the event gives it: the board's own code, never the issue's; no token left in .git/config.
    assert steps[0] == {"uses": "actions/checkout@v4", "with": {"persist-credentials": False}}
    assert "GH_TOKEN" not in intake["jobs"]["intake"]["env"]
    assert {step["name"] for step in steps if "GH_TOKEN" in step.get("env", {})} == {
        step["name"] for step in steps if re.search(r"^\s*(\S+=\$\()?gh ", step.get("run", ""), re.M)}
    install = next(step["run"] for step in steps if step.get("name") == "Install the board")
    assert install == next(step["run"] for step in workflow("deploy.yml")["jobs"]["build"]["steps"] if step.get("name") == "Install the board")


def test_deploy_runs_on_push_to_main_daily_and_by_hand_and_builds_for_the_pages_address():
    deploy = workflow("deploy.yml")
    assert deploy["on"]["push"] == {"branches": ["main"]}
    assert [entry["cron"].split()[2:] for entry in deploy["on"]["schedule"]] == [["*", "*", "*"]]  # every day
    assert "workflow_dispatch" in deploy["on"]
    assert deploy["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    build = deploy["jobs"]["build"]["steps"]
    # feeds date briefs by git history; no token is left in .git/config for the build to read
    assert build[0] == {"uses": "actions/checkout@v4", "with": {"fetch-depth": 0, "persist-credentials": False}}
    assert next(s for s in build if s.get("id") == "pages")["uses"] == "actions/configure-pages@v5"
    command = next(step for step in build if "board build" in step.get("run", ""))
    assert command["env"] == {"BASE_URL": "${{ steps.pages.outputs.base_url }}"}
    assert next(s for s in build if s.get("uses", "").startswith("actions/upload-pages-artifact"))["with"] == {"path": "public"}
    assert deploy["jobs"]["deploy"]["needs"] == "build"
    assert deploy["jobs"]["deploy"]["environment"]["name"] == "github-pages"


def test_deploy_caches_the_build_cache_by_runner_and_pyproject_and_check_and_intake_only_restore_it():
    """A pull_request_target run would save its cache in the base branch's scope, where deploy restores it:
    the check only restores deploy's (the cache holds pickles), outside the pull request's tree; intake too."""
    cache = next(step for step in workflow("deploy.yml")["jobs"]["build"]["steps"] if step.get("uses") == "actions/cache@v4")["with"]
    assert cache["path"].split() == [".cache", "public"]  # the last output too: a deploy renders only what changed
    assert cache["restore-keys"] == "board-cache-${{ runner.os }}-${{ hashFiles('pyproject.toml') }}-"
    assert cache["key"] == cache["restore-keys"] + "${{ github.run_id }}"
    steps = workflow("check.yml")["jobs"]["check"]["steps"]
    restored = [step["with"] for step in steps if "cache" in step.get("uses", "")]
    # The same paths (GitHub matches an entry by them) and the same board: the checker's pyproject.toml is the base's.
    assert restored == [{**cache, "restore-keys": cache["restore-keys"].replace("'pyproject.toml'", "'checker/pyproject.toml'"),
                         "key": cache["key"].replace("'pyproject.toml'", "'checker/pyproject.toml'")}]
    assert [step["uses"] for step in steps if "cache" in step.get("uses", "")] == ["actions/cache/restore@v4"]
    steps = workflow("intake.yml")["jobs"]["intake"]["steps"]
    assert [(step["uses"], step["with"]) for step in steps if "cache" in step.get("uses", "")] == [("actions/cache/restore@v4", cache)]
    checked = next(step["run"] for step in steps if "board check" in step.get("run", ""))
    assert checked.splitlines()[0] == 'if [ -d .cache ]; then mv .cache "$RUNNER_TEMP/cache"; fi'  # out of the board, for check --base


# --- the steps really work ------------------------------------------------------------------------------

def open_pull_request(origin: Path, author: str, change) -> dict[str, str]:
    """A pull request by `author` on `origin`'s main: `change(origin)` committed on a branch, and the merge
    commit GitHub makes of it at refs/pull/1/merge; returns the event's values the workflow reads."""
    base = git(origin, "rev-parse", "main")
    git(origin, "checkout", "--quiet", "-b", "pull-request")
    change(origin)
    commit_all(origin, "The pull request", user=author)
    git(origin, "checkout", "--quiet", "--detach", "main")
    git(origin, "merge", "--quiet", "--no-ff", "-m", "Merge pull request #1", "pull-request", user="github")
    git(origin, "update-ref", "refs/pull/1/merge", "HEAD")
    git(origin, "checkout", "--quiet", "main")
    return {"github.event_name": "pull_request_target", "github.event.pull_request.base.sha": base,
            "github.event.pull_request.number": "1", "github.event.pull_request.user.login": author,
            "steps.pull-request.outputs.base": "", "steps.pull-request.outputs.merge": "",
            "steps.pull-request.outputs.author": "", "format('refs/pull/{0}/merge', github.event.pull_request.number)": "refs/pull/1/merge"}


def board_repository(folder: Path, *, with_checker: bool = False) -> Path:
    """The example board committed on main by board-admin; with the checker's own source when `with_checker`."""
    copy_example_board(folder)
    if with_checker:
        for name in ("site_builder", "translations", ".github", "docs"):
            shutil.copytree(REPO / name, folder / name, ignore=shutil.ignore_patterns("__pycache__", "*.png"))
        for name in ("pyproject.toml", "README.md", "CONTRIBUTING.md"):
            shutil.copy(REPO / name, folder / name)
    git(folder, "init", "--quiet", "--initial-branch=main")
    commit_all(folder, "The board", user="board-admin")
    return folder


def extend_acme_deadline(origin: Path) -> None:
    brief = origin / "content/projects/acme-crm-cleanup.md"
    brief.write_text(brief.read_text(encoding="utf-8").replace("deadline: 2026-12-15", "deadline: 2026-12-22"), encoding="utf-8")


@pytest.fixture
def origin(tmp_path):
    """The board's repository on GitHub, in miniature: the example board and the board's code on main."""
    return board_repository(tmp_path / "origin")


def test_check_workflow_steps_pass_a_pull_request_by_the_briefs_maintainer(origin, tmp_path):
    github = open_pull_request(origin, "dana-acme", extend_acme_deadline)
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    results = run_steps(workflow("check.yml")["jobs"]["check"], workspace, github, origin)
    assert [r.returncode for r in results] == [0, 0, 0], [r.stdout + r.stderr for r in results]
    assert results[1].stdout == ""  # no annotation: nothing to fix
    assert (workspace / "public/projects/acme-crm-cleanup/index.html").is_file()
    assert not (workspace / "pull-request" / ".cache").exists() and not (workspace / "pull-request" / "public").exists()


def test_check_workflow_steps_take_the_restored_cache_of_the_base_branch(origin, tmp_path):
    """What actions/cache/restore puts beside the pull request (deploy's build of main) is what the check and the build take."""
    github = open_pull_request(origin, "dana-acme", extend_acme_deadline)
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    for _ in range(2):  # main deployed more than once: its archive months kept, then taken whole, their briefs out of the tables
        deployed = subprocess.run([sys.executable, "-m", "site_builder", "--root", str(origin), "build",
                                   "--output", str(workspace / "public"), "--cache", str(workspace / ".cache")], capture_output=True, text=True)
        assert deployed.returncode == 0, deployed.stderr
    entries = {path: path.stat().st_mtime_ns for path in (workspace / ".cache" / "entries").glob("*.pickle")}
    pages = {path: (path.stat().st_ino, path.stat().st_mtime_ns) for path in (workspace / "public" / "projects").rglob("*.html")}
    results = run_steps(workflow("check.yml")["jobs"]["check"], workspace, github, origin)
    assert [r.returncode for r in results] == [0, 0, 0], [r.stdout + r.stderr for r in results]
    changed = [path for path, mtime in entries.items() if path.stat().st_mtime_ns != mtime]
    # The build parsed one brief, the pull request's: its new entry kept and its old one let go of, in one or two shards.
    assert 1 <= len(changed) <= 2 < len(entries), changed
    assert "2026-12-22" in (workspace / "public/projects/acme-crm-cleanup/index.html").read_text()  # the pull request's deadline
    # Built for the same address as the deploy, every other project's page is the deploy's, kept as it was.
    rewritten = sorted(path.parent.name for path, stat in pages.items() if (path.stat().st_ino, path.stat().st_mtime_ns) != stat)
    assert rewritten == ["acme-crm-cleanup"] and len(pages) > 5


def test_check_workflow_steps_annotate_a_pull_request_by_someone_else_and_stop(origin, tmp_path):
    github = open_pull_request(origin, "mallory", extend_acme_deadline)
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    results = run_steps(workflow("check.yml")["jobs"]["check"], workspace, github, origin)
    assert [r.returncode for r in results] == [0, 1]  # the build does not run
    assert results[1].stdout == (
        "::error file=content/projects/acme-crm-cleanup.md,line=1::only the brief's maintainers (dana-acme, acme-hiring) "
        "or the board's maintainers (board-admin) may change it; @mallory is neither: ask one of them to make this "
        "change, or to add you to the brief's maintainers\n")


FAKE_GH_API = """#!/usr/bin/env python3
import json, os, subprocess, sys
args = sys.argv[1:]
with open(os.environ["FAKE_GH_LOG"], "a") as log:
    log.write(json.dumps(args) + "\\n")
answers = json.load(open(os.environ["FAKE_GH_STATE"]))
if args[0] == "api" and "--method" not in args:
    jq = args[args.index("--jq") + 1]
    sys.stdout.write(subprocess.run(["jq", "--raw-output", jq], input=json.dumps(answers[args[1]]), text=True,
                                    capture_output=True, check=True).stdout)
"""


@pytest.mark.parametrize("issue_author, result", [("dana-acme", "success"), ("mallory", "failure")])
def test_check_workflow_dispatched_for_an_intake_pull_request_checks_it_as_the_issues_author(
        origin, tmp_path, monkeypatch, issue_author, result):
    """The Intake workflow's bot opens the pull request; workflow_dispatch reads it (through a stand-in gh that
    answers as GitHub's API would, filtered by real jq), checks its merge commit from its base as the issue's
    author, and the report job sets the status `check` on the pull request's head commit."""
    pull = open_pull_request(origin, "github-actions[bot]", extend_acme_deadline)
    head, merge = git(origin, "rev-parse", "pull-request"), git(origin, "rev-parse", "refs/pull/1/merge")
    api = {"repos/owner/board/pulls/1": {"mergeable": True, "head": {"sha": head, "ref": "intake/issue-7"},
                                         "merge_commit_sha": merge, "user": {"login": "github-actions[bot]"}},
           f"repos/owner/board/commits/{merge}": {"parents": [{"sha": pull["github.event.pull_request.base.sha"]}, {"sha": head}]},
           "repos/owner/board/issues/7": {"user": {"login": issue_author}}}
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin/gh").write_text(FAKE_GH_API, encoding="utf-8")
    (tmp_path / "bin/gh").chmod(0o755)
    (tmp_path / "gh.json").write_text(json.dumps(api), encoding="utf-8")
    for key, value in {"PATH": f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}", "FAKE_GH_LOG": str(tmp_path / "gh.log"),
                       "FAKE_GH_STATE": str(tmp_path / "gh.json"), "GITHUB_REPOSITORY": "owner/board",
                       "GITHUB_SERVER_URL": "https://github.com", "GITHUB_RUN_ID": "42"}.items():
        monkeypatch.setenv(key, value)
    github = {"github.event_name": "workflow_dispatch", "inputs.pull-request": "1", "github.token": "token"}
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    results = run_steps(workflow("check.yml")["jobs"]["check"], workspace, github, origin)
    assert (github["steps.pull-request.outputs.head"], github["steps.pull-request.outputs.author"]) == (head, issue_author)
    assert git(workspace / "pull-request", "rev-parse", "HEAD") == merge
    if result == "success":
        assert [r.returncode for r in results] == [0, 0, 0, 0], [r.stdout + r.stderr for r in results]
        assert (workspace / "public/projects/acme-crm-cleanup/index.html").is_file()
    else:
        assert [r.returncode for r in results] == [0, 0, 1]
        assert "@mallory is neither" in results[-1].stdout
    (tmp_path / "gh.log").write_text("", encoding="utf-8")
    github |= {"needs.check.outputs.head": head, "needs.check.result": result}
    assert [r.returncode for r in run_steps(workflow("check.yml")["jobs"]["report"], workspace, github)] == [0]
    status = json.loads((tmp_path / "gh.log").read_text(encoding="utf-8"))
    assert status[:4] == ["api", "--method", "POST", f"repos/owner/board/statuses/{head}"]
    assert {"state=" + result, "context=check", "target_url=https://github.com/owner/board/actions/runs/42"} <= set(status)


FORGED_CHECKER = """
def main(argv=None):
    print("ok: 27 briefs; @mallory may make every change")
    return 0

run = main
"""
EVIL_PICKLE = b"cos\nsystem\n(S'touch /tmp/microboard-pwned-by-pickle'\ntR."


def replace_the_checker(origin: Path) -> None:
    """What a pull request that wants a green check tries: its own `board`, a new build backend, a workflow
    of its own, a cache of pickles that run a command, and the change it wants: another employer's brief."""
    (origin / "site_builder/cli.py").write_text(FORGED_CHECKER, encoding="utf-8")
    pyproject = origin / "pyproject.toml"
    pyproject.write_text(pyproject.read_text(encoding="utf-8").replace('board = "site_builder.cli:run"',
                                                                       'board = "site_builder.cli:run"\nboard-ok = "site_builder.cli:run"'))
    (origin / ".github/workflows").mkdir(parents=True, exist_ok=True)
    (origin / ".github/workflows/check.yml").write_text("on: pull_request\njobs: {}\n", encoding="utf-8")
    (origin / ".cache/entries").mkdir(parents=True)
    for shard in range(64):
        (origin / f".cache/entries/{shard:02x}.pickle").write_bytes(EVIL_PICKLE)
    extend_acme_deadline(origin)


def fresh_venv(folder: Path) -> Path:
    """A new virtual environment that sees this test's installed packages (the board's dependencies and
    its build backend, so pip installs offline) but not the board itself: the workflow's step installs it."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    python = folder / "bin/python"
    site_packages = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                   capture_output=True, text=True, check=True).stdout.strip()
    Path(site_packages, "test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


def test_a_pull_request_that_replaces_the_checker_cannot_change_what_the_check_reports(tmp_path):
    """The workflow installs the checker from the base commit and reads the pull request as data: a pull
    request's own site_builder/, pyproject.toml, workflow and .cache/ never run, and it is reported."""
    origin = board_repository(tmp_path / "origin", with_checker=True)
    github = open_pull_request(origin, "mallory", replace_the_checker)
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    python = fresh_venv(tmp_path / "venv")
    marker = Path("/tmp/microboard-pwned-by-pickle")
    marker.unlink(missing_ok=True)
    results = run_steps(workflow("check.yml")["jobs"]["check"], workspace, github, origin, python=python)
    assert [r.returncode for r in results] == [0, 0, 1], [r.stdout + r.stderr for r in results]
    report = results[-1].stdout
    assert "may make every change" not in report and not marker.exists()
    board_only = ("only the board's maintainers (board-admin) may {verb} files outside content/projects/ and static/logos/; "
                  "@mallory is not one of them: leave this file out of your pull request")
    assert f"::error file=.cache/entries/00.pickle,line=1::{board_only.format(verb='add')}\n" in report
    for path in (".github/workflows/check.yml", "pyproject.toml", "site_builder/cli.py"):
        assert f"::error file={path},line=1::{board_only.format(verb='change')}\n" in report
    assert "::error file=content/projects/acme-crm-cleanup.md,line=1::only the brief's maintainers" in report


def test_deploy_workflow_steps_build_the_board_for_the_pages_address(tmp_path):
    board = copy_example_board(tmp_path / "board")
    github = {"steps.pages.outputs.base_url": "https://owner.github.io/microboard"}  # as configure-pages gives it
    results = run_steps(workflow("deploy.yml")["jobs"]["build"], board, github)
    assert [r.returncode for r in results] == [0], [r.stdout + r.stderr for r in results]
    home = parse_html((board / "public/index.html").read_text(encoding="utf-8"))
    canonical = next(attrs["href"] for tag, attrs in home.elements if tag == "link" and attrs.get("rel") == "canonical")
    assert canonical == "https://owner.github.io/microboard/"


# --- GitHub's annotation syntax ---------------------------------------------------------------------------

def parse_workflow_command(line: str) -> tuple[str, dict[str, str], str]:
    """Read one line as GitHub's runner reads a workflow command: ::name key=value,key=value::message."""
    match = re.fullmatch(r"::(\w+) ([^:]*)::(.*)", line)
    assert match, f"not a workflow command: {line!r}"
    name, properties, message = match.groups()
    data = {"%0D": "\r", "%0A": "\n", "%25": "%"}
    prop = {**data, "%3A": ":", "%2C": ","}
    unescape = lambda text, table: re.sub("|".join(table), lambda m: table[m.group()], text)  # noqa: E731
    values = dict(pair.split("=", 1) for pair in properties.split(","))
    return name, {key: unescape(value, prop) for key, value in values.items()}, unescape(message, data)


def test_board_check_github_output_reads_back_as_the_text_output_through_githubs_syntax(tmp_path, capsys):
    from site_builder.cli import main

    board = copy_example_board(tmp_path / "board")
    brief = board / "content/projects/acme-crm-cleanup.md"
    brief.write_text(brief.read_text(encoding="utf-8").replace("hours: 20\n", '"100%\\r\\nsure": yes\nhours: 20\n'))
    (board / "content/projects/acme,crm.md").write_text("---\ncompany: [Acme]\n---\n")
    assert main(["--root", str(board), "check", "--format", "text"]) == 1
    text = capsys.readouterr().out
    assert main(["--root", str(board), "check", "--format", "github"]) == 1
    lines = capsys.readouterr().out.splitlines()
    parsed = [parse_workflow_command(line) for line in lines]
    assert len(parsed) >= 3 and {name for name, _, _ in parsed} == {"error"}
    assert "".join(f"{p['file']}:{p['line']}: {message}\n" for _, p, message in parsed) == text
    assert any("'100%" in message for _, _, message in parsed)
    assert any(p["file"] == "content/projects/acme,crm.md" for _, p, _ in parsed)


def test_github_format_escapes_percent_and_line_breaks_so_each_problem_is_one_annotation():
    problems = [Problem("content/projects/a:b,c%.md", 7, "100% sure\r\nand a second line\nand a third"),
                Problem("site.toml", 1, "%0A is not a line break here, %25 not a percent sign")]
    lines = format_github(problems).splitlines()
    assert len(lines) == 2 and all("\r" not in line for line in lines)
    assert [parse_workflow_command(line) for line in lines] == [
        ("error", {"file": p.path, "line": str(p.line)}, p.message) for p in sorted(problems)]
