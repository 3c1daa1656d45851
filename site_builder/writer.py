"""Writer stage: the only code that writes the board to disk, and it swaps the whole board in at once.

A build is written into a fresh folder beside the target and renamed into place only when everything,
search index included, succeeded; a failed build leaves the previous output as it was.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import BoardError, Problem
from .model import OutputFile


def _refuse_unsafe_target(target: Path, root: Path) -> None:
    """Never let a typo in --output replace the board's sources with a built site."""
    if target == root or root.is_relative_to(target) or (target / "site.toml").exists() or (target / ".git").exists():
        raise BoardError([Problem(str(target), 1, "refusing to build into this folder: it holds the board's sources; "
                                                  "choose an output folder such as public/")])


def write_files(folder: Path, outputs: list[OutputFile]) -> None:
    for output in outputs:
        path = folder / output.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(output.data)


@contextmanager
def staged_output(target: Path, root: Path) -> Iterator[Path]:
    """Yield an empty folder beside `target`; on success it replaces `target`, on failure it vanishes."""
    target, root = target.resolve(), root.resolve()
    _refuse_unsafe_target(target, root)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    os.chmod(staging, 0o755)
    retired = None
    if target.exists():
        retired = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
        os.rename(target, retired / target.name)
    os.rename(staging, target)
    if retired:
        shutil.rmtree(retired, ignore_errors=True)
