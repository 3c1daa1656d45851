"""`board serve`: a real server on a free port over a copy of the example board, edited the way an editor saves."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest

from site_builder.build import build, check_board
from site_builder.cli import main
from site_builder.devhttp import Snapshot, content_type, placeholder_page
from site_builder.devsearch import merge_search_bundle
from site_builder.devserver import DevServer, local_base_url
from site_builder.devwatch import ChangeKind, classify
from site_builder.errors import BoardError
from site_builder.search_parts import OPEN_BUNDLE, PARTS_FILE, bundle_at
from site_builder.statics import publish_logo
from tests.site_files import EXAMPLE_DATE, broken_bundle_files, copy_example_board, tree

NOW = date.fromisoformat(EXAMPLE_DATE)
BRIEF = "content/projects/acme-crm-cleanup.md"
PAGE = "/board/projects/acme-crm-cleanup/"
TITLE = "Clean up our customer records before the CRM migration"


@pytest.fixture
def board(tmp_path: Path) -> Path:
    """A copy of the example board's sources, for a test to edit."""
    return copy_example_board(tmp_path / "board")


def settle(server: DevServer) -> Snapshot:
    """The server's state once the search index has caught up with the pages: no work left in hand."""
    snapshot = server.status.current
    while snapshot.search_changed < snapshot.pages_changed and not snapshot.problems:
        snapshot = server.status.wait_after(snapshot.build, timeout=60)
        assert snapshot is not None, "the search index did not catch up with the pages"
    return snapshot


@pytest.fixture
def server(board: Path):
    with DevServer(board, port=0, now=NOW, log=print) as running:
        settle(running)
        yield running


SERVED_TYPES = {"wasm.wasm", "fragment.pf_fragment"}  # kinds of file the example board does not build


@pytest.fixture(scope="module")
def unedited(tmp_path_factory: pytest.TempPathFactory):
    """One server for the tests that only read: the example board plus a file of each type in static/data/."""
    root = copy_example_board(tmp_path_factory.mktemp("unedited") / "board")
    (root / "static" / "data").mkdir()
    for name in SERVED_TYPES:
        (root / "static" / "data" / name).write_bytes(b"x")
    with DevServer(root, port=0, now=NOW, log=print) as running:
        settle(running)
        yield running


class Response:
    def __init__(self, status: int, headers: http.client.HTTPMessage, body: bytes):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self) -> str:
        return self.body.decode()


def fetch(server: DevServer, path: str, method: str = "GET", host: str | None = None) -> Response:
    """Request `path` exactly as written: no client-side normalising of `..` or percent escapes; `host`, if
    given, is sent as the Host header instead of the address connected to."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        connection.request(method, path, headers={"Host": host} if host is not None else {})
        response = connection.getresponse()
        return Response(response.status, response.headers, response.read())
    finally:
        connection.close()


def served_bundle(server: DevServer) -> dict[str, bytes]:
    """Every file of the live search bundle, as the server sends it."""
    live = server.status.search / "pagefind"
    names = sorted(path.relative_to(live).as_posix() for path in live.rglob("*") if path.is_file())
    return {name: fetch(server, f"{server.status.current.base_path}pagefind/{name}").body for name in names}


def poll(server: DevServer, path: str, until, deadline: float) -> Response:
    """Fetch `path` until `until(response)` holds; fail once `deadline` (time.monotonic) has passed."""
    while True:
        response = fetch(server, path)
        if until(response):
            return response
        if time.monotonic() > deadline:
            pytest.fail(f"{path} did not change in time; last served:\n{response.text[:2000]}")
        time.sleep(0.02)


class ElementText(HTMLParser):
    """The text inside the element with a given id, and whether that element exists at all."""

    def __init__(self, element_id: str):
        super().__init__()
        self.element_id, self.found, self.depth, self.parts = element_id, False, 0, []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth:
            self.depth += 1
        elif dict(attrs).get("id") == self.element_id:
            self.found, self.depth = True, 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.parts.append(data)


def element_text(page: str, element_id: str) -> str | None:
    parser = ElementText(element_id)
    parser.feed(page)
    return "".join(parser.parts) if parser.found else None


def overlay_lines(page: str) -> list[str] | None:
    """The `file:line: message` lines of the build-error overlay, or None when the page has none."""
    text = element_text(page, "board-build-problems")
    return None if text is None else text.splitlines()


def edit(root: Path, relative: str, old: str, new: str) -> None:
    path = root / relative
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_edited_brief_is_served_within_a_second_of_the_rebuild_it_triggers(server: DevServer, board: Path) -> None:
    """The wait is for the rebuild, then at most a second for the page; save-to-served time is `make bench`'s."""
    assert TITLE in fetch(server, PAGE).text
    before = server.status.current.build
    edit(board, BRIEF, f"title: {TITLE}", "title: Tidy our customer records before the CRM move")
    rebuilt = server.status.wait_after(before, timeout=30)
    assert rebuilt is not None and not rebuilt.problems
    page = poll(server, PAGE, lambda r: "Tidy our customer records" in r.text, deadline=time.monotonic() + 1.0)
    assert page.status == 200 and TITLE not in page.text


def test_brief_edited_in_place_shows_its_page_first_then_the_whole_board(board: Path) -> None:
    lines: list[str] = []
    with DevServer(board, port=0, now=NOW, log=lines.append) as server:
        before = settle(server).build
        edit(board, BRIEF, "hours: 20", "hours: 23")
        preview = server.status.wait_after(before, timeout=30)
        assert preview is not None and preview.partial and not preview.problems
        assert "23 hours" in fetch(server, PAGE).text
        whole = server.status.wait_after(preview.build, timeout=30)
        assert whole is not None and not whole.partial
        assert "23 hours" in fetch(server, "/board/categories/data/").text  # the card on its category's listing
        assert any(line.startswith(f"previewed {BRIEF} in ") for line in lines)


@pytest.mark.parametrize(("old", "new"), [
    ("category: data", "category: marketing"),
    ("skills: [Excel, SQL, Data cleaning]", "skills: [Excel, SQL]"),
    ("name: Acme Analytics", "name: Acme Analytics Ltd"),
])
def test_brief_edit_that_moves_the_project_waits_for_the_whole_board(server: DevServer, board: Path, old: str, new: str) -> None:
    before = server.status.current.build
    edit(board, BRIEF, old, new)
    rebuilt = server.status.wait_after(before, timeout=30)
    assert rebuilt is not None and not rebuilt.partial and not rebuilt.problems


def test_deleted_brief_and_added_static_file_are_followed_after_the_rebuild(server: DevServer, board: Path) -> None:
    (board / BRIEF).unlink()
    logo = board / "static" / "logos" / "new.svg"
    logo.write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    served = poll(server, "/board/static/logos/new.svg", lambda r: r.status == 200, deadline=time.monotonic() + 30)
    assert served.body == publish_logo(logo)[0]  # the logo as published: sanitized
    poll(server, PAGE, lambda r: r.status == 404, deadline=time.monotonic() + 30)
    assert not server.status.current.problems


def test_new_brief_reaches_the_search_index_after_its_page_is_served(server: DevServer, board: Path) -> None:
    entry = "/board/pagefind/pagefind-entry.json"
    before = server.status.current
    count = json.loads(fetch(server, entry).body)["languages"]["en"]["page_count"]
    # Written beside it under a hidden name, then renamed into place: a loaded machine could otherwise
    # let the quiet period pass between the file's creation and its content.
    shutil.copy(board / BRIEF, board / "content" / "projects" / ".acme-crm-cleanup-again.md")
    os.replace(board / "content" / "projects" / ".acme-crm-cleanup-again.md", board / "content" / "projects" / "acme-crm-cleanup-again.md")
    pages = server.status.wait_after(before.build, timeout=30)
    assert pages.pages_changed == pages.build > pages.search_changed  # the page is served before the index has it
    assert fetch(server, "/board/projects/acme-crm-cleanup-again/").status == 200
    search = server.status.wait_after(pages.build, timeout=30)
    assert search.search_changed == search.build and search.pages_changed == pages.build
    assert json.loads(fetch(server, entry).body)["languages"]["en"]["page_count"] == count + 1
    assert fetch(server, "/board/pagefind/pagefind.js").headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert broken_bundle_files(served_bundle(server)) == []


def test_search_is_not_indexed_again_when_no_project_page_changed(server: DevServer, board: Path) -> None:
    before = settle(server).build
    indexed = len(server.search.report.names("index"))  # the first build's bundles
    assert indexed > 0
    edit(board, "layouts/listing.html", "<h1>{{ _('Paid micro-internships, open now') }}</h1>", "<h1>Paid projects, open now</h1>")
    assert server.status.wait_after(before, timeout=30) is not None
    after = settle(server)
    assert "Paid projects, open now" in fetch(server, "/board/").text
    assert len(server.search.report.names("index")) == indexed and after.search_changed > before  # told the pages, without Pagefind
    edit(board, BRIEF, "hours: 20", "hours: 22")
    assert server.status.wait_after(after.build, timeout=30, whole=True) is not None
    edited = settle(server)
    assert server.search.report.names("index")[indexed:] == [OPEN_BUNDLE]  # the open brief's bundle alone, as `board build` indexes
    old = next(brief for brief in check_board(board, NOW).briefs if (brief.deadline.year, brief.deadline.month) < (NOW.year, NOW.month))
    edit(board, old.source, "\n---\n", "\n---\n\nOne more line for the archive.\n")
    assert server.status.wait_after(edited.build, timeout=30, whole=True) is not None
    settle(server)
    assert server.search.report.names("index")[indexed + 1:] == [f"{old.deadline:%Y-%m}"]  # that month's alone
    served = served_bundle(server)
    months = json.loads(served[PARTS_FILE])["archive"]
    assert old.deadline.strftime("%Y-%m") in months and {bundle_at(f"pagefind/{name}") for name in served} == {OPEN_BUNDLE, *months}
    for part in ("", *(f"archive/{month}/" for month in months)):  # each bundle served whole, the ones kept as the ones made
        assert broken_bundle_files({name.removeprefix(part): data for name, data in served.items() if name.startswith(part)}, merged=part != "") == []


def test_the_first_serve_after_a_build_takes_every_search_bundle_the_build_made(board: Path, tmp_path: Path) -> None:
    """A bundle is kept in .cache/ by what Pagefind reads of its pages, and serve's pages differ from the build's
    only outside that (their host): so a serve after `board build` indexes nothing, and serves the build's bundles."""
    build(board, tmp_path / "public", NOW)
    with DevServer(board, port=0, now=NOW, log=print) as server:
        settle(server)
        assert server.search.report.names("index") == []
        served = served_bundle(server)
    assert served == {name.removeprefix("pagefind/"): data for name, data in tree(tmp_path / "public", skip=()).items()
                      if name.startswith("pagefind/")}
    for part in ("", *(f"archive/{month}/" for month in json.loads(served[PARTS_FILE])["archive"])):
        bundle = {name.removeprefix(part): data for name, data in served.items() if name.startswith(part)}
        assert broken_bundle_files(bundle, merged=part != "") == []


def test_broken_brief_shows_the_check_message_over_the_last_good_build_until_fixed(server: DevServer, board: Path) -> None:
    assert overlay_lines(fetch(server, PAGE).text) is None
    edit(board, BRIEF, "hours: 20", "hours: 100")
    with pytest.raises(BoardError) as caught:
        check_board(board, NOW)
    expected = [str(problem) for problem in caught.value.problems]
    assert expected == [f"{BRIEF}:9: hours must be a whole number from 5 to 40, got 100"]

    broken = poll(server, PAGE, lambda r: overlay_lines(r.text) is not None, deadline=time.monotonic() + 5)
    assert overlay_lines(broken.text) == expected
    assert broken.status == 200 and TITLE in broken.text  # the last good build, still served
    assert overlay_lines(fetch(server, "/board/").text) == expected  # on every page, not only the broken one

    edit(board, BRIEF, "hours: 100", "hours: 20")
    fixed = poll(server, PAGE, lambda r: overlay_lines(r.text) is None, deadline=time.monotonic() + 5)
    assert TITLE in fixed.text and "board-build-error" not in fixed.text


def test_overlay_shows_what_a_brief_wrote_as_text_never_as_markup(server: DevServer, board: Path) -> None:
    edit(board, BRIEF, "hours: 20", 'hours: 20\n"<script>alert(1)</script>": 1')
    page = poll(server, PAGE, lambda r: overlay_lines(r.text) is not None, deadline=time.monotonic() + 5)
    [line] = overlay_lines(page.text)
    assert line.startswith(f"{BRIEF}:10: ") and "<script>alert(1)</script>" in line
    assert "<script>alert" not in page.text


def test_template_error_shows_in_the_overlay_and_the_server_keeps_serving(server: DevServer, board: Path) -> None:
    edit(board, "layouts/project.html", "<h1>{{ brief.title }}</h1>", "<h1>{{ brief.titel }}</h1>")
    page = poll(server, PAGE, lambda r: overlay_lines(r.text) is not None, deadline=time.monotonic() + 5)
    [line] = overlay_lines(page.text)
    assert line.startswith("layouts/project.html:") and "titel" in line
    assert TITLE in page.text
    edit(board, "layouts/project.html", "{{ brief.titel }}", "{{ brief.title }}")
    poll(server, PAGE, lambda r: overlay_lines(r.text) is None, deadline=time.monotonic() + 5)


def test_runtime_error_in_a_layout_shows_in_the_overlay_as_board_build_prints_it(
        server: DevServer, board: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(board, "layouts/project.html", "{% block main %}", "{% block main %}\n{{ 1/0 }}")
    assert main(["--root", str(board), "build", "--output", str(tmp_path / "public"), "--now", EXAMPLE_DATE]) == 1
    printed = capsys.readouterr().err.splitlines()
    assert len(printed) == 1 and printed[0].startswith("layouts/project.html:") and "division by zero" in printed[0]
    page = poll(server, PAGE, lambda r: overlay_lines(r.text) is not None, deadline=time.monotonic() + 10)
    assert overlay_lines(page.text) == printed
    assert TITLE in page.text  # the last good build, still served
    edit(board, "layouts/project.html", "{% block main %}\n{{ 1/0 }}", "{% block main %}")
    poll(server, PAGE, lambda r: overlay_lines(r.text) is None, deadline=time.monotonic() + 10)


def test_board_that_fails_its_first_build_shows_the_overlay_then_the_board_once_fixed(board: Path) -> None:
    edit(board, BRIEF, "hours: 20", "hours: 100")
    with DevServer(board, port=0, now=NOW, log=print) as server:
        failed = fetch(server, PAGE)
        assert failed.status == 503
        assert overlay_lines(failed.text) == [f"{BRIEF}:9: hours must be a whole number from 5 to 40, got 100"]
        assert "/__board__/reload.js" in failed.text
        edit(board, BRIEF, "hours: 100", "hours: 20")
        fixed = poll(server, PAGE, lambda r: overlay_lines(r.text) is None, deadline=time.monotonic() + 5)
        assert fixed.status == 200 and TITLE in fixed.text


def test_pages_say_building_until_the_first_build_is_published_then_reload() -> None:
    page = placeholder_page(Snapshot(0, 0, 0, 0, "/board/")).decode()
    assert "<h1>Building the board…</h1>" in page
    assert '<script src="/__board__/reload.js?build=0" defer></script>' in page
    assert overlay_lines(page) is None


def test_search_bundle_keeps_the_previous_index_chunks_for_pages_that_loaded_it(tmp_path: Path) -> None:
    live, kept = tmp_path / "live", set()
    for generation in ("a", "b", "c"):
        new = tmp_path / generation
        (new / "fragment").mkdir(parents=True)
        (new / "pagefind-entry.json").write_text(generation)
        (new / "fragment" / f"{generation}.pf_fragment").write_text(generation)
        kept = merge_search_bundle(new, live, kept)
    assert sorted(path.relative_to(live).as_posix() for path in live.rglob("*") if path.is_file()) == [
        "fragment/b.pf_fragment", "fragment/c.pf_fragment", "pagefind-entry.json"]
    assert (live / "pagefind-entry.json").read_text() == "c"


@pytest.fixture(scope="module")
def secret_beside_the_site(unedited: DevServer) -> None:
    """A file next to the served folder, and a symlink in it that leads out to that file."""
    site = unedited.status.site
    (site.parent / "secret.txt").write_text("not for the browser")
    (site / "escape").symlink_to(site.parent, target_is_directory=True)


@pytest.mark.parametrize("path", [
    "/../secret.txt", "/%2e%2e/secret.txt", "/board/../secret.txt", "/board/%2e%2e/secret.txt",
    "/board/%2E%2E/secret.txt", "/board/static/..%2f..%2fsecret.txt", "/board/static/%2e%2e%2f%2e%2e%2fsecret.txt",
    "/board/..%5csecret.txt", "/board/..\\secret.txt", "/board//tmp", "/board/%2fetc%2fpasswd", "/board/escape/secret.txt",
])
def test_paths_outside_the_served_folder_get_404(unedited: DevServer, secret_beside_the_site: None, path: str) -> None:
    response = fetch(unedited, path)
    assert response.status == 404
    assert b"not for the browser" not in response.body


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST:{port}", "[::1]:{port}"])
def test_serve_answers_its_own_addresses(unedited: DevServer, host: str) -> None:
    assert fetch(unedited, PAGE, host=host.format(port=unedited.port)).status == 200


@pytest.mark.parametrize("host", ["evil.example:{port}", "evil.example", "127.0.0.1", "localhost:1", "127.0.0.1.nip.io:{port}",
                                  "localhost.evil.example:{port}", "", "[::1", "127.0.0.1:{port}@evil.example", "a b:{port}"])
def test_serve_refuses_other_host_names_so_dns_rebinding_cannot_read_the_preview(unedited: DevServer, host: str) -> None:
    # A page on evil.example that re-points its name at 127.0.0.1 would send Host: evil.example.
    response = fetch(unedited, PAGE, host=host.format(port=unedited.port))
    assert response.status == 421
    assert TITLE not in response.text
    assert response.text == "421 this preview answers only to its own address, such as 127.0.0.1 or localhost\n"
    assert fetch(unedited, "/__board__/events", host=host.format(port=unedited.port)).status == 421


def test_missing_page_gets_the_board_404_page(unedited: DevServer) -> None:
    response = fetch(unedited, "/board/projects/no-such-project/")
    assert response.status == 404
    assert element_text(response.text, "main") is not None and "Page not found" in response.text
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"


def test_pretty_urls_serve_the_folder_index_and_add_the_missing_slash(unedited: DevServer) -> None:
    pretty = fetch(unedited, PAGE)
    assert pretty.status == 200 and TITLE in pretty.text
    assert fetch(unedited, PAGE + "index.html").body == pretty.body
    bare = fetch(unedited, PAGE.rstrip("/"))
    assert (bare.status, bare.headers["Location"]) == (302, PAGE)


def test_board_is_served_under_its_production_sub_path(unedited: DevServer) -> None:
    assert unedited.url == f"http://127.0.0.1:{unedited.port}/board/"
    for path in ("/", "/board"):
        response = fetch(unedited, path)
        assert (response.status, response.headers["Location"]) == (302, "/board/")
    assert fetch(unedited, "/projects/acme-crm-cleanup/").status == 404
    page = fetch(unedited, PAGE).text
    assert f'<link rel="canonical" href="http://127.0.0.1:{unedited.port}{PAGE}">' in page
    assert 'href="/board/static/' in page


def test_board_at_a_domain_root_is_served_at_the_root(board: Path) -> None:
    edit(board, "site.toml", 'base_url = "https://example.org/board/"', 'base_url = "https://example.org/"')
    with DevServer(board, port=0, now=NOW, log=print) as server:
        assert server.url == f"http://127.0.0.1:{server.port}/"
        assert TITLE in fetch(server, "/projects/acme-crm-cleanup/").text
        assert fetch(server, "/board/projects/acme-crm-cleanup/").status == 404


def test_changing_the_base_url_in_site_toml_moves_the_served_board(server: DevServer, board: Path) -> None:
    edit(board, "site.toml", 'base_url = "https://example.org/board/"', 'base_url = "https://example.org/jobs/"')
    moved = poll(server, "/jobs/projects/acme-crm-cleanup/", lambda r: r.status == 200, deadline=time.monotonic() + 5)
    assert f"http://127.0.0.1:{server.port}/jobs/projects/acme-crm-cleanup/" in moved.text
    assert fetch(server, PAGE).status == 404


def test_files_are_served_with_their_content_types_and_never_cached(unedited: DevServer) -> None:
    expected = {
        "/board/": "text/html; charset=utf-8",
        "/board/static/logos/acme.svg": "image/svg+xml",
        "/board/static/style.css": "text/css; charset=utf-8",
        "/board/feed.xml": "application/xml",
        "/board/atom.xml": "application/xml",
        "/board/feed.json": "application/json",
        "/board/deadlines.ics": "text/calendar; charset=utf-8",
        "/board/feeds.opml": "text/x-opml; charset=utf-8",
        "/board/robots.txt": "text/plain; charset=utf-8",
        "/board/static/data/wasm.wasm": "application/wasm",
        "/board/static/data/fragment.pf_fragment": "application/octet-stream",
        "/__board__/reload.js": "text/javascript; charset=utf-8",
    }
    for path, kind in expected.items():
        response = fetch(unedited, path)
        assert (response.status, response.headers["Content-Type"]) == (200, kind), path
        assert response.headers["Cache-Control"] == "no-store"
        assert int(response.headers["Content-Length"]) == len(response.body)


@pytest.mark.parametrize(("name", "kind"), [
    ("style.css", "text/css; charset=utf-8"), ("robots.txt", "text/plain; charset=utf-8"),
    ("pagefind-entry.json", "application/json"), ("sitemap.xml", "application/xml"),
    ("wasm.unknown.pagefind", "application/octet-stream"), ("en_abc.pf_meta", "application/octet-stream"),
    ("pagefind.js", "text/javascript; charset=utf-8"), ("logo.png", "image/png"),
])
def test_content_type_follows_the_file_name(name: str, kind: str) -> None:
    assert content_type(Path(name)) == kind


def test_head_request_gets_headers_without_a_body(unedited: DevServer) -> None:
    response = fetch(unedited, PAGE, method="HEAD")
    assert response.status == 200 and response.body == b""
    assert int(response.headers["Content-Length"]) == len(fetch(unedited, PAGE).body)


def test_save_storm_with_swap_files_causes_one_rebuild(server: DevServer, board: Path) -> None:
    # A storm's writes come 10 ms apart; a loaded machine may stretch a gap past the usual quiet period.
    server.changes.quiet_seconds = 1.0
    before = server.status.current
    brief = board / BRIEF
    text = brief.read_text()
    (brief.parent / ".acme-crm-cleanup.md.swp").write_text("swap")
    (brief.parent / "4913").write_text("")
    for hours in range(21, 26):
        brief.write_text(text.replace("hours: 20", f"hours: {hours}"))
        time.sleep(0.01)
    (brief.parent / "4913").unlink()
    preview = server.status.wait_after(before.build, timeout=30)
    assert preview is not None and preview.partial and preview.pages_changed == preview.build and not preview.problems
    pages = server.status.wait_after(preview.build, timeout=30)
    assert pages is not None and pages.pages_changed == pages.build and not pages.partial and not pages.problems
    search = settle(server)
    # One rebuild: the page of the edited brief first, then the whole board, then its search index.
    assert search.build == pages.build + 1 == preview.build + 2 == before.build + 3
    assert server.status.wait_after(search.build, timeout=5 * server.changes.quiet_seconds) is None  # and no other
    assert "25 hours" in fetch(server, PAGE).text


@pytest.mark.parametrize("name", [
    ".acme.md.swp", ".acme.md.swx", ".#acme.md", "#acme.md#", "4913", ".goutputstream-X1Y2",
    "acme.md___jb_tmp___", ".DS_Store", "acme.md~",
])
def test_editor_temp_swap_and_backup_files_are_ignored_as_the_build_skips_them(name: str) -> None:
    assert classify(Path("/b"), f"/b/content/projects/{name}") is None
    assert classify(Path("/b"), f"/b/static/{name}") is None


@pytest.mark.parametrize("name", ["style.css.bak", "notes.tmp", ".well-known/security.txt"])
def test_other_files_are_watched_because_the_build_reads_them(name: str) -> None:
    assert classify(Path("/b"), f"/b/static/{name}").kind is ChangeKind.STATIC


def test_emacs_save_with_its_lock_autosave_and_backup_rebuilds_for_the_brief_alone(board: Path) -> None:
    logs: list[str] = []
    with DevServer(board, port=0, now=NOW, log=logs.append) as server:
        settle(server)
        brief = board / BRIEF
        text = brief.read_text()
        lock, autosave = brief.with_name(f".#{brief.name}"), brief.with_name(f"#{brief.name}#")
        lock.symlink_to("maintainer@laptop.4242:1700000000")
        autosave.write_text(text + "half-typed")
        brief.rename(brief.with_name(f"{brief.name}~"))  # Emacs keeps the file as it was as the backup
        brief.write_text(text.replace("hours: 20", "hours: 24"))
        autosave.unlink()
        lock.unlink()
        poll(server, PAGE, lambda r: "24 hours" in r.text, deadline=time.monotonic() + 30)
        assert not settle(server).problems
    rebuilds = [line for line in logs if line.startswith(("rebuilt", "build failed"))]
    assert rebuilds and all(re.fullmatch(rf"rebuilt in [0-9.]+ s \({BRIEF}\)", line) for line in rebuilds), rebuilds


def test_changes_are_classified_by_what_the_board_uses_them_for() -> None:
    root = Path("/b")
    assert classify(root, "/b/content/projects/acme.md").kind is ChangeKind.CONTENT
    assert classify(root, "/b/layouts/base.html").kind is ChangeKind.LAYOUT
    assert classify(root, "/b/static/style.css").is_stylesheet
    assert classify(root, "/b/site.toml").kind is ChangeKind.CONFIG
    for unrelated in ("/b/public/index.html", "/b/README.md", "/b/.git/index", "/elsewhere/site.toml"):
        assert classify(root, unrelated) is None


def read_event(stream: http.client.HTTPResponse) -> dict:
    """The data of the next `build` event on a server-sent event stream."""
    event = None
    while True:
        line = stream.readline().decode().rstrip("\n")
        if line == "event: build":
            event = "build"
        elif line.startswith("data: ") and event == "build":
            return json.loads(line[len("data: "):])


def settled(stream: http.client.HTTPResponse) -> dict:
    """The next event after which the search index has caught up with the pages."""
    while (state := read_event(stream))["search"] < state["pages"]:
        pass
    return state


def test_event_stream_tells_pages_what_changed_pages_first_then_search_and_styles_alone(server: DevServer, board: Path) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("GET", "/__board__/events")
    stream = connection.getresponse()
    assert stream.headers["Content-Type"] == "text/event-stream"
    start = settled(stream)
    number = start["build"]
    edit(board, BRIEF, "hours: 20", "hours: 21")
    assert read_event(stream) == {**start, "build": number + 1, "pages": number + 1}  # the edited brief's page first,
    assert read_event(stream) == {**start, "build": number + 2, "pages": number + 2}  # then the whole board,
    assert read_event(stream) == {**start, "build": number + 3, "pages": number + 2, "search": number + 3}  # then search
    with (board / "static" / "style.css").open("a") as css:
        css.write("\nbody { outline: 0; }\n")
    assert read_event(stream) == {"build": number + 4, "pages": number + 2, "styles": number + 4, "search": number + 3}
    connection.close()


def test_reload_script_is_served_only_by_serve_never_built(server: DevServer, board: Path, tmp_path: Path) -> None:
    build_number = server.status.current.build
    assert f'<script src="/__board__/reload.js?build={build_number}" defer></script></body>' in fetch(server, PAGE).text
    build(board, tmp_path / "public", NOW)
    built = [path for path in (tmp_path / "public").rglob("*") if path.is_file() and b"__board__" in path.read_bytes()]
    assert built == []


@pytest.mark.parametrize(("changed", "old", "new"), [
    (BRIEF, "hours: 20", "hours: 24"),
    ("layouts/project.html", "<h1>{{ brief.title }}</h1>", "<h1 class=\"edited\">{{ brief.title }}</h1>"),
    ("static/logos/acme.svg", "<svg", "<svg data-edited=\"yes\""),
    ("site.toml", "per_page = 12", "per_page = 5"),
])
def test_incremental_rebuild_under_serve_is_byte_identical_to_a_clean_full_build(
        server: DevServer, board: Path, tmp_path: Path, changed: str, old: str, new: str) -> None:
    served = server.status.site
    files_before = {path: (served / path).stat().st_ino for path in tree(served)}
    before = server.status.current.build
    edit(board, changed, old, new)
    assert server.status.wait_after(before, timeout=30, whole=True) is not None
    full = tmp_path / "full"
    build(board, full, NOW, base_url=server.url, search=False, use_cache=False)
    after, clean = tree(served), tree(full)
    assert after.keys() == clean.keys()
    assert [path for path in clean if after[path] != clean[path]] == []
    untouched = [path for path, inode in files_before.items() if path in after and (served / path).stat().st_ino == inode]
    assert untouched, "the rebuild rewrote every file: it was not incremental"


def output_records(board: Path) -> list[str]:
    """The build cache's records of output folders, one per folder a build wrote (in two tables: the files a
    rebuild needs first, and the rest)."""
    folder = board / ".cache" / "outputs"
    return sorted({path.name.removesuffix("-first") for path in folder.iterdir()}) if folder.is_dir() else []


def test_stopping_leaves_no_threads_and_keeps_the_build_folder_with_its_record(board: Path, tmp_path: Path) -> None:
    build(board, tmp_path / "public", NOW, search=False)
    records_before = output_records(board)
    threads_before = set(threading.enumerate())
    server = DevServer(board, port=0, now=NOW, log=print).start()
    assert len(output_records(board)) == len(records_before) + 1  # serve's own folder, while it serves
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    connection.request("GET", "/__board__/events")
    read_event(connection.getresponse())  # a live-reload stream is open while stopping
    server.stop()
    connection.close()
    assert set(threading.enumerate()) == threads_before
    assert server.status.site == board / ".cache" / "serve" / "site" and (server.status.site / "index.html").is_file()
    assert len(output_records(board)) == len(records_before) + 1  # kept for the next `board serve`, with the folder


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_next_serve_starts_from_the_folder_the_last_one_kept(board: Path) -> None:
    port = free_port()  # the same address, so the same pages: they hold the board's local base URL
    with DevServer(board, port=port, now=NOW, log=print) as first:
        settle(first)
        bundle = served_bundle(first)
    with DevServer(board, port=port, now=NOW, log=print) as second:
        settle(second)
        assert second._last is not None and str(second._last.report) == ""  # no brief parsed, no page rendered or written
        assert str(second.search.report) == ""  # and nothing indexed: the bundles are the last serve's
        assert served_bundle(second) == bundle
        assert TITLE in fetch(second, PAGE).text


def test_a_second_serve_of_a_board_builds_into_a_folder_of_its_own_and_removes_it(board: Path) -> None:
    with DevServer(board, port=0, now=NOW, log=print) as first:
        settle(first)
        records = output_records(board)
        second = DevServer(board, port=0, now=NOW, log=print).start()
        settle(second)
        assert second.status.site.parent != first.status.site.parent and len(output_records(board)) == len(records) + 1
        assert TITLE in fetch(second, PAGE).text
        second.stop()
        assert not second.status.site.parent.exists() and output_records(board) == records
        assert TITLE in fetch(first, PAGE).text


class Clock:
    """The wall clock as serve sees it, set by the test."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def test_serve_left_running_past_midnight_where_the_board_is_rebuilds_so_projects_close_on_time(board: Path) -> None:
    edit(board, "site.toml", 'timezone = "UTC"', 'timezone = "America/New_York"')
    edit(board, BRIEF, "deadline: 2026-12-15", "deadline: 2026-11-26")
    clock = Clock(datetime(2026, 11, 26, 23, 0, tzinfo=UTC))  # 18:00 on the 26th in New York: the last day to apply
    logs: list[str] = []
    with DevServer(board, port=0, log=logs.append, clock=clock, day_check_seconds=0.02) as server:
        settle(server)
        assert "Closes today" in fetch(server, PAGE).text
        built = server.status.current.build
        clock.now = datetime(2026, 11, 27, 4, 59, tzinfo=UTC)  # midnight has passed in UTC, not in New York
        assert server.status.wait_after(built, timeout=0.5) is None  # some 25 checks of the date, no rebuild
        clock.now = datetime(2026, 11, 27, 5, 0, 30, tzinfo=UTC)  # 00:00:30 on the 27th in New York
        closed = poll(server, PAGE, lambda r: "This project is closed." in r.text, deadline=time.monotonic() + 30)
        assert "Closes today" not in closed.text and overlay_lines(closed.text) is None
    assert "it is 2026-11-27 where the board is: rebuilding, as projects open and close by the date" in logs


def test_serve_listens_on_loopback_unless_told_otherwise(board: Path) -> None:
    with DevServer(board, port=0, now=NOW, log=print) as server:
        assert server.http.server_address[0] == "127.0.0.1"
    assert local_base_url("0.0.0.0", 8000, "/board/") == "http://127.0.0.1:8000/board/"
    assert local_base_url("::1", 8000, "/") == "http://[::1]:8000/"


def test_serve_reports_a_busy_port_without_a_traceback(board: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["--root", str(board), "serve", "--port", str(port)]) == 1
    assert f"board serve: cannot listen on 127.0.0.1 port {port}: Address already in use; choose another with --port" in capsys.readouterr().err


def test_serve_rejects_a_port_that_is_not_a_number(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["serve", "--port", "eighty"])
    assert exit_.value.code == 2
    assert "expected a port number from 0 to 65535, got 'eighty'" in capsys.readouterr().err


def test_board_serve_command_prints_its_address_and_the_build_summary_and_serves_until_terminated(board: Path, tmp_path: Path) -> None:
    summary = build(board, tmp_path / "public", NOW).summary().splitlines()
    records = output_records(board)
    process = subprocess.Popen(
        [sys.executable, "-m", "site_builder", "--root", str(board), "serve", "--port", "0", "--now", NOW.isoformat()],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        serving = process.stdout.readline()
        printed = [process.stdout.readline().rstrip("\n") for _ in summary]
        # The build's summary, but its search bundles are taken from the cache, where the build kept them: none indexed.
        expected = [re.sub(r"indexed now: .*", "indexed now: none", line) if line.startswith("search ") else line for line in summary]
        assert [re.sub(r"in [0-9.]+ s", "", line) for line in printed] == [re.sub(r"in [0-9.]+ s", "", line) for line in expected]
        assert serving.startswith("serving http://127.0.0.1:") and serving.rstrip().endswith("/board/ (press Ctrl-C to stop)")
        port = int(serving.split(":")[2].split("/")[0])
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("GET", PAGE)
        assert TITLE in connection.getresponse().read().decode()
        connection.close()
        process.terminate()
        assert process.wait(timeout=10) == 0
        assert process.stdout.read() == "stopped\n"
        assert len(output_records(board)) == len(records) + 1  # serve's folder and its record, kept for the next serve
        assert (board / ".cache" / "serve" / "site" / "index.html").is_file()
    finally:
        process.kill()
        process.wait()
