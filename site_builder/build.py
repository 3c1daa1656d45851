"""The pipeline, top to bottom. `check` is the same chain as `build`, minus rendering and writing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .config import SiteConfig, load_config
from .content import Brief, load_briefs
from .errors import BoardError
from .model import Status, status_of


@dataclass(frozen=True)
class CheckResult:
    config: SiteConfig
    briefs: list[Brief]
    open_count: int


def check_board(root: Path, today: date, files: list[Path] | None = None) -> CheckResult:
    """Validate config and briefs (all, or only `files`); raise BoardError with every problem."""
    config = load_config(root)
    briefs, problems = load_briefs(root, config, files)
    if problems:
        raise BoardError(problems)
    open_count = sum(status_of(brief, today) is Status.OPEN for brief in briefs)
    return CheckResult(config, briefs, open_count)
