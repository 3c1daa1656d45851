"""The golden board: a small fixed board (tests/golden/board/: one open, one closing-soon, one closed and one
scheduled project, one content page) built with the repository's theme, and its output checked in at
tests/golden/output/ (no search bundle: Pagefind names its files differently on every run).

`make golden` rebuilds the checked-in output after a deliberate change; review its diff like code.
tests/test_golden.py fails when any byte of the output changes.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import date
from pathlib import Path

from site_builder.build import build

REPO = Path(__file__).resolve().parent.parent
GOLDEN = REPO / "tests" / "golden"
SOURCES = GOLDEN / "board"
EXPECTED = GOLDEN / "output"
DATE = date(2026, 11, 25)
THEME = ("layouts", "static", "translations")  # the repository's theme, which the golden board wears


def build_golden(output: Path, scratch: Path) -> None:
    """Build the golden board into `output` from a copy in `scratch`, outside git, so no commit date enters it."""
    board = scratch / "golden-board"
    shutil.copytree(SOURCES, board)
    for name in THEME:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, board / name)
    build(board, output, DATE, search=False, use_cache=False, jobs=1)


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as scratch:
        build_golden(EXPECTED, Path(scratch))
    print(f"wrote {EXPECTED.relative_to(REPO)}/: review `git diff --stat {EXPECTED.relative_to(REPO)}` before committing")
