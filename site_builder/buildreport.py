"""A build's report: each piece of work it did and why it could not be spared (`board build --explain`,
and what tests read: a second build of an unchanged board reports nothing)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass


@dataclass(frozen=True)
class Work:
    """One piece of work a build did, and why it could not be spared."""

    kind: str  # "parse" a brief, "markdown" of a body, "render" a page or board file, "index" a search bundle, "write", "remove"
    name: str  # the brief's or page's source, or the output's path
    reason: str

    def __str__(self) -> str:
        return f"{self.kind} {self.name}: {self.reason}"


class BuildReport:
    """The work of one build, in the order it was done."""

    def __init__(self) -> None:
        self.work: list[Work] = []

    def note(self, kind: str, name: str, reason: str) -> None:
        self.work.append(Work(kind, name, reason))

    def names(self, kind: str) -> list[str]:
        return [work.name for work in self.work if work.kind == kind]

    def reasons(self, kind: str) -> Counter[str]:
        return Counter(work.reason for work in self.work if work.kind == kind)

    def __str__(self) -> str:
        return "".join(f"{work}\n" for work in self.work)
