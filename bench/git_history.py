"""What a board's git history costs its builds: the generated board committed one brief per commit, each
dated at noon of the day it was posted (git fast-import, in seconds), then built from there. A board's
history read whole costs the history squared (history.py); a rebuild must read only the commits since.

    from git_history import measure_git_board   # bench.py, at 10,000 briefs
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from datetime import date, datetime, time, timezone
from pathlib import Path
from typing import Any

READ_HISTORY = "import sys; from pathlib import Path; from site_builder.history import last_commit_times; last_commit_times(Path(sys.argv[1]))"


def commit_each_brief(board: Path) -> None:
    """Make `board` a git repository whose history adds its briefs one per commit, in the order they were
    posted, and its other files in a first commit."""
    briefs = sorted((board / "content" / "projects").glob("*.md"), key=lambda brief: (_posted(brief), brief.name))
    subprocess.run(["git", "init", "--quiet", "--initial-branch=main", str(board)], check=True)
    importer = subprocess.Popen(["git", "-C", str(board), "fast-import", "--quiet"], stdin=subprocess.PIPE)
    assert importer.stdin
    others = [path for path in sorted(board.rglob("*")) if path.is_file() and ".git" not in path.parts and ".cache" not in path.parts
              and path.parent != board / "content" / "projects"]
    first = int(datetime.combine(_posted(briefs[0]), time(6), timezone.utc).timestamp())
    commits = [(first, "the board", others)] + [(int(datetime.combine(_posted(brief), time(12), timezone.utc).timestamp()),
                                                 f"Post {brief.stem}", [brief]) for brief in briefs]
    for when, message, files in commits:
        importer.stdin.write(f"commit refs/heads/main\ncommitter Board <board@example.org> {when} +0000\n"
                             f"data {len(message.encode())}\n{message}\n".encode())
        for path in files:
            data = path.read_bytes()
            importer.stdin.write(f"M 100644 inline {path.relative_to(board).as_posix()}\ndata {len(data)}\n".encode() + data + b"\n")
    importer.stdin.close()
    if importer.wait():
        raise SystemExit("git fast-import failed")
    subprocess.run(["git", "-C", str(board), "reset", "--quiet", "--hard", "main"], check=True)


def measure_git_board(board: Path, work: Path, runs: int, run: Callable[[list[str]], Any],
                      build: Callable[[Path, Path], list[str]], touch: Callable[[Path, int], Path]) -> dict[str, list[Any]]:
    """The whole history read; then, the board built once, no-op rebuilds and rebuilds after one brief was
    edited and committed (`--no-search`: search costs the same in or out of git)."""
    copy = work / f"{board.name}-git"
    shutil.copytree(board, copy, ignore=shutil.ignore_patterns(".cache"))
    commit_each_brief(copy)
    output = work / f"{copy.name}-public"
    command = [*build(copy, output), "--no-search"]
    samples: dict[str, list[Any]] = {"history": [], "no-op git": [], "one brief git": []}
    for _ in range(runs):
        samples["history"].append(run([sys.executable, "-c", READ_HISTORY, str(copy)]))
    run(command)
    for number in range(runs):
        samples["no-op git"].append(run(command))
        brief = touch(copy, 500 + number)
        subprocess.run(["git", "-C", str(copy), "-c", "user.name=Employer", "-c", "user.email=employer@example.org",
                        "commit", "--quiet", "-m", f"Edit {brief.stem}", "--", str(brief)], check=True)
        samples["one brief git"].append(run(command))
    shutil.rmtree(copy, ignore_errors=True)
    shutil.rmtree(output, ignore_errors=True)
    return samples


def _posted(brief: Path) -> date:
    return datetime.strptime(brief.read_text().split("\nposted: ", 1)[1][:10], "%Y-%m-%d").date()
