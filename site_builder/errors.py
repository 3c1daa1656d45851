"""Problems found in a board's sources, and the three ways `board check` prints them."""

from __future__ import annotations

import difflib
import json
from dataclasses import asdict, dataclass

from .text import printable


@dataclass(frozen=True, order=True)
class Problem:
    """One mistake in one file: where it is and what to do about it."""

    path: str
    line: int
    message: str

    def __post_init__(self) -> None:
        # A message quotes what a file holds and a path is what someone named a file: either may carry a lone
        # surrogate, an escape sequence or a line break. Escaped here, every format can print every problem.
        object.__setattr__(self, "path", printable(self.path))
        object.__setattr__(self, "message", printable(self.message))

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class BoardError(Exception):
    """Bad input that stops a command; carries every problem found, for the user, not a traceback."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self) -> tuple[type[BoardError], tuple[list[Problem]]]:
        """Pickle by the problems, so the error of a page rendered in a worker process reaches the build intact."""
        return BoardError, (self.problems,)


def format_text(problems: list[Problem]) -> str:
    return "".join(f"{problem}\n" for problem in sorted(problems))


def _escape_github_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_github_property(text: str) -> str:
    return _escape_github_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(problems: list[Problem]) -> str:
    """Workflow commands that GitHub shows inline on the pull request's changed lines."""
    return "".join(
        f"::error file={_escape_github_property(p.path)},line={p.line}::{_escape_github_data(p.message)}\n"
        for p in sorted(problems)
    )


def format_json(problems: list[Problem], warnings: list[Problem] = ()) -> str:
    """The problems, then the warnings, each marked "severity": "warning"."""
    found = [asdict(p) for p in sorted(problems)] + [{**asdict(w), "severity": "warning"} for w in sorted(warnings)]
    return json.dumps(found, indent=2, ensure_ascii=False) + "\n"


def format_warnings(warnings: list[Problem], form: str) -> str:
    """Warnings as text or as GitHub annotations: things to fix that do not fail the check (JSON: format_json)."""
    if form == "github":
        return "".join(f"::warning file={_escape_github_property(w.path)},line={w.line}::{_escape_github_data(w.message)}\n"
                       for w in sorted(warnings))
    return "".join(f"{w.path}:{w.line}: warning: {w.message}\n" for w in sorted(warnings))


FORMATTERS = {"text": format_text, "github": format_github, "json": format_json}


def unknown_key_message(what: str, key: str, known: list[str], place: str = "") -> str:
    """Name the unknown key and where it is, the closest known one when it looks like a typo, and all the known ones."""
    where = f" in {place}" if place else ""
    return f"unknown {what} '{key}'{where}{did_you_mean(key.lower(), known)}; expected one of: {', '.join(known)}"


def did_you_mean(name: str, known: list[str]) -> str:
    """" (did you mean 'title'?)" when `name` looks like a typo of a known name, else ""."""
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
