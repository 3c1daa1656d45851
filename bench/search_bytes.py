"""What the search page of a built board downloads on its first search, in Debian's Chromium: the page
loads (the default browse of open projects), then a query is typed and its results shown. Every
response counts, the page's and Pagefind's web worker's, by the bytes on the wire (body as sent, gzip
where the host compresses, plus headers), served the way docs/deploy.md asks (tests/static_host.py).

`one_bundle_copy` makes the same board with the whole index in one bundle, as before the index came in
parts, so that both are measured in one run.

    python bench/search_bytes.py OUTPUT [--base-path /board/] [--query python]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from site_builder.build import build  # noqa: E402 (after the path set-up, to run from a checkout)
from site_builder.outputs import OutputFile  # noqa: E402
from site_builder.search import index_search  # noqa: E402
from site_builder.search_parts import BUNDLE_DIR, OPEN_BUNDLE, PARTS_FILE  # noqa: E402
from site_builder.writer import write_files  # noqa: E402
from tests.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.static_host import hosted  # noqa: E402


@dataclass(frozen=True)
class Downloaded:
    total: int  # bytes of every response
    search: int  # of those, the search index's and Pagefind's own (under pagefind/)
    requests: int


def first_search_bytes(output: Path, base_path: str, query: str) -> Downloaded:
    """Bytes the search page of the board built in `output` (for `base_path`) downloads until the results
    of its first query are shown, in a fresh browser (nothing cached)."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="search-bytes-") as root:
        mount = Path(root) / base_path.strip("/")
        mount.parent.mkdir(parents=True, exist_ok=True)
        mount.symlink_to(output.resolve())
        with hosted(Path(root)) as url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_context().new_page()
            sizes: list[tuple[str, int]] = []
            page.on("requestfinished", lambda request: sizes.append((request.url, _wire_bytes(request))))
            page.goto(url.rstrip("/") + base_path + "search/")
            page.wait_for_selector("#search-results:not([aria-busy])", timeout=120_000)
            page.fill("#search-q", query)
            page.press("#search-q", "Enter")
            page.locator("#search-summary", has_text=query).wait_for(timeout=120_000)
            page.wait_for_selector("#search-results:not([aria-busy])", timeout=120_000)
            page.wait_for_load_state("networkidle")
            browser.close()
    return Downloaded(sum(size for _, size in sizes), sum(size for url, size in sizes if f"/{BUNDLE_DIR}/" in url), len(sizes))


def _wire_bytes(request) -> int:  # noqa: ANN001 (a Playwright Request)
    sizes = request.sizes()
    return sizes["responseBodySize"] + sizes["responseHeadersSize"]


def one_bundle_copy(board: Path, output: Path, now: date) -> Path:
    """The board of `output` built again beside it, with every project in the open bundle: the index as
    one bundle, as the build made it before it came in parts."""
    folder = output.parent / f"{output.name}-one-bundle"
    site = build(board, folder, now, search=False).site
    files = index_search(site, {OPEN_BUNDLE: site.projects}, lambda path: (folder / path).read_bytes())
    write_files(folder, [*files, OutputFile(f"{BUNDLE_DIR}/{PARTS_FILE}", b'{"archive":{}}')])
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("output", type=Path, help="a board built with search")
    parser.add_argument("--base-path", default="/board/")
    parser.add_argument("--query", default="python")
    args = parser.parse_args()
    print(first_search_bytes(args.output, args.base_path, args.query))


if __name__ == "__main__":
    main()
