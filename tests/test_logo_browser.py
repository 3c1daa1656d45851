"""A logo from a pull request, opened in real Chromium from the board's own origin, runs no script.

The board publishes static/logos/ on its own origin (a university's, for a board under its sub-path), so a
scripted SVG that reached it unchanged would run there as soon as someone opened its address, from a link
in a brief's body for one. The control case serves the same file as it was written and sees its script run,
so the harness is known to catch one.
"""

from __future__ import annotations

import functools
import shutil
import threading
from collections.abc import Iterator
from datetime import date
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from site_builder.build import build
from tests.browser import chromium
from tests.site_files import copy_example_board

TODAY = date(2026, 11, 25)
# An SVG that runs script four ways when opened as a document, and marks the page when it does.
SCRIPTED_SVG = """<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="64" height="64"
 onload="alert('onload'); document.documentElement.setAttribute('data-owned', 'onload')">
<script>console.log('script ran'); document.documentElement.setAttribute('data-owned', 'script')</script>
<rect width="64" height="64" fill="#123456"/>
<image href="x" onerror="alert('onerror')"/>
<set attributeName="onmouseover" to="alert('set')"/>
<a xlink:href="javascript:alert('link')"><circle cx="32" cy="32" r="30" fill="#fff"/></a>
</svg>
"""
LINK_IN_BODY = "\n\nSee [our logo](/board/static/logos/evil.svg) and ![it again](/board/static/logos/evil.svg).\n"


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The example board with the scripted logo on a brief that links it, built and served under /board/;
    the same SVG as written is served at /raw/evil.svg for the control case."""
    folder = tmp_path_factory.mktemp("www")
    board = copy_example_board(tmp_path_factory.mktemp("logo") / "board")
    (board / "static/logos/evil.svg").write_text(SCRIPTED_SVG)
    brief = board / "content/projects/acme-crm-cleanup.md"
    brief.write_text(brief.read_text().replace("logo: acme.svg", "logo: evil.svg").replace("Acme Analytics", "Mallory Widgets")
                     + LINK_IN_BODY)
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(folder)))
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    build(board, folder / "board", TODAY, base_url=url + "board/", search=False)
    (folder / "raw").mkdir()
    shutil.copy(board / "static/logos/evil.svg", folder / "raw/evil.svg")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield url
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium("the logo's browser test") as browser:
        yield browser


def watched_page(browser: Browser) -> tuple[Page, list[str]]:
    """A new page, and the list of what script does there: dialogs, console lines, uncaught errors. (The
    browser's own note of a missing file, such as /favicon.ico, is no script's doing.)"""
    page = browser.new_page()
    ran: list[str] = []
    page.on("dialog", lambda dialog: (ran.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    page.on("console", lambda message: None if message.text.startswith("Failed to load resource")
            else ran.append(f"console: {message.text}"))
    page.on("pageerror", lambda error: ran.append(f"error: {error}"))
    return page, ran


def visit(browser: Browser, url: str) -> tuple[list[str], str | None]:
    """Open `url`, hover and click the drawing; return what ran and the mark a script leaves."""
    page, ran = watched_page(browser)
    assert page.goto(url).status == 200
    page.mouse.move(32, 32)
    page.mouse.click(32, 32)
    page.wait_for_timeout(300)
    mark = page.evaluate("document.documentElement.getAttribute('data-owned')")
    page.close()
    return ran, mark


def test_the_harness_sees_the_unsanitized_logo_run_its_script(browser, origin):
    ran, mark = visit(browser, origin + "raw/evil.svg")
    assert "dialog: onload" in ran and "console: script ran" in ran and mark is not None


def test_the_published_logo_runs_no_script_when_opened_on_the_boards_origin(browser, origin):
    ran, mark = visit(browser, origin + "board/static/logos/evil.svg")
    assert (ran, mark) == ([], None)


def test_the_project_page_showing_and_linking_the_logo_runs_no_script(browser, origin):
    page, ran = watched_page(browser)
    page.goto(origin + "board/projects/acme-crm-cleanup/")
    assert page.locator("img.logo[src*='logos/evil.svg']").count() == 1
    page.get_by_role("link", name="our logo").click()  # the brief's own link to it, followed as a student would
    page.wait_for_url("**/static/logos/evil.svg")
    page.wait_for_timeout(300)
    assert ran == [] and page.evaluate("document.documentElement.getAttribute('data-owned')") is None
    page.close()
