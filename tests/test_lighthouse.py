"""Lighthouse on a phone: the home page, a project, a search with a query, a category and the archive of
the example board, served under its sub-path (/board/) with gzip and cache headers as docs/deploy.md
asks of a host, score at least 0.95 in performance, accessibility, best practices and SEO.

Lighthouse runs with its defaults (the mobile preset: a mid-range phone, its CPU and a slow 4G network
simulated), one page after another in one Debian Chromium (tests/lighthouse/audit.mjs). Performance is
a simulation fed by timings taken on this machine, so a busy CI machine can cost a page a few points:
a page under the bar is audited once more, and must pass then."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import warnings
from collections.abc import Iterator
from datetime import date

import pytest

from site_builder.build import build
from tests.browser import CHROMIUM
from tests.site_files import REPO
from tests.static_host import hosted

TODAY = date(2026, 11, 25)
LIGHTHOUSE = REPO / "node_modules/lighthouse/package.json"
AUDIT = REPO / "tests/lighthouse/audit.mjs"
PASS = 0.95
PAGES = ["", "projects/acme-crm-cleanup/", "search/?q=data", "categories/data/", "archive/"]


@pytest.fixture(scope="module")
def board_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not CHROMIUM.is_file() or shutil.which("node") is None:
        warnings.warn("Chromium or Node.js is missing: Lighthouse did not run (apt-get install -y chromium npm)")
        pytest.skip("SKIPPED LOUDLY: Lighthouse needs Chromium and Node.js")
    assert LIGHTHOUSE.is_file(), "Lighthouse is missing: `make test` installs it with `npm ci`"
    folder = tmp_path_factory.mktemp("hosted")
    with hosted(folder) as url:
        build(REPO, folder / "board", TODAY, base_url=url + "board/")
        yield url + "board/"


def audit(urls: list[str]) -> dict[str, dict]:
    result = subprocess.run(["node", str(AUDIT), *urls], capture_output=True, text=True, timeout=600,
                            env={**os.environ, "CHROME_PATH": str(CHROMIUM)})
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def below_the_bar(report: dict) -> bool:
    return any(score is None or score < PASS for score in report["scores"].values())


def test_lighthouse_scores_every_kind_of_page_at_least_095_on_a_phone(board_url: str):
    urls = [board_url + page for page in PAGES]
    reports = audit(urls)
    retried = [url for url in urls if below_the_bar(reports[url])]
    if retried:
        reports |= audit(retried)
    for url in urls:
        shown = ", ".join(f"{name} {score:.2f}" for name, score in reports[url]["scores"].items())
        print(f"Lighthouse mobile {url.removeprefix(board_url) or '(home)'}: {shown}{' (second run)' if url in retried else ''}")
    failing = {url: reports[url] for url in urls if below_the_bar(reports[url])}
    assert not failing, json.dumps(failing, indent=1)
