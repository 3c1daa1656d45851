"""Every page of the example board is valid HTML by the W3C Nu HTML Checker (npm `vnu-jar`, run with Java)."""

from __future__ import annotations

import json
import shutil
import subprocess
import warnings
from datetime import date

import pytest

from site_builder.build import build
from tests.site_files import REPO

VNU_JAR = REPO / "node_modules/vnu-jar/build/dist/vnu.jar"


def test_every_page_of_the_example_board_is_valid_html(tmp_path):
    if shutil.which("java") is None:
        warnings.warn("Java is missing: the W3C HTML checker did not run (apt-get install -y default-jre-headless)")
        pytest.skip("SKIPPED LOUDLY: no Java to run the W3C Nu HTML Checker")
    assert VNU_JAR.is_file(), "the W3C checker is missing: `make test` installs it with `npm ci`"
    output = tmp_path / "public"
    build(REPO, output, date(2026, 11, 25))
    pages = sorted(str(p) for p in output.rglob("*.html"))
    assert len(pages) > 80
    result = subprocess.run(["java", "-Xss4m", "-jar", str(VNU_JAR), "--format", "json", "--errors-only", *pages],
                            capture_output=True, text=True, timeout=300)
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    errors = [f"{m['url'].split(str(output))[-1]}:{m.get('lastLine', '?')}: {m['message']}" for m in messages
              if m.get("type") in ("error", "non-document-error")]
    assert errors == []
