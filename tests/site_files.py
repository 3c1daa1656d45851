"""Reading a built board back: its files, its HTML links, and copies of the example board to build."""

from __future__ import annotations

import gzip
import json
import shutil
from collections.abc import Mapping
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_DATE = "2026-11-25"


def copy_example_board(destination: Path) -> Path:
    """A private copy of the example board's sources, safe for a test to edit."""
    for name in ("content", "layouts", "static"):
        shutil.copytree(REPO / name, destination / name)
    shutil.copy(REPO / "site.toml", destination / "site.toml")
    return destination


def tree(folder: Path, skip: tuple[str, ...] = ("pagefind/",)) -> dict[str, bytes]:
    """Every file of a built board as relative path -> bytes, Pagefind's bundle left out."""
    return {
        rel: path.read_bytes()
        for path in sorted(folder.rglob("*")) if path.is_file()
        if not (rel := path.relative_to(folder).as_posix()).startswith(skip)
    }


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.data: list[tuple[str, str]] = []
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        self._open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._open:
            while self._open and self._open.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        self.data.append((self._open[-1] if self._open else "", data))


def parse_html(text: str) -> _Elements:
    parser = _Elements()
    parser.feed(text)
    parser.close()
    return parser


LINK_ATTRIBUTES = {"a": "href", "link": "href", "img": "src", "script": "src", "form": "action", "source": "src"}


def internal_links(html: str, base_url: str) -> list[str]:
    """Every URL a page points at on the board itself, as a path under the base URL."""
    base = urlsplit(base_url)
    found = []
    for tag, attrs in parse_html(html).elements:
        value = attrs.get(LINK_ATTRIBUTES.get(tag, ""))
        if not value:
            continue
        url = urlsplit(value)
        if url.scheme in ("mailto", "tel", "data") or not (url.scheme or url.netloc or url.path):
            continue  # not a page, or a link within the same page
        if url.scheme and (url.scheme, url.netloc) != (base.scheme, base.netloc):
            continue
        found.append(unquote(url.path))
    return found


def resolve(path: str, base_path: str, site: Path) -> Path | None:
    """The file a server would send for a URL path on the board, or None if it is outside the board."""
    if not path.startswith(base_path):
        return None
    relative = path[len(base_path):]
    target = site / relative
    return target / "index.html" if relative == "" or relative.endswith("/") else target


PAGEFIND_SIGNATURE = b"pagefind_dcd"  # how every compressed bundle file begins once unzipped (Pagefind's JS checks it)


def broken_bundle_files(bundle: Mapping[str, bytes], merged: bool = False) -> list[str]:
    """What a browser could not load whole in a Pagefind bundle (file name -> bytes): an empty file,
    an entry that is not JSON, a compressed file cut short, or a file the entry names that is missing
    (but the WebAssembly of a `merged` one, an archive month's, which runs on the open bundle's)."""
    broken = [f"{name}: empty" for name, data in sorted(bundle.items()) if not data]
    for name, data in sorted(bundle.items()):
        if data and (name.startswith("wasm.") or ".pf_" in name):
            try:
                if not gzip.decompress(data).startswith(PAGEFIND_SIGNATURE):
                    broken.append(f"{name}: no Pagefind signature")
            except (EOFError, OSError) as error:
                broken.append(f"{name}: {error}")
    try:
        languages = json.loads(bundle.get("pagefind-entry.json", b"")).get("languages", {})
    except ValueError as error:
        return [*broken, f"pagefind-entry.json: {error}"]
    named = [name for language in languages.values()
             for name in (f"pagefind.{language['hash']}.pf_meta", *[f"wasm.{language.get('wasm') or 'unknown'}.pagefind"] * (not merged))]
    return broken + [f"{name}: named by pagefind-entry.json, missing" for name in named if name not in bundle]
