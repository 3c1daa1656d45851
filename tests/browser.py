"""Debian's Chromium for the browser tests, driven by Playwright (never `playwright install`: it cannot
download here); a test module that needs it is skipped loudly where it is missing."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@contextmanager
def chromium(tests: str) -> Iterator[Browser]:
    """Chromium for `tests` ("the theme's browser tests"), or a loud skip with a warning when it is missing."""
    if not CHROMIUM.is_file():
        warnings.warn(f"Chromium is missing: {tests} did not run (apt-get install -y chromium)")
        pytest.skip(f"SKIPPED LOUDLY: no {CHROMIUM} to run {tests}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
