"""The golden board's output, byte for byte: any change to what the build writes shows here first.

A deliberate change (a layout, a feed, the wording): run `make golden` and commit the new output with it.
"""

from __future__ import annotations

from pathlib import Path

from tests.golden import EXPECTED, build_golden
from tests.site_files import tree


def test_golden_board_builds_byte_for_byte_as_checked_in(tmp_path: Path) -> None:
    build_golden(tmp_path / "public", tmp_path)
    built, expected = tree(tmp_path / "public"), tree(EXPECTED)
    assert sorted(built) == sorted(expected), "files added or removed since tests/golden/output/; run `make golden` if deliberate"
    changed = [path for path in sorted(built) if built[path] != expected[path]]
    assert not changed, f"{len(changed)} files differ from tests/golden/output/, first {changed[:5]}; run `make golden` if deliberate"
