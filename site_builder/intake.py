"""`board intake`: an issue made with one of the board's forms -> a checked change to one brief, or a reply.

"Post a project" writes a new brief; "Update or close my project" moves a brief's deadline, closes it
(filled: the deadline becomes yesterday) or takes it off the board (withdrawn: the file is deleted), as
CONTRIBUTING.md tells people who edit files to do. Either way the change then goes through `check_board`,
the code of `board check --base --author`, with the issue's author as the author of the change, and every
problem comes back in a Markdown reply under the form's question it is about, for the issue's author to
fix by editing the issue. The brief's fields are written with yaml.safe_dump, so no answer can add a field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import yaml
from slugify import slugify
from yaml.nodes import MappingNode

from .build import check_board
from .config import SLUG_PATTERN, load_config
from .content import load_briefs
from .contentfiles import PROJECTS_DIR
from .errors import BoardError, Problem
from .frontyaml import EMAIL, compose_front_matter, decode_text, split_front_matter
from .issueforms import IssueForm, chosen, headings_found, read_answers, read_form, unticked

POST_FORM, UPDATE_FORM = "post-a-project.yml", "update-a-project.yml"
REPLY_MARKER = "<!-- microboard-intake -->"  # how the workflow finds its one comment on the issue again
MAX_MESSAGE = 500  # characters of one problem in a reply: a problem may quote a whole answer

# The one link between each form and the brief: the brief fields each question (by its id in the form file)
# fills. A problem the check finds in a field is told under that field's question; the form's labels are
# read from the form itself. "" stands for the brief as a whole (its file, its ownership).
POST_FIELDS = {
    "title": ("title",), "company": ("company", "company.name"), "company-url": ("company.url",),
    "category": ("category",), "skills": ("skills",), "hours": ("hours",),
    "pay": ("compensation", "compensation.amount", "compensation.currency"), "pay-type": ("compensation.type",),
    "remote": ("remote",), "countries": ("countries",), "location": ("location",), "deadline": ("deadline", "posted"),
    "apply": ("apply",), "maintainers": ("maintainers",), "description": ("body", ""), "terms": (),
}
UPDATE_FIELDS = {"listing": ("",), "deadline": ("deadline",), "close": ()}
FIXED_OR_HOURLY, REMOTE_OR_ON_SITE = ("fixed", "hourly"), (True, False)  # by position of the dropdown's options
FILLED, WITHDRAWN = 0, 1  # positions of the options of "Close the listing?"
PAY = re.compile(r"(?:(?P<before>[A-Za-z]{3})\s*)?(?P<amount>[0-9][0-9,]*(?:\.[0-9]+)?)(?:\s*(?P<after>[A-Za-z]{3}))?")


@dataclass(frozen=True)
class Intake:
    """What became of an issue: the change made in the working tree (ok), or the reason it was not."""

    ok: bool
    title: str  # one line: the pull request's title
    reply: str  # Markdown: the pull request's description when ok, else the problems for the issue's author


def intake(root: Path, body: str, author: str, today: date, base: str = "HEAD", issue: int | None = None) -> Intake:
    """Make the change the issue `body` asks for in the board at `root`, checked as `author`'s change since `base`."""
    forms = {POST_FORM: (read_form(root, POST_FORM), POST_FIELDS), UPDATE_FORM: (read_form(root, UPDATE_FORM), UPDATE_FIELDS)}
    for form, fields in forms.values():
        if {q.id for q in form.questions} != set(fields):
            raise BoardError([Problem(form.file, 1, f"the form's questions ({', '.join(q.id for q in form.questions)}) are not the ones "
                                                    f"board intake reads ({', '.join(fields)}): restore the ids, reword only the labels")])
    name, (form, fields) = max(forms.items(), key=lambda item: headings_found(item[1][0], body))
    if not headings_found(form, body):
        return _failed(f"{REPLY_MARKER}\nThis issue was not made with one of the board's forms, so it cannot become a listing: "
                       "open a new issue and choose **Post a project** or **Update or close my project**.\n")
    change = _Change(root, form, fields, read_answers(form, body), author, today, base, issue)
    return change.post() if name == POST_FORM else change.update()


def _failed(reply: str) -> Intake:
    return Intake(False, "", reply)


@dataclass(frozen=True)
class _Change:
    """One issue's answers, and what making its change takes: the board, the form, who asks, as of when."""

    root: Path
    form: IssueForm
    fields: dict[str, tuple[str, ...]]
    answers: dict[str, str | None]
    author: str
    today: date
    base: str
    issue: int | None

    def post(self) -> Intake:
        problems = self.unanswered()
        terms = self.form.question("terms")
        if missing := unticked(terms, self.answers.get("terms")):
            problems.append((terms.label, "tick every box, or the project cannot be posted: " + "; ".join(missing)))
        if (description := self.form.question("description")).unchanged(self.answers.get("description")):
            problems.append((description.label, "write a few sentences under each heading: what the project is for, what you "
                                                "want handed over, and how you will judge it"))
        front = self.brief_fields(problems)
        path = self.root / PROJECTS_DIR / f"{self.free_slug()}.md"
        text = _brief_text(front, self.answers.get("description") or "")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        problems += self.located(self.check([path]), path, text, told=problems)
        if problems:
            path.unlink()
            return _failed(self.reply_with(problems))
        colleagues = [f"`{h}`" for h in front["maintainers"][1:]]
        return Intake(True, f"Post a project: {path.stem}", (
            f"{REPLY_MARKER}\nA new listing, `{path.relative_to(self.root).as_posix()}`, from the answers of @{self.author}"
            f"{self.from_issue}. @{self.author} becomes its maintainer" + (f", with {', '.join(colleagues)}" if colleagues else "")
            + ": they may change or close it later.\n\n" + self.passed))

    def update(self) -> Intake:
        problems = self.unanswered()
        listing, close_question = self.form.question("listing"), self.form.question("close")
        close = chosen(close_question, self.answers.get("close"))
        if self.answers.get("close") is not None and close is None:
            problems.append((close_question.label, "choose one of: " + "; ".join(close_question.options)))
        slug = (self.answers.get("listing") or "").strip().rstrip("/").rpartition("/")[2].removesuffix(".md").lower()
        path = self.root / PROJECTS_DIR / f"{slug}.md"
        if self.answers.get("listing") and not (SLUG_PATTERN.fullmatch(slug) and path.is_file()):
            problems.append((listing.label, f"there is no listing {slug or self.answers['listing']} on this board: give the last "
                                            "part of its address, like acme-crm-cleanup for …/projects/acme-crm-cleanup/"))
        if close is None and self.answers.get("deadline") is None and self.answers.get("close") is None:
            problems.append((self.form.question("deadline").label, "give a new last day to apply, or choose how to close the listing"))
        if problems:
            return _failed(self.reply_with(problems))
        original = decode_text(path.read_bytes())
        briefs, broken = load_briefs(self.root, load_config(self.root), [path])
        if broken:
            return _failed(self.reply_with(self.located(broken, path, original)))
        if close == WITHDRAWN or (close == FILLED and self.today - timedelta(days=1) < briefs[0].posted):
            path.unlink()  # a listing posted today (or not yet) cannot close before it opened: it goes, as withdrawn
            title = f"Withdraw {slug}" if close == WITHDRAWN else f"Close {slug}: filled the day it was posted"
            done = "takes the listing off the board"
        else:
            deadline = self.today - timedelta(days=1) if close == FILLED else _day(self.answers["deadline"])
            path.write_text(_with_deadline(original, path.name, deadline), encoding="utf-8")
            title, done = (f"Close {slug}: filled", "closes the listing") if close == FILLED else \
                (f"Update {slug}: last day to apply {deadline}", f"moves its last day to apply to {deadline}")
        problems = self.located(self.check([path] if path.exists() else []), path, original)
        if problems:
            path.write_text(original, encoding="utf-8")
            return _failed(self.reply_with(problems))
        return Intake(True, title, f"{REPLY_MARKER}\nThis {done} (`{path.relative_to(self.root).as_posix()}`), "
                                   f"as @{self.author} asked{self.from_issue}.\n\n" + self.passed)

    @property
    def from_issue(self) -> str:
        return f" in #{self.issue}" if self.issue else ""

    @property
    def passed(self) -> str:
        closes = f"\n\nCloses #{self.issue}" if self.issue else ""
        return f"`board check --base {self.base} --author {self.author}` finds no problem with it.{closes}\n"

    def unanswered(self) -> list[tuple[str | None, str]]:
        return [(q.label, "this question needs an answer" + ("" if q.id in self.answers else
                          f': its heading "### {q.label}" is gone from the issue; add it back, with your answer under it'))
                for q in self.form.questions if q.required and self.answers.get(q.id) is None]

    def brief_fields(self, problems: list[tuple[str | None, str]]) -> dict[str, object]:
        """The front matter the answers make, in the order of `board new`'s template; a problem for an answer it cannot read."""
        a, question = self.answers, self.form.question
        front: dict[str, object] = {"title": a.get("title"), "company": {"name": a.get("company"), "url": a.get("company-url")}}
        front |= {"category": a.get("category"), "skills": _items(a.get("skills"))}
        front["hours"] = int(a["hours"]) if re.fullmatch(r"[0-9]+", a.get("hours") or "") else a.get("hours")
        pay = PAY.fullmatch((a.get("pay") or "").strip())
        currency = pay and (pay["before"] or pay["after"])
        if a.get("pay") and not (pay and currency and not (pay["before"] and pay["after"])):
            problems.append((question("pay").label, f"write the amount, then its three-letter currency code, like 600 USD or 22.50 EUR, got {a['pay']}"))
        pay_type = chosen(question("pay-type"), a.get("pay-type"))
        remote = chosen(question("remote"), a.get("remote"))
        for id, choice in (("pay-type", pay_type), ("remote", remote)):
            if a.get(id) and choice is None:
                problems.append((question(id).label, "choose one of: " + "; ".join(question(id).options)))
        if currency and pay:
            amount = pay["amount"].replace(",", "")
            front["compensation"] = {"amount": int(amount) if amount.isdigit() else float(amount), "currency": currency.upper(),
                                     "type": FIXED_OR_HOURLY[pay_type] if pay_type is not None else None}
        front["remote"] = REMOTE_OR_ON_SITE[remote] if remote is not None else None
        front["countries"] = [c.upper() if re.fullmatch(r"[A-Za-z]{2}", c) else c for c in _items(a.get("countries"))]
        front |= {"location": a.get("location"), "posted": self.today, "deadline": _day(a.get("deadline")), "apply": _apply(a.get("apply"))}
        colleagues = [h.removeprefix("@") for h in _items(a.get("maintainers"), r"[\s,]+")]
        handles = [self.author, *colleagues]
        front["maintainers"] = [h for n, h in enumerate(handles) if h.casefold() not in {h.casefold() for h in handles[:n]}]
        return _without_empty(front)

    def free_slug(self) -> str:
        """A slug from the company and title that no brief has yet: acme-analytics-crm-cleanup, or …-2."""
        words = f"{self.answers.get('company') or ''} {self.answers.get('title') or ''}"
        slug = slugify(words, max_length=50, word_boundary=True) or "project"
        slug = slug if len(slug) >= 3 else f"{slug}-project"
        taken = lambda name: (self.root / PROJECTS_DIR / f"{name}.md").exists()  # noqa: E731
        return next(name for n in range(1, 10_000) if not taken(name := slug if n == 1 else f"{slug}-{n}"))

    def check(self, files: list[Path]) -> list[Problem]:
        try:
            check_board(self.root, self.today, files, self.base, self.author)
        except BoardError as error:
            return error.problems
        return []

    def located(self, problems: list[Problem], path: Path, text: str,
                told: list[tuple[str | None, str]] = ()) -> list[tuple[str | None, str]]:
        """Each problem under the question of the field it is on (None: about the board, not the answers), but none
        under a question the reply already `told` about: that answer was left out of the brief, the reply says why."""
        source = path.relative_to(self.root).as_posix()
        by_field = {field: self.form.question(id).label for id, fields in self.fields.items() for field in fields}
        starts = _field_lines(text)
        located = []
        for problem in problems:
            label = None
            if problem.path == source:
                missing = re.match(r"([a-z.]+) is (?:missing|required)", problem.message)
                field = missing[1] if missing else ([name for line, name in starts if line <= problem.line] or [""])[-1]
                label = by_field.get(field, by_field.get(field.partition(".")[0], by_field.get("")))
            if label is None or label not in {label for label, _ in told}:
                located.append((label, problem.message if label else str(problem)))
        return located

    def reply_with(self, problems: list[tuple[str | None, str]]) -> str:
        """The reply to the issue's author: each problem once, under its question; the board's own last."""
        order = [q.label for q in self.form.questions] + [None]
        lines = []
        for label, message in sorted(dict.fromkeys(problems), key=lambda problem: order.index(problem[0])):
            lines.append(f"- **{label}:** {_markdown_text(message)}" if label else f"- (about the board, not your answers) {_markdown_text(message)}")
        return (f"{REPLY_MARKER}\n@{self.author}, thank you. Before this can become a pull request, please change these answers: "
                "edit the issue (the **…** menu at its top, then **Edit**), fix each one, and save. The board checks the issue "
                "again each time it is saved, and updates this comment.\n\n" + "\n".join(lines) + "\n")


def _items(answer: str | None, separator: str = r",") -> list[str]:
    return [item.strip() for item in re.split(separator, answer or "") if item.strip()]


def _day(answer: str | None) -> date | str | None:
    """A date when the answer is one, written YYYY-MM-DD; else the answer itself, for the check to explain."""
    text = (answer or "").strip()
    try:
        return date.fromisoformat(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else answer
    except ValueError:
        return answer


def _apply(answer: str | None) -> str | None:
    """The form asks for a web or an e-mail address: an e-mail address becomes a mailto: link."""
    return f"mailto:{answer.strip()}" if answer and EMAIL.match(answer.strip()) and ":" not in answer else answer


def _without_empty(fields: dict[str, object]) -> dict[str, object]:
    """Leave out what was not answered: the check then reports it as missing, under its question."""
    nested = {key: _without_empty(value) if isinstance(value, dict) else value for key, value in fields.items()}
    return {key: value for key, value in nested.items() if value not in (None, [], {})}


class _BriefDumper(yaml.SafeDumper):
    """yaml.safe_dump, with lists in brackets as `board new`'s template writes them."""


_BriefDumper.add_representer(list, lambda dumper, items: dumper.represent_sequence("tag:yaml.org,2002:seq", items, flow_style=True))


def _brief_text(front: dict[str, object], body: str) -> str:
    fields = yaml.dump(front, Dumper=_BriefDumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=2**31 - 1)
    return f"---\n{fields}---\n\n{body.strip()}\n"


def _field_lines(text: str) -> list[tuple[int, str]]:
    """(file line, dotted name) where each field and subfield of a brief starts, in file order; "body" after the front matter."""
    parts = split_front_matter(text)
    root = compose_front_matter(parts[0], parts[1], "", []) if parts else None
    if not isinstance(root, MappingNode):
        return []
    line = lambda node: parts[1] + parts[0].count("\n", 0, node.start_mark.index)  # noqa: E731 (not mark.line: see frontyaml)
    starts = []
    for key, value in root.value:
        starts.append((line(key), key.value))
        if isinstance(value, MappingNode):
            starts += [(line(sub), f"{key.value}.{sub.value}") for sub, _ in value.value]
    return starts + [(parts[1] + parts[0].count("\n"), "body")]


def _with_deadline(text: str, source: str, deadline: date | str | None) -> str:
    """The brief `text` with its deadline's value replaced, every other byte kept as the employer wrote it."""
    front, first_line, _, _ = split_front_matter(text)
    root = compose_front_matter(front, first_line, source, [])
    node = next(value for key, value in root.value if key.value == "deadline")
    start = text.index(front)
    value = deadline.isoformat() if isinstance(deadline, date) else yaml.safe_dump(deadline, default_style='"', width=2**31 - 1).strip()
    return text[: start + node.start_mark.index] + value + text[start + node.end_mark.index:]


def _markdown_text(text: str) -> str:
    """`text` shown as itself in GitHub's Markdown, on one line: no tag, link, heading or emphasis an answer could sneak in."""
    text = " ".join(text.split())
    text = text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"([\\`*_\[\]#|~])", r"\\\1", text)
