"""Front matter as YAML nodes: the text split from its body, composed with line numbers, and read
field by field against the type each field expects.

Composing instead of loading is what keeps every value's line and lets a text field refuse what YAML
1.1 silently made of it (`NO` read as false, `on`, bare dates, `1e3`), naming the quoting fix instead.
"""

from __future__ import annotations

import bisect
import re
from datetime import date
from decimal import Decimal
from urllib.parse import urlsplit

import frontmatter
import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import Problem, unknown_key_message
from .text import DIGITS, INVISIBLE_CHARACTER, code_point, first_forbidden

PLACEHOLDER = "FILL IN"  # what `board new` writes where the employer must write their own text
EMAIL = re.compile(r"[^@\s/?#]+@[^@\s/?#]+\.[^@\s/?#]+")  # used with fullmatch: `$` would let a line break end it
MAX_WHOLE_DIGITS, MAX_AMOUNT_DIGITS = 6, 12  # more digits than any count or pay needs; int() of thousands is slow or refused
MAX_URL_LENGTH = 2000  # what every browser and search engine takes whole
MIN_YEAR, MAX_YEAR = 2000, 2999  # a board's dates; near year 9999 a deadline plus a few days is no date at all


class _RejectAliases(yaml.SafeLoader):
    """A safe loader that refuses `*alias` references, so an alias bomb is an error, not a hang."""

    def compose_node(self, parent, index):  # noqa: ANN001 (PyYAML's own signature)
        if self.check_event(yaml.AliasEvent):
            raise yaml.MarkedYAMLError(
                problem="YAML anchors and aliases (& and *) are not allowed in a brief: write each value out",
                problem_mark=self.peek_event().start_mark,
            )
        return super().compose_node(parent, index)


def _yaml_kind(node: ScalarNode) -> str | None:
    """What YAML made of an unquoted value that was meant as text, or None if it is text."""
    kinds = {
        "tag:yaml.org,2002:bool": "a yes/no value", "tag:yaml.org,2002:int": "a number",
        "tag:yaml.org,2002:float": "a number", "tag:yaml.org,2002:null": "an empty value",
        "tag:yaml.org,2002:timestamp": "a date",
    }
    return kinds.get(node.tag) if not node.style else None  # plain style: None from PyYAML, "" from libyaml


_LINE_BREAK = re.compile("\n")


class FieldReader:
    """Reads one brief's front matter nodes, adding a Problem for every rule broken."""

    def __init__(self, source: str, front: str, first_line: int, problems: list[Problem]):
        self.source, self.first_line, self.problems = source, first_line, problems
        self.line_breaks = [match.start() for match in _LINE_BREAK.finditer(front)]

    @property
    def closing_line(self) -> int:
        """The line of the front matter's closing ---, where a missing field goes."""
        return self.first_line + len(self.line_breaks)

    def line(self, node: Node) -> int:
        """The file line of a node (see _line_at), found by bisection: a brief may have thousands of problems."""
        return self.first_line + bisect.bisect_left(self.line_breaks, node.start_mark.index)

    def problem(self, node: Node | None, message: str) -> None:
        self.problems.append(Problem(self.source, self.line(node) if node else 1, message))

    def mapping(self, node: Node, name: str | None, known: list[str]) -> dict[str, tuple[Node, Node]]:
        """The fields of a mapping (`name` None for the front matter itself) as name -> (key node, value node).

        Unknown and repeated keys are reported."""
        if not isinstance(node, MappingNode):
            if name is None:
                self.problem(node, f"the front matter must be a set of fields, one `name: value` per line, "
                                   f"like `{known[0]}: …`, got {shown(node)}")
            else:
                self.problem(node, f"{name} must be a set of fields on indented lines under it, like `  {known[0]}: …`, got {shown(node)}")
            return {}
        fields: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else shown(key_node)
            if key not in known:
                self.problem(key_node, unknown_key_message("field", key, known, place=name or ""))
            elif key in fields:
                dotted = f"{name}.{key}" if name else key
                self.problem(key_node, f"{dotted} is given twice (first on line {self.line(fields[key][0])}); keep one")
            else:
                fields[key] = (key_node, value_node)
        return fields

    def text(self, node: Node, name: str, max_length: int | None = None, shown_as_a_name: bool = False) -> str | None:
        """A text field's value; `shown_as_a_name` (titles, company and skill names) also refuses invisible
        characters, which would let one name pass for another."""
        if not isinstance(node, ScalarNode):
            self.problem(node, f"{name} must be a single piece of text, not a list or a set of fields")
            return None
        kind = _yaml_kind(node)
        if kind and node.value.strip():
            self.problem(node, f'{name} must be text, but YAML reads {node.value} as {kind}; put it in quotes: "{node.value}"')
            return None
        value = node.value.strip()
        if not value:
            self.problem(node, f"{name} is empty: write a value after the colon")
            return None
        if value.upper().startswith(PLACEHOLDER):
            self.problem(node, f"{name} still holds the template's placeholder: replace it with your own text")
            return None
        if max_length and len(value) > max_length:
            self.problem(node, f"{name} must be at most {max_length} characters, got {len(value)}")
            return None
        forbidden = first_forbidden(value)
        if forbidden:
            self.problem(node, f"{name} contains the character {code_point(forbidden.group())}, a control character or "
                               "non-character that pages and feeds cannot carry: delete it")
            return None
        invisible = INVISIBLE_CHARACTER.search(value) if shown_as_a_name else None
        if invisible:
            self.problem(node, f"{name} contains the character {code_point(invisible.group())}, an invisible character (zero-width "
                               "or a text-direction control) that can make one name look like another: delete it")
            return None
        return value

    def text_list(self, node: Node, name: str, example: str, shown_as_names: bool = False) -> list[tuple[Node, str]]:
        if not isinstance(node, SequenceNode):
            self.problem(node, f"{name} must be a list in square brackets, like {name}: {example}")
            return []
        items = [(item, self.text(item, f"{name} item", shown_as_a_name=shown_as_names)) for item in node.value]
        return [(item, value) for item, value in items if value is not None]

    def whole_number(self, node: Node, name: str, low: int, high: int) -> int | None:
        value = node.value.strip() if isinstance(node, ScalarNode) else ""
        if not (DIGITS.fullmatch(value) and len(value) <= MAX_WHOLE_DIGITS and low <= int(value) <= high):
            self.problem(node, f"{name} must be a whole number from {low} to {high}, got {shown(node)}{_digits_hint(value)}")
            return None
        return int(value)

    def amount(self, node: Node, name: str) -> Decimal | None:
        value = node.value.strip() if isinstance(node, ScalarNode) else ""
        whole, point, cents = value.partition(".")
        if not (DIGITS.fullmatch(whole) and (not point or DIGITS.fullmatch(cents) and len(cents) <= 2)) or Decimal(value) <= 0:
            self.problem(node, f"{name} must be an amount greater than 0 written as digits, like 600 or 22.50, "
                               f"got {shown(node)}{_digits_hint(value)}")
            return None
        if len(whole.lstrip("0")) > MAX_AMOUNT_DIGITS:
            self.problem(node, f"{name} has {len(whole.lstrip('0'))} digits before the point; an amount has at most {MAX_AMOUNT_DIGITS}")
            return None
        return Decimal(value)

    def flag(self, node: Node, name: str) -> bool | None:
        value = node.value.strip().lower() if isinstance(node, ScalarNode) else ""
        if value not in ("true", "false"):
            self.problem(node, f"{name} must be true or false, got {shown(node)}")
            return None
        return value == "true"

    def day(self, node: Node, name: str) -> date | None:
        value = node.value.strip() if isinstance(node, ScalarNode) else ""
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            self.problem(node, f"{name} must be a date written YYYY-MM-DD, like 2026-11-20, got {shown(node)}{_digits_hint(value)}")
            return None
        try:
            day = date.fromisoformat(value)
        except ValueError:
            self.problem(node, f"{name} must be a real calendar date, got {value}: there is no such day (the format is YYYY-MM-DD)")
            return None
        if not MIN_YEAR <= day.year <= MAX_YEAR:
            self.problem(node, f"{name} must be a date in the years {MIN_YEAR} to {MAX_YEAR}, got {value}")
            return None
        return day

    def url(self, node: Node, name: str, allow_mailto: bool, example: str = "https://acme.example/jobs/123") -> str | None:
        value = self.text(node, name, MAX_URL_LENGTH)
        if value is None:
            return None
        parts = urlsplit(value)
        if allow_mailto and parts.scheme == "mailto":
            if EMAIL.fullmatch(parts.path):
                return value
            self.problem(node, f"{name} must be mailto: followed by one e-mail address, like mailto:jobs@acme.example, got {value}")
            return None
        if parts.scheme != "https" or not parts.hostname or "." not in parts.hostname or re.search(r"\s", value):
            want = "an https:// web address or a mailto: e-mail address" if allow_mailto else "an https:// web address"
            self.problem(node, f"{name} must be {want}, like {example}, got {value}")
            return None
        return value


def shown(node: Node) -> str:
    """A value as a message quotes it: cut short when long (a number of thousands of digits is one line)."""
    if isinstance(node, ScalarNode):
        value = node.value if node.value.strip() else "nothing"
        return value if len(value) <= 60 else value[:60] + "…"
    return "a list" if isinstance(node, SequenceNode) else "a set of fields"


def _digits_hint(value: str) -> str:
    """The fix for a number written with digits other than 0-9 (١٠, ４５), which people read differently."""
    if any(c.isdigit() for c in value) and not value.isascii():
        return " (write numbers and dates with the digits 0-9)"
    return ""


def split_front_matter(text: str) -> tuple[str, int, str, int] | None:
    """Split a brief into (front matter, its first line, body, its first line); None when there is none."""
    boundaries = frontmatter.YAMLHandler.FM_BOUNDARY.finditer(text)
    opening, closing = next(boundaries, None), next(boundaries, None)
    if opening is None or opening.start() != 0 or closing is None:
        return None
    rest = text[closing.end():]
    body = rest.lstrip("\n")
    return (
        text[opening.end():closing.start()], 1 + text.count("\n", 0, opening.end()),
        body.rstrip(), 1 + text.count("\n", 0, closing.end()) + len(rest) - len(body),
    )


def decode_text(raw: bytes) -> str:
    """A brief's bytes as text with Unix line ends; UnicodeDecodeError when they are not UTF-8."""
    return raw.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")


def _line_at(front: str, front_line: int, mark: yaml.Mark) -> int:
    """The file line of a YAML mark. Not mark.line: YAML also breaks lines at U+0085, U+2028 and U+2029, editors do not."""
    return front_line + front.count("\n", 0, mark.index)


def _yaml_hint(problem: str, front: str, mark: yaml.Mark | None) -> str | None:
    """The fix for the YAML mistakes people make most, from PyYAML's problem text and where it is."""
    if problem.startswith("mapping values are not allowed here"):
        return 'text with ": " in it, or ending in ":", must be in quotes, like title: "Cleanup: the CRM"'
    if problem.startswith("found character '\\t'"):
        return "indent with spaces, not tabs"
    if problem.startswith("found character") and mark is not None:
        value = re.match(r"[^,\]}#\n]*", front[mark.index:]).group().strip()
        return f'a value that starts with {value[:1]} must be in quotes, like "{value}"'
    if problem.startswith("expected <block end>"):
        return "check this line's indentation, and that a value starting with a quote ends with it"
    return None


def compose_front_matter(front: str, front_line: int, source: str, problems: list[Problem]) -> Node | None:
    """The front matter as a YAML node tree with line numbers; None (and a problem) when it is not YAML."""
    fast = _compose_fast(front)
    if fast is not None:
        return fast
    loader = None
    try:
        loader = _RejectAliases(front)  # the reader rejects control characters here already
        return loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        separator = re.search("[\x85\u2028\u2029]", front)
        if separator:  # invisible in editors, a line break to YAML: the likely cause, and the error text would only confuse
            line = front_line + front.count("\n", 0, separator.start())
            problems.append(Problem(source, line, f"the front matter contains an invisible line separator "
                                                  f"(U+{ord(separator.group()):04X}) on this line; delete it"))
            return None
        mark = error.problem_mark or error.context_mark
        line = _line_at(front, front_line, mark) if mark else front_line
        problem = error.problem or error.context or "it cannot be read"
        message = f"the front matter is not valid YAML: {problem}"
        hint = _yaml_hint(problem, front, error.problem_mark)
        if hint:
            message += f"; {hint}"
        if error.context_mark and error.problem_mark and _line_at(front, 0, error.context_mark) != _line_at(front, 0, error.problem_mark):
            message += f" (in the value that starts on line {_line_at(front, front_line, error.context_mark)})"
        problems.append(Problem(source, line, message))
    except yaml.reader.ReaderError as error:
        line = front_line + front[: error.position].count("\n")
        character = error.character if isinstance(error.character, int) else ord(error.character[:1] or "\0")
        problems.append(Problem(source, line, f"the front matter contains a character YAML does not allow (U+{character:04X}); delete it"))
    except RecursionError:
        problems.append(Problem(source, 1, "the front matter is nested too deeply to read: write each field on its own line"))
    except yaml.YAMLError:
        problems.append(Problem(source, 1, "the front matter is not valid YAML: check it against the template of `board new`"))
    finally:
        if loader is not None:
            loader.dispose()
    return None


def _compose_fast(front: str) -> Node | None:
    """libyaml's composer, 7x faster, for front matter that can hold no alias and that it reads without
    error; None otherwise, and PyYAML's composer then refuses the aliases and words the errors."""
    if not yaml.__with_libyaml__ or "&" in front or "*" in front:
        return None
    loader = yaml.CSafeLoader(front)
    try:
        return loader.get_single_node()
    except (yaml.YAMLError, RecursionError):
        return None
    finally:
        loader.dispose()
