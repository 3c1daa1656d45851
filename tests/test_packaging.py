"""What the repository ships: no build artifact is ever committed."""

from __future__ import annotations

import subprocess

from tests.site_files import REPO

ARTIFACTS = (".whl", ".tar.gz")


def test_no_wheel_or_source_archive_is_tracked():
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout.decode().split("\0")
    assert [path for path in tracked if path.endswith(ARTIFACTS)] == []
