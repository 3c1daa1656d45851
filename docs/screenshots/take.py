"""Regenerate the README's screenshots of the example board with one command, from the repository root:

    make screenshots

(which installs Playwright into .venv with the test tools, then runs this file). It builds the example
board as of 2026-11-25 into a temporary folder, serves it on 127.0.0.1, and photographs it with
Debian's Chromium (/usr/bin/chromium) through Playwright (never run `playwright install`):
    home.png     the home page, 1280 px wide, top of the page
    project.png  an open, closing-soon project page, 1280 px wide
    phone.png    the same project page on a 360 px phone, at 2x pixel density
    new-board.png  the home page of a board just made with `board init` (its example brief posted that day)
If `pngquant` is installed (apt-get install pngquant), the PNGs are shrunk with it.
The shots use the light theme and whatever sans-serif fonts the machine has.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import subprocess
import tempfile
import threading
from datetime import date
from pathlib import Path

try:
    from playwright.sync_api import sync_playwright
except ImportError:
    raise SystemExit("Playwright is not installed in this Python: run `make screenshots`, which installs it into .venv")

from site_builder.build import build
from site_builder.starter import init_board

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent

EXAMPLE_DATE = date(2026, 11, 25)
PROJECT = "projects/northwind-patient-survey-synthesis/"
SHOTS = (  # file, path, viewport width, height, pixel density
    ("home.png", "", 1280, 1000, 1),
    ("project.png", PROJECT, 1280, 1000, 1),
    ("phone.png", PROJECT, 360, 780, 2),
)
NEW_BOARD_SHOTS = (("new-board.png", "", 1280, 800, 1),)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def serve(folder: Path) -> http.server.ThreadingHTTPServer:
    """Serve a folder on a free port of 127.0.0.1 from a background thread."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base class's name)
        pass


def photograph(browser, board: Path, output: Path, shots: tuple[tuple[str, str, int, int, int], ...]) -> None:
    """Build `board` as of the example date into `output`, serve it, and take `shots` of it."""
    # Bind first, build for that address: every link and asset then points at the server.
    server = serve(output)
    base_url = f"http://127.0.0.1:{server.server_address[1]}/"
    build(board, output, EXAMPLE_DATE, base_url=base_url, use_cache=False)
    for name, path, width, height, density in shots:
        page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=density, color_scheme="light")
        page.goto(base_url + path)
        page.screenshot(path=HERE / name, animations="disabled", caret="hide")
        page.close()
    server.shutdown()


def main() -> int:
    with tempfile.TemporaryDirectory() as temp:
        new_board = Path(temp) / "myboard"
        init_board(new_board, today=EXAMPLE_DATE)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            photograph(browser, REPO, Path(temp) / "example", SHOTS)
            photograph(browser, new_board, Path(temp) / "new-board", NEW_BOARD_SHOTS)
            browser.close()
    for name, *_ in SHOTS + NEW_BOARD_SHOTS:
        if shutil.which("pngquant"):
            subprocess.run(["pngquant", "--force", "--skip-if-larger", "--strip", "--quality", "70-90",
                            "--output", str(HERE / name), str(HERE / name)], check=False)
        print(f"{HERE.relative_to(REPO) / name}: {(HERE / name).stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
