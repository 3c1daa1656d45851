"""Tiny boards in real git repositories, with commits made as different GitHub users (for ownership tests)."""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

SITE_TOML = """\
title = "Test board"
description = "A board for tests."
base_url = "https://example.org/board/"

[policy]
min_hourly_rate = {{ USD = 20 }}

[board]
maintainers = {board_maintainers}

[categories.data]
title = "Data"
description = "Spreadsheets."
"""


def brief_text(maintainers: list[str], title: str = "Clean up our customer records", company: str = "Acme Analytics") -> str:
    """A valid brief whose maintainers are `maintainers`, written the way an employer writes one."""
    handles = ", ".join(maintainers)
    return textwrap.dedent(f"""\
        ---
        title: {title}
        company:
          name: {company}
        category: data
        skills: [Excel]
        hours: 20
        compensation:
          amount: 600
          currency: USD
          type: fixed
        remote: true
        countries: ["US"]
        posted: 2026-11-20
        deadline: 2026-12-15
        apply: https://acme.example/jobs/123
        maintainers: [{handles}]
        ---
        One cleaned spreadsheet, ready for import.
        """)


def git(root: Path, *args: str, user: str = "board-admin") -> str:
    """Run git in `root` as GitHub user `user`; return its output, failing the test if git fails."""
    identity = ["-c", f"user.name={user}", "-c", f"user.email={user}@users.noreply.github.com"]
    done = subprocess.run(["git", "-C", str(root), *identity, *args], capture_output=True, text=True)
    assert done.returncode == 0, f"git {' '.join(args)} failed: {done.stderr}"
    return done.stdout.strip()


def commit_all(root: Path, message: str, user: str) -> str:
    """Commit every change in `root` as `user`; return the new commit's id."""
    git(root, "add", "-A", user=user)
    git(root, "commit", "--quiet", "-m", message, user=user)
    return git(root, "rev-parse", "HEAD")


def make_board(root: Path, briefs: dict[str, list[str]], board_maintainers: tuple[str, ...] = ("board-admin",)) -> str:
    """A git repository whose main branch holds a board with `briefs` (slug -> maintainers), committed by
    the board's first maintainer; returns main's commit id, with a branch `pull-request` checked out."""
    root.mkdir(parents=True, exist_ok=True)
    handles = "[" + ", ".join(f'"{h}"' for h in board_maintainers) + "]"
    (root / "site.toml").write_text(SITE_TOML.format(board_maintainers=handles), encoding="utf-8")
    (root / "content/projects").mkdir(parents=True)
    (root / "static/logos").mkdir(parents=True)
    (root / "static/logos/acme.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>", encoding="utf-8")
    for slug, maintainers in briefs.items():
        write_brief(root, slug, maintainers)
    git(root, "init", "--quiet", "--initial-branch=main")
    base = commit_all(root, "Start the board", user=board_maintainers[0] if board_maintainers else "founder")
    git(root, "checkout", "--quiet", "-b", "pull-request")
    return base


def write_brief(root: Path, slug: str, maintainers: list[str], title: str = "Clean up our customer records",
                company: str | None = None) -> Path:
    """A brief of the company its slug starts with (acme-crm-cleanup: Acme Analytics), unless `company` says otherwise."""
    path = root / "content/projects" / f"{slug}.md"
    path.write_text(brief_text(maintainers, title, company or f"{slug.split('-')[0].title()} Analytics"), encoding="utf-8")
    return path
