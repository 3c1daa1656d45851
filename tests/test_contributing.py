"""CONTRIBUTING.md tells the truth: its template, field table and fixes match the checker, and a new user who
follows it, and only it, posts a project that passes the pull request's check."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest

from site_builder import brieffields
from site_builder.cli import main
from site_builder.config import SLUG_PATTERN, load_config
from site_builder.lifecycle import today_in
from site_builder.scaffold import new_brief
from tests.gitboard import commit_all, git
from tests.site_files import EXAMPLE_DATE, REPO, copy_example_board

GUIDE = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
NESTED = {"company": brieffields.COMPANY_FIELDS, "compensation": brieffields.COMPENSATION_FIELDS}


def template_block() -> str:
    blocks = re.findall(r"^```markdown\n(.*?)^```$", GUIDE, re.M | re.S)
    assert len(blocks) == 1, "CONTRIBUTING.md has one template, in a ```markdown block"
    return blocks[0]


def table(header: str) -> list[list[str]]:
    """The rows of the Markdown table under `header`, as lists of cells."""
    lines = GUIDE.split(header + "\n", 1)[1].split("\n\n", 1)[0].splitlines()
    return [[cell.strip() for cell in line.strip("|").split(" | ")] for line in lines[1:]]


def field_table() -> dict[str, tuple[str, str]]:
    """Field name -> (example as it is written after the colon, rules)."""
    return {field.strip("`"): (example.strip("`"), rules) for field, example, rules in table("| Field | Example | Rules |")}


def github_anchor(heading: str) -> str:
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


def run_date(board) -> str:
    """Today in the board's time zone, as `board check` prints it."""
    return today_in(load_config(board).timezone).isoformat()


def run_check(capsys: pytest.CaptureFixture, root, *args: str) -> tuple[int, str]:
    status = main(["--root", str(root), "check", *args])
    return status, capsys.readouterr().out


# --- the guide matches the checker ------------------------------------------------------------------------

def test_the_guides_template_is_what_board_new_writes_apart_from_the_dates(tmp_path):
    board = copy_example_board(tmp_path / "board")
    day = date(2026, 11, 25)
    written = new_brief(board, load_config(board), "your-project-name", day).read_text(encoding="utf-8")
    deadline = day + timedelta(days=14)
    assert template_block() == written.replace(day.isoformat(), "YYYY-MM-DD").replace(deadline.isoformat(), "YYYY-MM-DD")


def test_the_field_table_lists_every_field_the_checker_knows_and_which_are_required():
    fields = field_table()
    known = [f"{name}.{sub}" if name in NESTED else name for name in brieffields.FIELDS for sub in NESTED.get(name, [None])]
    assert list(fields) == known
    required = {name for name in known if name.split(".")[0] in brieffields.REQUIRED} - {"company.url", "company.logo"}
    assert {name for name, (_, rules) in fields.items() if rules.startswith("**Required.**")} == required
    assert fields["location"][1].startswith("**Required when `remote` is `false`**")


def test_the_field_table_states_the_checkers_limits_and_the_boards_categories():
    rules = {name: rule for name, (_, rule) in field_table().items()}
    assert f"At most {brieffields.MAX_TITLE_LENGTH} characters" in rules["title"]
    assert f"up to {brieffields.MAX_SKILLS} skills, each at most {brieffields.MAX_SKILL_LENGTH} characters" in rules["skills"]
    assert f"a whole number from {brieffields.MIN_HOURS} to {brieffields.MAX_HOURS}" in rules["hours"]
    assert f"at most {brieffields.MAX_DEADLINE_DAYS} days after it" in rules["deadline"]
    assert f"at most {brieffields.MAX_SUMMARY_LENGTH} characters" in rules["summary"]
    keys = [c.key for c in load_config(REPO).categories]
    assert rules["category"] == "**Required.** One of: " + ", ".join(f"`{key}`" for key in keys) + "."


def test_the_guide_states_the_boards_pay_floor():
    floor = re.search(r"\*\*Every project is paid, at least the board's minimum rate:\*\* (.+?) per hour", GUIDE, re.S)
    stated = {currency: Decimal(amount) for amount, currency in re.findall(r"(\d+) ([A-Z]{3})", floor.group(1))}
    assert stated == dict(load_config(REPO).min_hourly_rate)


def test_a_brief_made_of_every_example_in_the_table_passes_the_check(tmp_path, capsys):
    board = copy_example_board(tmp_path / "board")
    lines, parent = ["---"], None
    for name, (example, _) in field_table().items():
        outer, _, inner = name.partition(".")
        if inner and outer != parent:
            lines.append(f"{outer}:")
        lines.append(f"  {inner}: {example}" if inner else f"{name}: {example}")
        parent = outer
    (board / "content/projects/every-example.md").write_text("\n".join(lines) + "\n---\nA project.\n", encoding="utf-8")
    status, out = run_check(capsys, board, "--now", EXAMPLE_DATE, "content/projects/every-example.md")
    assert (status, out) == (0, f"ok: 1 brief, 1 open on {EXAMPLE_DATE}\n")


MISTAKES = {  # the guide's "The check says" column -> the mistake, made in a good brief
    "title still holds the template's placeholder": ("title: Clean up our customer records before the CRM migration",
                                                     'title: "FILL IN: a short title"'),
    "the front matter is not valid YAML: mapping values are not allowed here": (
        "title: Clean up our customer records before the CRM migration", "title: Cleanup: the CRM"),
    "countries item must be text, but YAML reads NO as a yes/no value": ('countries: ["US", "CA"]', "countries: [NO, SE]"),
    "pay is below this board's floor": ("amount: 600", "amount: 60"),
    "this board takes pay only in the currencies it sets a pay floor for": ("currency: USD", "currency: IRR"),
    "a new brief must list its author among its maintainers": ("maintainers: [dana-acme, acme-hiring]", "maintainers: [someone]"),
}


def test_every_common_mistake_in_the_guide_gets_the_message_the_guide_quotes(tmp_path, capsys):
    quoted = [says.strip("`") for says, _ in table("| The check says | Fix |")]
    assert quoted == list(MISTAKES)
    board = copy_example_board(tmp_path / "board")
    git(board, "init", "--quiet", "--initial-branch=main")
    commit_all(board, "The board", user="board-admin")
    good = (board / "content/projects/acme-crm-cleanup.md").read_text(encoding="utf-8")
    for message, (right, wrong) in MISTAKES.items():
        assert right in good
        (board / "content/projects/new-brief.md").write_text(good.replace(right, wrong), encoding="utf-8")
        status, out = run_check(capsys, board, "--base", "main", "--author", "dana-acme")
        assert status == 1 and message in out, (message, out)


def test_the_guides_links_and_anchors_lead_somewhere():
    headings = {github_anchor(h) for h in re.findall(r"^#+ (.+)$", GUIDE.split("```markdown")[0] + GUIDE.split("```\n", 2)[-1], re.M)}
    for anchor in re.findall(r"\]\(#([^)]+)\)", GUIDE):
        assert anchor in headings, anchor
    for path in re.findall(r"\]\((?!#|https?:)([^)]+)\)", GUIDE):
        assert (REPO / path).is_file(), path
    assert "the-boards-terms" in headings  # the pull request template and the issue form point there


# --- a new user follows the guide -------------------------------------------------------------------------

def fill_in_like_a_hiring_manager(template: str, today: date) -> tuple[str, set[int]]:
    """Fill the guide's template the way the guide says: every FILL IN value and date replaced with the table's
    example for that field (posted today, the deadline a few weeks later), and a description under each heading.
    Returns the brief and the numbers of the lines changed."""
    examples = field_table()
    dates = {"posted": today.isoformat(), "deadline": (today + timedelta(days=21)).isoformat()}
    lines, changed, parent = template.splitlines(), set(), None
    for number, line in enumerate(lines, start=1):
        field = re.match(r"^(\s*)([a-z]+):\s*(.*?)(\s+#.*)?$", line)
        if not field:
            continue
        indent, key, value, note = field.groups()
        name = f"{parent}.{key}" if indent else key
        parent = key if not indent else parent
        if "FILL IN" in value or value == "YYYY-MM-DD":
            lines[number - 1] = f"{indent}{key}: {dates.get(name) or examples[name][0]}{note or ''}"
            changed.add(number)
    body_start = lines.index("---", 1) + 1
    for number in range(body_start, len(lines)):
        if lines[number].startswith("FILL IN"):
            lines[number] = "Acme Analytics runs a yearly survey of its 300 customers, and we want help with this year's."
            changed.add(number + 1)
        elif lines[number].startswith("## "):
            lines[number] += "\n\nA few sentences written by the hiring manager about this part of the project."
    return "\n".join(lines) + "\n", changed


def test_a_new_user_following_only_the_guide_posts_a_project_that_passes_the_check(tmp_path, capsys):
    board = copy_example_board(tmp_path / "board")
    git(board, "init", "--quiet", "--initial-branch=main")
    base = commit_all(board, "The board", user="board-admin")
    git(board, "checkout", "--quiet", "-b", "add-our-project")
    # 1. Create your file: lowercase words joined by hyphens, ending in .md; then paste the template.
    slug = "acme-customer-survey"
    assert 3 <= len(slug) <= 80 and SLUG_PATTERN.fullmatch(slug)
    path = board / "content/projects" / f"{slug}.md"
    path.write_text(template_block(), encoding="utf-8")
    status, out = run_check(capsys, board, f"content/projects/{slug}.md")
    assert status == 1
    needs_filling = {int(line.split(":")[1]) for line in out.splitlines()}
    # 2. Fill in the fields, as the guide and its table say.
    today = date.fromisoformat(run_date(board))
    brief, changed = fill_in_like_a_hiring_manager(template_block(), today)
    assert changed == needs_filling  # the guide's steps reach every line the check asked about
    path.write_text(brief, encoding="utf-8")
    author = field_table()["maintainers"][0].strip("[]")
    commit_all(board, "Post our customer survey project", user=author)
    # 3. Open a pull request: the check workflow runs the brief check with the ownership check.
    status, out = run_check(capsys, board, "--format", "github", "--base", base, "--author", author)
    assert (status, out) == (0, "")
    status, out = run_check(capsys, board, "--base", base, "--author", author)
    assert status == 0 and out.startswith("ok: 28 briefs")
