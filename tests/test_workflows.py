"""The GitHub workflows and forms: valid for GitHub, wired to the right events, and their steps really work.

The steps' shell commands are run here as GitHub would run them, in a real shallow clone, with each
`${{ … }}` expression replaced by the value GitHub would give it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
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
OFFICIAL_ACTIONS = {"actions/checkout@v4", "actions/setup-python@v5", "actions/cache@v4", "actions/configure-pages@v5",
                    "actions/upload-pages-artifact@v3", "actions/deploy-pages@v4"}


def check_jsonschema(schema: str, *files: Path) -> subprocess.CompletedProcess:
    """Validate with the schema that ships inside check-jsonschema: no network needed."""
    return subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, *map(str, files)],
                          capture_output=True, text=True)


def workflow(name: str) -> dict:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    data["on"] = data.pop(True)  # YAML 1.1 reads the key `on` as true
    return data


def run_steps(job: dict, workdir: Path, github: dict[str, str]) -> list[subprocess.CompletedProcess]:
    """Run a job's shell steps in order as GitHub would, stopping at the first that fails; return their results."""
    results = []
    for step in job["steps"]:
        if "run" not in step or step["run"].startswith("python -m pip install"):
            continue  # `uses:` steps are GitHub's; this test's Python already has the board installed
        assert "${{" not in step["run"], f"{step['name']}: pass expressions through env:, never into the script"
        env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
        env.update({key: re.sub(r"\$\{\{\s*(.+?)\s*\}\}", lambda m: github[m.group(1)], value)
                    for key, value in step.get("env", {}).items()})
        results.append(done := subprocess.run(["bash", "-e", "-c", step["run"]], cwd=workdir, env=env,
                                              capture_output=True, text=True))
        if done.returncode != 0:
            break
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


def test_check_runs_on_pull_requests_with_the_pull_requests_base_and_author():
    check = workflow("check.yml")
    assert set(check["on"]) == {"pull_request"}
    assert check["permissions"] == {"contents": "read"}
    steps = check["jobs"]["check"]["steps"]
    command = next(step for step in steps if "board check" in step.get("run", ""))
    assert command["run"] == 'board check --format github --base "$BASE_SHA" --author "$AUTHOR"'
    assert command["env"] == {"BASE_SHA": "${{ github.event.pull_request.base.sha }}",
                              "AUTHOR": "${{ github.event.pull_request.user.login }}"}
    assert any(step.get("run") == "board build --output public" for step in steps)


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
    assert intake["permissions"] == {"contents": "write", "pull-requests": "write", "issues": "write"}
    labels = {yaml.safe_load(form.read_text(encoding="utf-8"))["labels"][0] for form in (ISSUE_FORM, UPDATE_FORM)}
    assert labels == {"new project", "update project"} and all(f"'{label}'" in intake["jobs"]["intake"]["if"] for label in labels)
    steps = intake["jobs"]["intake"]["steps"]
    assert [step.get("uses") for step in steps[:2]] == ["actions/checkout@v4", "actions/setup-python@v5"]
    assert "with" not in steps[0]  # the default branch, as the event gives it: the board's own code, never the issue's
    install = next(step["run"] for step in steps if step.get("name") == "Install the board")
    assert install == next(step["run"] for step in workflow("check.yml")["jobs"]["check"]["steps"] if step.get("name") == "Install the board")


def test_deploy_runs_on_push_to_main_daily_and_by_hand_and_builds_for_the_pages_address():
    deploy = workflow("deploy.yml")
    assert deploy["on"]["push"] == {"branches": ["main"]}
    assert [entry["cron"].split()[2:] for entry in deploy["on"]["schedule"]] == [["*", "*", "*"]]  # every day
    assert "workflow_dispatch" in deploy["on"]
    assert deploy["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    build = deploy["jobs"]["build"]["steps"]
    assert build[0] == {"uses": "actions/checkout@v4", "with": {"fetch-depth": 0}}  # feeds date briefs by git history
    assert next(s for s in build if s.get("id") == "pages")["uses"] == "actions/configure-pages@v5"
    command = next(step for step in build if "board build" in step.get("run", ""))
    assert command["env"] == {"BASE_URL": "${{ steps.pages.outputs.base_url }}"}
    assert next(s for s in build if s.get("uses", "").startswith("actions/upload-pages-artifact"))["with"] == {"path": "public"}
    assert deploy["jobs"]["deploy"]["needs"] == "build"
    assert deploy["jobs"]["deploy"]["environment"]["name"] == "github-pages"


def test_both_workflows_cache_the_build_cache_by_runner_and_pyproject():
    for name in ("check.yml", "deploy.yml"):
        cache = next(step for job in workflow(name)["jobs"].values() for step in job["steps"]
                     if step.get("uses") == "actions/cache@v4")["with"]
        assert cache["path"] == ".cache"
        assert cache["restore-keys"] == "board-cache-${{ runner.os }}-${{ hashFiles('pyproject.toml') }}-"
        assert cache["key"] == cache["restore-keys"] + "${{ github.run_id }}"


# --- the steps really work ------------------------------------------------------------------------------

@pytest.fixture
def pull_request(tmp_path):
    """The example board on main, a pull request by dana-acme changing her own brief, and a one-commit-deep
    clone of it, as actions/checkout makes one; returns (clone, base commit)."""
    origin = copy_example_board(tmp_path / "origin")
    git(origin, "init", "--quiet", "--initial-branch=main")
    base = commit_all(origin, "The board", user="board-admin")
    git(origin, "checkout", "--quiet", "-b", "pull-request")
    brief = origin / "content/projects/acme-crm-cleanup.md"
    brief.write_text(brief.read_text(encoding="utf-8").replace("deadline: 2026-12-15", "deadline: 2026-12-22"), encoding="utf-8")
    commit_all(origin, "Extend our deadline by a week", user="dana-acme")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "--quiet", "--depth=1", "--branch=pull-request", f"file://{origin}", str(clone))
    return clone, base


def test_check_workflow_steps_pass_a_pull_request_by_the_briefs_maintainer(pull_request):
    clone, base = pull_request
    github = {"github.event.pull_request.base.sha": base, "github.event.pull_request.user.login": "dana-acme"}
    results = run_steps(workflow("check.yml")["jobs"]["check"], clone, github)
    assert [r.returncode for r in results] == [0, 0, 0], [r.stdout + r.stderr for r in results]
    assert results[1].stdout == ""  # no annotation: nothing to fix
    assert (clone / "public/projects/acme-crm-cleanup/index.html").is_file()


def test_check_workflow_steps_annotate_a_pull_request_by_someone_else_and_stop(pull_request):
    clone, base = pull_request
    github = {"github.event.pull_request.base.sha": base, "github.event.pull_request.user.login": "mallory"}
    results = run_steps(workflow("check.yml")["jobs"]["check"], clone, github)
    assert [r.returncode for r in results] == [0, 1]  # the build does not run
    assert results[1].stdout == (
        "::error file=content/projects/acme-crm-cleanup.md,line=1::only the brief's maintainers (dana-acme, acme-hiring) "
        "or the board's maintainers (board-admin) may change it; @mallory is neither: ask one of them to make this "
        "change, or to add you to the brief's maintainers\n")


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
