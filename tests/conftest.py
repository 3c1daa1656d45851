"""Shared fixtures: tiny boards built in tmp_path from strings, the way an employer would write them."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from site_builder.build import BuildResult, build
from site_builder.config import load_config
from site_builder.content import read_brief
from site_builder.errors import Problem
from tests.site_files import EXAMPLE_DATE, REPO

SITE_TOML = """\
title = "Test Board"
description = "Short, paid projects."
base_url = "https://example.org/board/"
language = "en"
timezone = "UTC"
per_page = 20

[policy]
min_hourly_rate = { USD = 20, EUR = 18, GBP = 16 }

[categories.research]
title = "Research"
description = "Market, product and user research."

[categories.data]
title = "Data"
description = "Cleaning and analysing data."

[categories.writing]
title = "Writing"
description = "Articles and documentation."

[categories.software]
title = "Software"
description = "Small pieces of code."

[categories.design]
title = "Design"
description = "Visual and interface design."

[categories.marketing]
title = "Marketing"
description = "Campaigns and outreach."
"""

# A valid brief, one field per line. The line each field is written on in `brief_text()`'s output,
# as long as no override spans more or fewer lines than the default (company and compensation span 3).
BRIEF_FIELDS = {
    "title": "Clean up our customer records",
    "company": "\n  name: Acme Analytics\n  url: https://acme.example",
    "category": "data",
    "skills": "[Excel, SQL, Data cleaning]",
    "hours": "20",
    "compensation": "\n  amount: 600\n  currency: USD\n  type: fixed",
    "remote": "true",
    "countries": '["US", "CA"]',
    "posted": "2026-11-20",
    "deadline": "2026-12-15",
    "apply": "https://acme.example/jobs/123",
    "maintainers": "[dana-acme]",
}
LINE = {
    "title": 2, "company": 3, "company.name": 4, "company.url": 5, "category": 6, "skills": 7, "hours": 8,
    "compensation": 9, "compensation.amount": 10, "compensation.currency": 11, "compensation.type": 12,
    "remote": 13, "countries": 14, "posted": 15, "deadline": 16, "apply": 17, "maintainers": 18,
    "end": 19,  # the closing ---; a field added by an override goes here
}
BODY = "## Context\n\nWe move to a new CRM in January and need 4,800 records cleaned first.\n"
BODY_LINE = 21


def brief_text(body: str = BODY, **fields: str | None) -> str:
    """A brief's text: the valid defaults, a field replaced by its raw YAML, removed by None, or added."""
    values = {**BRIEF_FIELDS, **fields}
    lines = ["---"]
    for name, value in values.items():
        if value is not None:
            lines.append(f"{name}:{value}" if value.startswith("\n") or value == "" else f"{name}: {value}")
    lines += ["---", "", body]
    return "\n".join(lines)


class Board:
    """A board folder in tmp_path with the six spec categories; write briefs into it and check them."""

    def __init__(self, root: Path):
        self.root = root
        (root / "site.toml").write_text(SITE_TOML, encoding="utf-8")
        (root / "content" / "projects").mkdir(parents=True)
        (root / "static" / "logos").mkdir(parents=True)
        (root / "static" / "logos" / "acme.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")

    @property
    def config(self):
        return load_config(self.root)

    def write(self, name: str, content: str | bytes) -> Path:
        """Write a file under content/projects/ as is (text is written as UTF-8 with \\n kept)."""
        path = self.root / "content" / "projects" / name
        if isinstance(content, str):
            content = content.encode("utf-8")
        path.write_bytes(content)
        return path

    def brief(self, slug: str = "acme-crm-cleanup", body: str = BODY, **fields: str | None) -> Path:
        return self.write(f"{slug}.md", brief_text(body, **fields))

    def read(self, path: Path) -> tuple[object, list[str]]:
        """read_brief on one file: (the Brief or None, its problems as `path:line: message`)."""
        problems: list[Problem] = []
        brief = read_brief(path, self.root, self.config, problems)
        return brief, [str(p) for p in sorted(problems)]

    def errors(self, slug: str = "acme-crm-cleanup", body: str = BODY, **fields: str | None) -> list[str]:
        """Write a brief with these overrides and return its problems, by line, as `path:line: message`."""
        brief, problems = self.read(self.brief(slug, body, **fields))
        assert (brief is None) == bool(problems), "a brief is returned exactly when it has no problems"
        return problems


@pytest.fixture
def board(tmp_path: Path) -> Board:
    return Board(tmp_path)


@pytest.fixture
def site_board(board: Board) -> Board:
    """The tiny board to build: with no layouts/ of its own and only its logo in static/, it builds
    with the packaged theme."""
    return board


@pytest.fixture(scope="session")
def example_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildResult]:
    """The example board built once, as of the Makefile's date: (output folder, result)."""
    output = tmp_path_factory.mktemp("example") / "public"
    return output, build(REPO, output, date.fromisoformat(EXAMPLE_DATE))
