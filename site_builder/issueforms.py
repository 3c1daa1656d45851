"""The board's GitHub issue forms, read from `.github/ISSUE_TEMPLATE/`, and the answers in an issue made with one.

The forms themselves are the one definition of their questions: `board intake` learns each question's id,
label, type and options from the form file, so a board that rewords or translates its forms needs no code
change. GitHub writes a form's answers into the issue as Markdown: a `### Label` heading per question, then
the answer; `_No response_` for an empty one (`None` for an unselected dropdown); `- [X] option` for a
ticked box. The issue's author can edit that text freely afterwards, so nothing here trusts its shape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import BoardError, Problem

FORMS_DIR = Path(".github/ISSUE_TEMPLATE")
NO_RESPONSE = ("", "_No response_")  # and "None", for a dropdown
TICKED = re.compile(r"^\s*[-*]\s+\[[xX]\]\s+(.*?)\s*$", re.M)


@dataclass(frozen=True)
class Question:
    """One question of a form: what GitHub shows (label, options) and what the form file names it (id)."""

    id: str
    type: str  # input, textarea, dropdown or checkboxes
    label: str
    required: bool
    options: tuple[str, ...] = ()  # a dropdown's choices, or the checkboxes' labels
    value: str = ""  # the text a textarea starts with

    def unchanged(self, answer: str | None) -> bool:
        """True when `answer` is the text the question started with, not one word changed (spacing aside)."""
        return bool(self.value.strip()) and (answer or "").split() == self.value.split()


@dataclass(frozen=True)
class IssueForm:
    file: str  # e.g. .github/ISSUE_TEMPLATE/post-a-project.yml, as problems name it
    name: str
    questions: tuple[Question, ...]

    def question(self, id: str) -> Question:
        return next(q for q in self.questions if q.id == id)


def read_form(root: Path, file_name: str) -> IssueForm:
    """The form `file_name` of the board at `root`; a BoardError naming the file when it is missing or malformed."""
    where = (FORMS_DIR / file_name).as_posix()
    try:
        data = yaml.safe_load((root / FORMS_DIR / file_name).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BoardError([Problem(where, 1, "there is no such issue form: `board intake` reads its questions from it; "
                                            "restore it from microboard's own .github folder")]) from None
    except (yaml.YAMLError, UnicodeDecodeError, OSError) as error:
        raise BoardError([Problem(where, 1, f"the issue form cannot be read: {error}")]) from None
    questions = []
    for item in (data or {}).get("body", []) if isinstance(data, dict) else []:
        if not isinstance(item, dict) or item.get("type") == "markdown":
            continue
        attributes = item.get("attributes") or {}
        options = tuple(o["label"] if isinstance(o, dict) else str(o) for o in attributes.get("options") or ())
        questions.append(Question(str(item.get("id")), str(item.get("type")), str(attributes.get("label")),
                                  bool((item.get("validations") or {}).get("required")), options, str(attributes.get("value") or "")))
    if not questions:
        raise BoardError([Problem(where, 1, "the issue form has no questions: give it a body: of inputs, like GitHub's form syntax")])
    return IssueForm(where, str(data.get("name", file_name)), tuple(questions))


def headings_found(form: IssueForm, body: str) -> int:
    """How many of the form's questions head a section of `body`: which form the issue was made with."""
    return sum(bool(_heading(question).search(_unix(body))) for question in form.questions)


def read_answers(form: IssueForm, body: str) -> dict[str, str | None]:
    """Each question's answer by id: its text, or None for no response. A question whose heading is gone
    from the issue is left out. Headings are looked for in the form's order, so a `### …` line inside an
    answer that is not the next question's label stays part of that answer."""
    text = _unix(body)
    found: list[tuple[Question, int, int]] = []  # question, where its heading starts, where its answer starts
    position = 0
    for question in form.questions:
        match = _heading(question).search(text, position)
        if match:
            found.append((question, match.start(), match.end()))
            position = match.end()
    answers: dict[str, str | None] = {}
    for index, (question, _, start) in enumerate(found):
        end = found[index + 1][1] if index + 1 < len(found) else len(text)
        value = text[start:end].strip()
        empty = value in NO_RESPONSE or (question.type == "dropdown" and value == "None")
        answers[question.id] = None if empty else value
    return answers


def unticked(question: Question, answer: str | None) -> list[str]:
    """The checkbox labels of `question` that `answer` does not show ticked."""
    ticked = {label.casefold() for label in TICKED.findall(answer or "")}
    return [label for label in question.options if label.casefold() not in ticked]


def chosen(question: Question, answer: str | None) -> int | None:
    """The position of the dropdown option `answer` names; None when it names none."""
    options = [option.casefold() for option in question.options]
    return options.index(answer.casefold()) if answer and answer.casefold() in options else None


def _heading(question: Question) -> re.Pattern[str]:
    return re.compile(rf"^###[ \t]+{re.escape(question.label)}[ \t]*$", re.M)


def _unix(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")
