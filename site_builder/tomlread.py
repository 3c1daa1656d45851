"""Reading a TOML file as a person wrote it: each key's line, problems as `FILE:LINE: message`, values shown as TOML.

tomllib keeps no line numbers and its messages name Python's view of the file; this gives both back
in the user's terms, for `site.toml`.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from .errors import Problem, unknown_key_message
from .text import code_point, first_forbidden


def key_lines(text: str) -> dict[str, int]:
    """Map each dotted key of a TOML document to the line it is written on (tomllib keeps no lines)."""
    lines: dict[str, int] = {}
    table = ""
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        header = re.match(r"^\[\[?\s*([^\]]+?)\s*\]\]?", line)
        if header:
            table = ".".join(part.strip().strip("\"'") for part in header.group(1).split("."))
            lines.setdefault(table, number)
            continue
        assignment = re.match(r"^([A-Za-z0-9_\-\"'. ]+?)\s*=", line)
        if assignment:
            key = ".".join(part.strip().strip("\"'") for part in assignment.group(1).split("."))
            lines.setdefault(f"{table}.{key}" if table else key, number)
    return lines


class TomlReader:
    """Reads one TOML file, collecting a Problem for every bad value instead of stopping."""

    def __init__(self, path: str, text: str):
        self.path = path
        self.lines = key_lines(text)
        self.problems: list[Problem] = []

    def line_of(self, dotted: str) -> int:
        while dotted:
            if dotted in self.lines:
                return self.lines[dotted]
            dotted = dotted.rpartition(".")[0]
        return 1

    def problem(self, dotted: str, message: str) -> None:
        self.problems.append(Problem(self.path, self.line_of(dotted), message))

    def reject_unknown(self, table: Mapping[str, Any], known: list[str], prefix: str, place: str = "") -> None:
        for key in table:
            if key not in known:
                self.problem(f"{prefix}{key}", unknown_key_message("setting", key, known, place))

    def text(self, table: Mapping[str, Any], key: str, prefix: str, default: str | None = None) -> str:
        if key not in table:
            if default is None:
                self.problem(prefix + key, f"{prefix}{key} is required: add `{key} = \"…\"`")
            return default or ""
        value = table[key]
        if not isinstance(value, str) or not value.strip():
            self.problem(prefix + key, f"{prefix}{key} must be non-empty text in quotes, got {shown(value)}")
            return ""
        forbidden = first_forbidden(value)
        if forbidden:
            self.problem(prefix + key, f"{prefix}{key} contains the character {code_point(forbidden.group())}, a control character "
                                       "or non-character that pages and feeds cannot carry: delete it")
            return ""
        return value.strip()


def shown(value: Any) -> str:
    """A value as the user wrote it in TOML, not as Python prints it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return str(value)


def toml_problem(path: str, error: str) -> Problem:
    """tomllib's syntax error as our message: its line, its reason without Python reprs, and the usual fix."""
    found = re.search(r"\(at line (\d+)", error)
    reason = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", error)
    declared = re.match(r"Cannot declare \((.*)\) twice", reason)
    if declared:
        table = ".".join(re.findall(r"'([^']*)'", declared.group(1)))
        reason = f"the table [{table}] is written twice: merge the two into one"
    elif reason == "Cannot overwrite a value":
        reason = "this setting is already given above: keep one"
    elif reason == "Invalid value":
        reason = 'invalid value: text must be in quotes, like title = "My board"'
    elif reason == "Illegal character '\\n'":
        reason = 'a text in quotes must end on the same line (use """ for text over several lines)'
    return Problem(path, int(found.group(1)) if found else 1, f"not valid TOML: {reason}")
