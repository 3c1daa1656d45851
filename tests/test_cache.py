"""The build cache and the incremental writer: a cached build equals a clean one, and each input, when
it changes, redoes what depends on it and nothing else."""

from __future__ import annotations

import dataclasses
import functools
import gc
import importlib.util
import inspect
import json
import os
import pickle
import shutil
import signal
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from site_builder import briefstate, buildstate
from site_builder import cache as cache_module
from site_builder import markup, parallel, timelimit
from site_builder.build import build as build_with_search
from site_builder.build import check_board, preview_edits
from site_builder.cli import main
from site_builder.errors import BoardError
from site_builder.fingerprint import Digester, digest_of, keyed, sources_fingerprint
from site_builder.layouts import compile_layouts
from site_builder.pagekeys import digest_projects
from site_builder.search_parts import OPEN_BUNDLE, search_bundles
from site_builder.theme import Theme
from tests.conftest import Board
from tests.gitboard import commit_all, git
from tests.site_files import copy_example_board

TODAY = date(2026, 11, 25)
# Pagefind names its files differently on every run, and it is the slowest stage: these tests build
# without it, but for the one that checks the search bundle is kept and rebuilt.
build = functools.partial(build_with_search, search=False)
REPO = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("bench_generate", REPO / "bench" / "generate.py")
generate = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(generate)


@pytest.fixture
def board(tmp_path: Path) -> Path:
    """A board of 24 generated briefs with the repository's theme."""
    return generate.generate(24, tmp_path / "board", seed=3)


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def identities(folder: Path) -> dict[str, tuple[int, int]]:
    """Each file's inode and modification time: both stay put when a file is not rewritten."""
    return {p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()}


def rewritten(before: dict[str, tuple[int, int]], folder: Path) -> set[str]:
    after = identities(folder)
    return {path for path in after if before.get(path) != after[path]}


def project_path(board: Path, index: int = 0) -> tuple[Path, str]:
    """The index-th brief the board shows (open or closed), and its page in the output."""
    shown = [b.slug for b in check_board(board, TODAY).briefs if b.posted <= TODAY]
    return board / "content" / "projects" / f"{shown[index]}.md", f"projects/{shown[index]}/index.html"


def assert_same_as_clean_build(board: Path, output: Path) -> None:
    clean = board.parent / "clean"
    build(board, clean, TODAY, use_cache=False)
    assert files(output) == files(clean)


def test_cached_build_is_byte_identical_to_a_clean_build(board: Path) -> None:
    output = board.parent / "public"
    build(board, output, TODAY)
    assert_same_as_clean_build(board, output)
    brief, _ = project_path(board)
    brief.write_text(brief.read_text().replace("## Context", "## Context\n\nA new first paragraph, edited."))
    build(board, output, TODAY)
    assert_same_as_clean_build(board, output)


def test_second_build_builds_nothing(board: Path) -> None:
    output = board.parent / "public"
    first = build(board, output, TODAY)
    assert len(first.report.names("parse")) == 24 and set(first.report.reasons("render")) == {buildstate.NO_RECORD}
    before = identities(output)
    assert str(build(board, output, TODAY).report) == ""  # no brief parsed, no Markdown, no page rendered, no file written
    assert rewritten(before, output) == set()


def test_edited_brief_is_parsed_and_rendered_again_alone(board: Path) -> None:
    output = board.parent / "public"
    build(board, output, TODAY)
    before = identities(output)
    brief, page = project_path(board, 5)
    other_brief, other_page = project_path(board, 6)
    brief.write_text(brief.read_text() + "\nOne more sentence about the deliverable.\n")
    report = build(board, output, TODAY).report
    assert report.names("parse") == report.names("markdown") == [brief.relative_to(board).as_posix()]
    assert ("render", page, "what it shows changed") in [(w.kind, w.name, w.reason) for w in report.work]
    assert other_page not in report.names("render")
    assert page in rewritten(before, output)
    assert other_page not in rewritten(before, output)
    assert b"One more sentence about the deliverable." in (output / page).read_bytes()


def age(folder: Path, seconds: int = 3600) -> None:
    """Date every file under `folder` back, as files checked out long before the build are."""
    for path in folder.rglob("*.md"):
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns - seconds * 10**9, stat.st_mtime_ns - seconds * 10**9))


def test_rebuild_reads_no_brief_whose_stat_is_unchanged(board: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    output = board.parent / "public"
    age(board / "content" / "projects")
    build(board, output, TODAY)
    read: list[str] = []
    real_read = briefstate.read_limited
    monkeypatch.setattr(briefstate, "read_limited", lambda path: read.append(path) or real_read(path))
    brief, _ = project_path(board, 5)
    brief.write_text(brief.read_text() + "\nOne more sentence.\n")
    report = build(board, output, TODAY).report
    assert read == [str(brief)] and report.names("parse") == [brief.relative_to(board).as_posix()]


def test_a_preview_under_serve_reads_none_of_the_cache_tables_the_build_let_go_of(board: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`board serve` shows an edited brief's page first; reading back every shard the last build wrote and
    let go of was a quarter of a second at 10,000 briefs, most of the time to the page served."""
    output, cache = board.parent / "public", cache_module.BuildCache.for_board(board)
    last = build(board, output, TODAY, cache=cache)
    brief, page = project_path(board, 5)
    brief.write_text(brief.read_text() + "\nOne more sentence.\n")
    read: list[Path] = []
    real_read = cache_module.read_pickle
    monkeypatch.setattr(cache_module, "read_pickle", lambda path: read.append(path) or real_read(path))
    assert preview_edits(board, output, last, [brief], cache) == [page]
    assert "One more sentence." in (output / page).read_text() and [path for path in read if "entries" in path.parts] == []


def test_brief_edited_right_after_it_was_hashed_is_read_again_even_with_the_same_stat(board: Path) -> None:
    """Git's "racily clean" case: an edit of the same size within the clock's step leaves size, time and
    inode as they were, so a file changed just before it was hashed is never trusted by its stat."""
    output = board.parent / "public"
    brief, page = project_path(board, 5)
    brief.write_text(brief.read_text() + "\nFirst words.\n")
    build(board, output, TODAY)  # hashes the brief in the same second it was written
    stat = brief.stat()
    brief.write_text(brief.read_text().replace("First words.", "Other words."))  # same size, same inode
    os.utime(brief, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert (brief.stat().st_size, brief.stat().st_mtime_ns, brief.stat().st_ino) == (stat.st_size, stat.st_mtime_ns, stat.st_ino)
    build(board, output, TODAY)
    assert b"Other words." in (output / page).read_bytes()


def test_edited_brief_renders_again_only_the_feeds_that_list_it(board: Path) -> None:
    output = board.parent / "public"
    build(board, output, TODAY)
    url = json.loads((output / "feed.json").read_bytes())["items"][-1]["url"]  # an open project
    brief = board / "content" / "projects" / (url.rstrip("/").rsplit("/", 1)[1] + ".md")
    listing = {path.parent.relative_to(output).as_posix() for path in output.rglob("feed.json")
               if any(item["url"] == url for item in json.loads(path.read_bytes())["items"])}
    assert listing and len(listing) < len(list(output.rglob("feed.json")))
    brief.write_text(brief.read_text() + "\nOne more sentence about the deliverable.\n")
    rendered = build(board, output, TODAY).report.names("render")
    assert {path.rpartition("/")[0] or "." for path in rendered if path.endswith("feed.json")} == listing
    assert_same_as_clean_build(board, output)


def test_deleted_brief_leaves_the_output(board: Path) -> None:
    output = board.parent / "public"
    build(board, output, TODAY)
    brief, page = project_path(board, 2)
    assert (output / page).is_file()
    brief.unlink()
    build(board, output, TODAY)
    assert not (output / page).parent.exists()
    assert_same_as_clean_build(board, output)
    again = build(board, output, TODAY).report  # its page's records left the table: the folder is as recorded
    assert (again.names("render"), again.names("write")) == ([], [])


def test_site_toml_change_parses_briefs_again_but_renders_no_markdown(board: Path) -> None:
    output = board.parent / "public"
    build(board, output, TODAY)
    before = identities(output)
    config = board / "site.toml"
    config.write_text(config.read_text().replace('title = "Bench Board"', 'title = "Renamed Board"'))
    report = build(board, output, TODAY).report
    assert (len(report.names("markdown")), len(report.names("parse"))) == (0, 24)
    assert set(report.reasons("render")) == {"the board's settings or navigation changed", "what it lists changed"}
    changed = rewritten(before, output)
    assert {path for path in before if path.endswith(".html")} <= changed
    assert not any(path.startswith("static/") for path in changed)
    assert_same_as_clean_build(board, output)


def test_setting_no_page_shows_rewrites_no_page(board: Path) -> None:
    output = board.parent / "public"
    build(board, output, TODAY)
    before = identities(output)
    config = board / "site.toml"
    config.write_text(config.read_text().replace("items = 50", "items = 40"))
    build(board, output, TODAY)
    assert not {path for path in rewritten(before, output) if path.endswith(".html") and "feed" not in path}


def test_layout_change_rewrites_only_the_pages_it_renders(board: Path) -> None:
    output = board.parent / "public"
    build(board, output, TODAY)
    before = identities(output)
    layout = board / "layouts" / "project.html"
    layout.write_text(layout.read_text().replace("</article>", "<p>Questions? Ask the board.</p>\n</article>", 1))
    stages: list[str] = []
    report = build(board, output, TODAY, progress=stages.append).report
    assert (report.names("markdown"), report.names("parse")) == ([], [])
    projects = len(list((output / "projects").iterdir()))
    assert report.reasons("render") == {"its layouts changed": projects}
    assert f"rendering {projects} pages and 0 feeds and other board files" in stages  # the pages using it, no other
    changed = rewritten(before, output)
    assert changed and all(path.startswith("projects/") for path in changed)
    assert_same_as_clean_build(board, output)


def test_change_to_a_layout_every_page_uses_renders_every_page(board: Path) -> None:
    output = board.parent / "public"
    build(board, output, TODAY)
    pages = len([path for path in output.rglob("*.html")])
    macros = board / "layouts" / "_macros.html"
    macros.write_text(macros.read_text() + "\n{# a comment #}\n")
    stages: list[str] = []
    build(board, output, TODAY, progress=stages.append)
    assert f"rendering {pages} pages and 0 feeds and other board files" in stages


def test_markup_fingerprint_change_renders_every_body_again_and_parses_no_brief(board: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    output = board.parent / "public"
    build(board, output, TODAY)
    briefs = len(list((board / "content" / "projects").glob("*.md")))  # scheduled ones too: a body must render before it shows
    pages = len(list((board / "content" / "pages").glob("*.md")))
    monkeypatch.setattr(cache_module, "BODY_CODE", cache_module.BODY_CODE + " with another sanitizer")
    report = build(board, output, TODAY).report
    assert (len(report.names("markdown")), report.names("parse")) == (briefs + pages, [])


def test_a_new_version_of_the_generator_that_leaves_the_markup_stage_alone_renders_no_markdown_again(board: Path) -> None:
    output = board.parent / "public"
    build(board, output, TODAY)
    briefs = len(list((board / "content" / "projects").glob("*.md")))
    upgraded = cache_module.BuildCache.for_board(board)
    upgraded.code = "another version of microboard"  # briefs are parsed again, pages rendered again
    report = build(board, output, TODAY, cache=upgraded).report
    assert (report.names("markdown"), len(report.names("parse"))) == ([], briefs)
    assert set(report.names("render")) >= {path.relative_to(output).as_posix() for path in output.rglob("*.html")}
    assert_same_as_clean_build(board, output)
    # The bodies' key covers the markup stage's code and every module of the generator it takes from.
    taken = {inspect.getmodule(value) for value in vars(markup).values()} - {markup, None}
    assert {module for module in taken if module.__name__.startswith("site_builder.")} <= {timelimit}
    assert cache_module.BODY_CODE == digest_of(sources_fingerprint(markup, timelimit).encode(), markup.MARKUP_FINGERPRINT.encode())


def test_static_file_change_rewrites_it_and_the_pages_linking_it(board: Path) -> None:
    output = board.parent / "public"
    build(board, output, TODAY)
    before = identities(output)
    icon = board / "static" / "favicon.svg"
    icon.write_bytes(icon.read_bytes().replace(b"</svg>", b"<!-- new --></svg>"))
    build(board, output, TODAY)
    changed = rewritten(before, output)
    assert "static/favicon.svg" in changed
    assert {path for path in before if path.endswith(".html")} <= changed  # every page links the icon, with its version
    assert not {path for path in changed if path.startswith("static/") and path != "static/favicon.svg"}
    assert_same_as_clean_build(board, output)


def test_logo_change_renders_again_only_the_pages_that_link_it(tmp_path: Path) -> None:
    board, output = copy_example_board(tmp_path / "board"), tmp_path / "public"
    build(board, output, TODAY)
    pages = {path: data for path, data in files(output).items() if path.endswith(".html")}
    linking = {path for path, data in pages.items() if b"static/logos/acme.svg?v=" in data}
    assert 0 < len(linking) < len(pages)
    logo = board / "static" / "logos" / "acme.svg"
    logo.write_bytes(logo.read_bytes().replace(b'fill="#4338ca"', b'fill="#3730a3"'))  # a new colour: new published bytes
    stages: list[str] = []
    build(board, output, TODAY, progress=stages.append)
    assert f"rendering {len(linking)} pages and 0 feeds and other board files" in stages
    assert_same_as_clean_build(board, output)



def test_a_new_logo_is_no_change_to_the_briefs_and_a_logo_gone_fails_each_brief_that_names_it(tmp_path: Path) -> None:
    """A new company's first brief often comes with its logo: the other briefs are not parsed or shown again
    for it (at 10,000 briefs that was every brief parsed, page rendered and search bundle indexed again:
    29.9 s, now 0.75 s). A logo taken away still fails every brief that names it, from the cache or not."""
    board, output = copy_example_board(tmp_path / "board"), tmp_path / "public"
    build(board, output, TODAY)
    logos = board / "static" / "logos"
    shutil.copy(logos / "acme.svg", logos / "newco.svg")
    before = identities(output)
    report = build(board, output, TODAY).report
    assert report.names("parse") == [] and report.names("render") == []
    assert rewritten(before, output) == {"static/logos/newco.svg"}
    (logos / "acme.svg").unlink()
    with pytest.raises(BoardError) as failed:
        build(board, output, TODAY)
    naming = sorted(path.relative_to(board).as_posix() for path in (board / "content" / "projects").glob("*.md")
                    if "logo: acme.svg" in path.read_text())
    assert len(naming) > 1 and [problem.path for problem in failed.value.problems] == naming
    assert {problem.message for problem in failed.value.problems} == \
        {"company.logo: there is no file static/logos/acme.svg; add the logo to your pull request or fix the name"}

def test_new_build_date_redoes_pages_but_no_markdown(board: Path) -> None:
    output = board.parent / "public"
    build(board, output, TODAY)
    report = build(board, output, date(2026, 11, 26)).report
    opened = [brief for brief in check_board(board, TODAY).briefs if brief.posted == date(2026, 11, 26)]
    assert sorted(report.names("markdown")) == sorted(brief.source for brief in opened)  # only briefs that open on the new day are rendered for the first time
    closed_before = [b.slug for b in check_board(board, TODAY).briefs if b.deadline < TODAY]
    assert closed_before and not {f"projects/{slug}/index.html" for slug in closed_before} & set(report.names("render"))  # a board's history stays put
    clean = board.parent / "clean"
    build(board, clean, date(2026, 11, 26), use_cache=False)
    assert files(output) == files(clean)


def test_file_changed_by_hand_in_the_output_is_restored(board: Path) -> None:
    output = board.parent / "public"
    build(board, output, TODAY)
    (output / "index.html").write_text("defaced")
    (output / "stray.txt").write_text("not part of the board")
    assert set(build(board, output, TODAY).report.reasons("render")) == {buildstate.TOUCHED}
    assert_same_as_clean_build(board, output)
    assert str(build(board, output, TODAY).report) == ""  # the records of the build made afresh are those of a clean one


def test_a_search_bundle_changed_by_hand_in_the_output_is_made_again_and_never_kept_in_the_cache(board: Path) -> None:
    """The plan goes on with the output folder's records while another process checks the folder: found
    touched, the build starts afresh, and nothing it took from the touched folder reaches the cache."""
    output = board.parent / "public"
    build_with_search(board, output, TODAY)
    shutil.rmtree(board / ".cache" / "bundles")  # so that the bundles in the folder are the ones the build would keep
    entry = output / "pagefind" / "pagefind-entry.json"
    entry.write_text(entry.read_text().replace('"version"', '"defaced"'))
    report = build_with_search(board, output, TODAY).report
    assert set(report.reasons("render")) == set(report.reasons("index")) == {buildstate.TOUCHED}
    assert b"defaced" not in entry.read_bytes()
    kept = [file for path in (board / ".cache" / "bundles").glob("*.pickle") for file in pickle.loads(path.read_bytes())]
    assert kept and all(file.data == (output / file.path).read_bytes() for file in kept)


def test_an_output_folder_restored_with_the_same_bytes_in_new_files_is_taken_as_it_is(board: Path) -> None:
    """A deploy restores `public/` from the CI cache with `.cache/`: the same bytes in new files (new inodes).
    Each such file is read and hashed, and the build renders, indexes and writes nothing; the records then
    hold the files' stats now, so the next build hashes none."""
    output, restored = board.parent / "public", board.parent / "restored"
    build_with_search(board, output, TODAY)
    contents = files(output)
    shutil.copytree(output, restored)
    shutil.rmtree(output)
    restored.rename(output)
    report = build_with_search(board, output, TODAY).report
    assert (report.names("render"), report.names("index"), report.names("write")) == ([], [], []) and files(output) == contents
    records = cache_module.BuildCache.for_board(board).records.read(output)
    assert {path: (record.inode, record.mtime_ns) for path, record in records.items()} == identities(output)


def test_work_worth_a_fork_runs_in_a_process_of_its_own_whose_error_is_raised_here_and_is_done_here_if_it_is_killed(tmp_path: Path) -> None:
    """The check of the output folder runs beside the reading of the briefs, on another core, and half the
    projects are hashed beside the other half."""
    assert parallel.in_background(os.getpid, items=parallel.MIN_BACKGROUND_ITEMS)() != os.getpid()
    assert parallel.in_background(os.getpid, items=parallel.MIN_BACKGROUND_ITEMS - 1)() == os.getpid()  # not worth a fork
    missing = parallel.in_background(os.stat, tmp_path / "missing", items=parallel.MIN_BACKGROUND_ITEMS)
    with pytest.raises(FileNotFoundError):
        missing()

    def killed_unless_in(process: int) -> int:
        if os.getpid() != process:
            os.kill(os.getpid(), signal.SIGKILL)
        return process

    assert parallel.in_background(killed_unless_in, os.getpid(), items=parallel.MIN_BACKGROUND_ITEMS)() == os.getpid()  # done here


def test_work_in_a_thread_switches_often_forks_nothing_meanwhile_and_raises_its_error_here() -> None:
    """The open bundle is indexed by a thread that drives Pagefind while the build goes on: the interpreter
    lets it in every 0.1 ms, not every 5 ms (it wakes for each page Pagefind takes), until it ends."""
    before, release = sys.getswitchinterval(), threading.Event()

    def work() -> tuple[float, int]:
        release.wait(10)
        return sys.getswitchinterval(), threading.get_ident()

    waiting = parallel.in_thread(work)
    assert parallel.in_background(os.getpid, items=parallel.MIN_BACKGROUND_ITEMS)() == os.getpid()  # no fork beside a thread
    release.set()
    interval, thread = waiting()
    assert interval == pytest.approx(parallel.SWITCH_INTERVAL) and interval < before and thread != threading.get_ident()
    assert sys.getswitchinterval() == before
    with pytest.raises(FileNotFoundError):
        parallel.in_thread(os.stat, "/no/such/file")()
    assert sys.getswitchinterval() == before


def test_brief_files_looked_at_by_another_process_are_keyed_as_here_and_not_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A board's briefs are stat'ed by another process while this one loads the cache's entries."""
    folder = tmp_path / "content" / "projects"
    folder.mkdir(parents=True)
    paths = [f"{folder}/brief-{number}.md" for number in range(parallel.MIN_BACKGROUND_ITEMS)]
    for number, path in enumerate(paths):
        Path(path).write_text(f"brief {number}\n")
    age(folder)
    paths.append(f"{folder}/gone.md")
    real_stats, looked_by = briefstate.file_stats, tmp_path / "looked-by"

    def stats(files: list[str]) -> list[tuple[int, int, int] | None]:
        looked_by.write_text(str(os.getpid()))
        return real_stats(files)

    monkeypatch.setattr(briefstate, "file_stats", stats)
    cache = cache_module.BuildCache.for_board(tmp_path)
    keys = buildstate.BuildState(cache).briefs.brief_keys(paths)[1]
    cache.keep_file_digests()
    assert int(looked_by.read_text()) != os.getpid() and keys[-1] is None and len(set(keys[:-1])) == len(paths) - 1
    read: list[str] = []
    real_read = briefstate.read_limited
    monkeypatch.setattr(briefstate, "read_limited", lambda path: read.append(path) or real_read(path))
    monkeypatch.setattr(parallel, "MIN_BACKGROUND_ITEMS", len(paths) + 1)  # looked at here
    assert buildstate.BuildState(cache_module.BuildCache.for_board(tmp_path)).briefs.brief_keys(paths)[1] == keys
    assert int(looked_by.read_text()) == os.getpid() and read == []


def test_a_tuple_of_objects_hashed_before_hashes_as_when_none_was() -> None:
    """A listing's projects are hashed once each and their tuple in one join: the same bytes as one by one."""
    @dataclasses.dataclass(frozen=True)
    class Item:
        name: str
        number: int

    items = tuple(Item(f"item {number}", number) for number in range(6))
    fresh = Digester()(("listing", items))
    for hashed in (items, items[:3]):
        digest = Digester()
        digest.digests(hashed)
        assert digest(("listing", items)) == fresh
    assert Digester()(("listing", items[::-1])) != fresh and Digester()(("listing", items[:5])) != fresh


def test_a_key_writes_its_fingerprint_and_each_part_with_its_length_so_no_two_inputs_share_it() -> None:
    for fingerprint, parts in (("", ()), ("code", ("brief.md", "0" * 40)), ("settings", (b"\0\1", "é", ""))):
        assert keyed(fingerprint)(*parts) == digest_of(fingerprint.encode(), *(p.encode() if isinstance(p, str) else p for p in parts))
    assert len({keyed("a")("bc"), keyed("ab")("c"), keyed("a")("b", "c"), keyed("a")("bc", ""), keyed("abc")()}) == 5


def test_failed_rebuild_leaves_the_output_untouched(board: Path) -> None:
    output = board.parent / "public"
    build(board, output, TODAY)
    before, contents = identities(output), files(output)
    brief, _ = project_path(board)
    brief.write_text(brief.read_text() + "\nA change that would be published.\n")
    layout = board / "layouts" / "listing.html"
    layout.write_text(layout.read_text().replace("{% block main %}", "{% block main %}{{ page.no_such_field }}"))
    with pytest.raises(BoardError):
        build(board, output, TODAY)
    assert identities(output) == before and files(output) == contents
    assert not [p.name for p in board.parent.iterdir() if p.name.startswith(".public.")], "the pages staged so far are gone"


def test_no_cache_flag_builds_without_reading_or_writing_the_cache(board: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--root", str(board), "build", "--now", str(TODAY), "--no-search", "--no-cache", "--jobs", "1"]) == 0
    assert main(["--root", str(board), "check", "--now", str(TODAY)]) == 0  # check reads the cache, never writes it
    assert not (board / ".cache").exists()
    assert main(["--root", str(board), "build", "--now", str(TODAY), "--no-search"]) == 0
    assert list((board / ".cache" / "entries").glob("*.pickle"))


def test_cache_flag_keeps_the_cache_in_the_folder_given_and_the_next_build_takes_from_it(board: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Where the build cache lives is the caller's choice (the Check workflow keeps it outside the pull request's tree)."""
    args = ["--root", str(board), "build", "--now", str(TODAY), "--no-search", "--explain", "--cache", "../kept"]
    assert main(args) == 0 and "\nparse content/projects/" in capsys.readouterr().out
    assert list((board.parent / "kept" / "entries").glob("*.pickle")) and not (board / ".cache").exists()
    assert main(args) == 0
    assert "parse " not in capsys.readouterr().out  # each brief taken from ../kept
    with pytest.raises(SystemExit) as usage:
        main([*args, "--no-cache"])
    assert usage.value.code == 2 and "not allowed with argument" in capsys.readouterr().err


def test_damaged_cache_is_ignored(board: Path) -> None:
    output = board.parent / "public"
    build(board, output, TODAY)
    damaged = [path for path in (board / ".cache").rglob("*") if path.is_file()]
    assert {path.suffix for path in damaged} >= {".pickle", ".cache", ".json"}  # entries, compiled layouts, what layouts name
    for path in damaged:
        path.write_bytes(b"not a pickle")
    build(board, output, TODAY)
    assert_same_as_clean_build(board, output)


def _repeated_values(briefs: list) -> dict[object, set[int]]:
    """The values two or more of `briefs` hold (company, category, skills, countries, dates), each with the
    ids of the objects that hold it."""
    held: dict[object, list[object]] = {}
    for brief in briefs:
        for value in (brief.company, brief.category, brief.posted, brief.deadline, *brief.skills, *brief.countries):
            held.setdefault(value, []).append(value)
    return {value: {id(each) for each in objects} for value, objects in held.items() if len(objects) > 1}


def test_briefs_hold_one_object_for_each_value_they_repeat_and_the_cache_writes_it_once_per_file(tmp_path: Path) -> None:
    """A board's history repeats companies, skills, countries and dates across its briefs: the build holds
    each value once, not once per brief (60 MB at 100,000 briefs), and so does each file of the cache."""
    root = generate.generate(300, tmp_path / "board", seed=3)
    repeated = _repeated_values([project.brief for project in build(root, tmp_path / "out", TODAY).site.projects])
    assert len(repeated) > 100 and all(len(ids) == 1 for ids in repeated.values())
    shards = sorted((root / ".cache" / "entries").glob("*.pickle"))
    within = [_repeated_values([brief for brief, _ in cache_module.read_pickle(shard)["briefs"].values()]) for shard in shards]
    assert sum(map(len, within)) > 100 and all(len(ids) == 1 for values in within for ids in values.values())


def test_bodies_stay_in_the_cache_until_shown_and_one_the_cache_lost_is_rendered_again(board: Path) -> None:
    output = board.parent / "public"
    build(board, output, TODAY)
    kept = list((board / ".cache" / "bodies").rglob("*.pickle"))
    assert len(kept) >= 24  # each body's HTML in a file of its own, read when a page or feed shows it
    for path in kept:
        path.unlink()
    layout = board / "layouts" / "project.html"
    layout.write_text(layout.read_text() + "\n")  # every project page rendered again, from bodies the cache lost
    build(board, output, TODAY)
    assert_same_as_clean_build(board, output)


def test_project_page_unchanged_itself_follows_whether_the_board_sorts_by_pay(tmp_path: Path) -> None:
    """A project page is fingerprinted from its project and what else of the board its context is made
    of (`Renderer.project_inputs`), not from its context, which is not made for a page kept: another
    brief paid in a second currency the board cannot convert takes the pay sort off every page."""
    (tmp_path / "board").mkdir()
    site_board = Board(tmp_path / "board")
    site_board.brief("acme-crm-cleanup")
    output = tmp_path / "public"
    page = output / "projects" / "acme-crm-cleanup" / "index.html"
    build(site_board.root, output, TODAY)
    assert b'data-pagefind-sort="pay:' in page.read_bytes()
    site_board.brief("acme-survey", compensation="\n  amount: 600\n  currency: EUR\n  type: fixed")
    report = build(site_board.root, output, TODAY).report
    assert "projects/acme-crm-cleanup/index.html" in report.names("render")
    assert b'data-pagefind-sort="pay:' not in page.read_bytes()
    assert_same_as_clean_build(site_board.root, output)


def test_check_keeps_nothing_in_the_cache(board: Path) -> None:
    check_board(board, TODAY)
    assert not (board / ".cache").exists()


def test_build_over_several_processes_is_byte_identical(tmp_path: Path) -> None:
    big = generate.generate(160, tmp_path / "big", seed=5)
    build(big, tmp_path / "one", TODAY, use_cache=False, jobs=1)
    build(big, tmp_path / "two", TODAY, use_cache=False, jobs=2)
    assert files(tmp_path / "one") == files(tmp_path / "two")


def test_pages_fingerprinted_by_the_processes_that_render_them_are_kept_by_the_next_build(tmp_path: Path,
                                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    big = generate.generate(160, tmp_path / "big", seed=5)
    output, keyed_by = tmp_path / "public", tmp_path / "layouts-keyed-by"
    real_layout_key = buildstate.layout_key

    def layout_key(*args: Any) -> str:
        with keyed_by.open("a") as pids:
            pids.write(f"{os.getpid()}\n")
        return real_layout_key(*args)

    monkeypatch.setattr(buildstate, "layout_key", layout_key)
    build(big, output, TODAY, jobs=2)  # a first build: each process fingerprints the pages it renders
    assert set(keyed_by.read_text().split()) == {str(os.getpid())}  # the layouts' keys taken before the workers fork
    before = identities(output)
    stages: list[str] = []
    build(big, output, TODAY, jobs=2, progress=stages.append)
    assert "rendering 0 pages and 0 feeds and other board files" in stages
    assert rewritten(before, output) == set()


def test_cache_stays_out_of_git() -> None:
    assert ".cache/" in (REPO / ".gitignore").read_text().splitlines()
    assert os.fspath(cache_module.CACHE_DIR) == ".cache"


def test_process_pool_keeps_order_and_runs_big_work_in_other_processes_or_shares_it_with_this_one() -> None:
    items = list(range(parallel.MIN_ITEMS * 2))
    results = parallel.map_in_processes(lambda item: (item * item, os.getpid()), items, jobs=2)
    assert [square for square, _ in results] == [item * item for item in items]
    assert os.getpid() not in {pid for _, pid in results}
    shared = parallel.map_in_processes(lambda item: (item * item, os.getpid()), items, jobs=2, share=True)
    assert shared == [(item * item, pid) for item, (_, pid) in zip(items, shared)]
    assert len({pid for _, pid in shared}) == 2 and os.getpid() in {pid for _, pid in shared}


def test_heavy_tasks_start_the_pool_and_each_gets_a_chunk_of_its_own() -> None:
    results = parallel.map_in_processes(lambda item: os.getpid(), list(range(4)), jobs=2, heavy=2)
    assert os.getpid() not in results


def test_process_pool_works_ahead_of_a_slow_caller_by_a_few_chunks_only(tmp_path: Path) -> None:
    """Results that come faster than the caller takes them wait in the workers, not in the caller's memory."""
    def work(item: int) -> int:
        (tmp_path / str(item)).touch()
        return item

    results = parallel.imap_in_processes(work, list(range(400)), jobs=2)
    next(results)
    time.sleep(1)  # the caller is slow: the workers run ahead only by the chunks handed out
    done = len(list(tmp_path.iterdir()))
    size = -(-400 // (2 * parallel.CHUNKS_PER_PROCESS))
    assert done <= size * (1 + parallel.IN_FLIGHT * 2) < 400
    assert list(results) == list(range(1, 400))


def test_no_collection_scans_what_the_build_makes_until_it_is_planned_and_the_collector_is_as_before_after(board: Path) -> None:
    """The cyclic collector is paused while the build reads, models and plans (each collection of a
    growing heap scans all of it: seconds at 100,000 briefs), resumes for rendering, and is left as found."""
    stage, collected, frozen = [""], [], {}

    def note(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collected.append((stage[0], info["generation"]))

    def progress(name: str) -> None:
        stage[0] = name.split()[0]
        frozen[stage[0]] = gc.get_freeze_count()

    gc.callbacks.append(note)
    try:
        build(board, board.parent / "public", TODAY, progress=progress, jobs=2)
    finally:
        gc.callbacks.remove(note)
    assert gc.isenabled() and gc.get_freeze_count() == 0
    assert frozen["writing"] > 0  # rendering over processes (which freeze and unfreeze for their own sake) kept it settled
    assert [generation for name, generation in collected if name == "reading"] == []
    assert {name for name, _ in collected} & {"rendering", "writing"}


def test_workers_collect_their_own_garbage_while_the_parent_has_paused_its_collector() -> None:
    with parallel.collector_settling():
        assert not gc.isenabled()
        enabled = parallel.map_in_processes(lambda item: (gc.isenabled(), os.getpid()), list(range(parallel.MIN_ITEMS * 2)), jobs=2)
    assert {on for on, pid in enabled if pid != os.getpid()} == {True}


def test_process_pool_is_not_used_for_small_work() -> None:
    results = parallel.map_in_processes(lambda item: os.getpid(), list(range(parallel.MIN_ITEMS - 1)), jobs=2)
    assert set(results) == {os.getpid()}


def test_search_bundle_is_kept_while_no_project_page_changes_and_rebuilt_when_one_does(board: Path) -> None:
    output = board.parent / "public"
    build_with_search(board, output, TODAY)
    before = identities(output)
    bundle = {path for path in before if path.startswith("pagefind/")}
    assert "pagefind/pagefind.js" in bundle
    build_with_search(board, output, TODAY)
    assert rewritten(before, output) == set()
    brief, page = project_path(board, 3)
    brief.write_text(brief.read_text() + "\nA word nobody else uses: quokkaflux.\n")
    build_with_search(board, output, TODAY)
    index = {path for path in identities(output) if path.startswith("pagefind/")}
    assert index != bundle or rewritten(before, output) & bundle  # Pagefind renames its chunks, or rewrites them
    assert page in rewritten(before, output)
    build(board, output, TODAY)  # without search: the bundle goes, as in a clean build without search
    assert not (output / "pagefind").exists()
    assert_same_as_clean_build(board, output)


def test_layouts_a_page_uses_are_found_through_extends_imports_and_includes(tmp_path: Path) -> None:
    (tmp_path / "layouts").mkdir()
    for name, text in {"base.html": '{% from "_m.html" import x %}{% block b %}{% endblock %}', "_m.html": "{% macro x() %}{% endmacro %}",
                       "page.html": '{% extends "base.html" %}{% block b %}{% include "part.html" %}{% endblock %}',
                       "part.html": "", "other.html": "", "dynamic.html": "{% include page.part %}"}.items():
        (tmp_path / "layouts" / name).write_text(text)
    for compiled in (None, tmp_path / "compiled", tmp_path / "compiled"):  # no cache; a cold cache; a warm one
        layouts, _ = compile_layouts(Theme(tmp_path), compiled)
        assert layouts.used("page.html") == ["_m.html", "base.html", "page.html", "part.html"]
        assert layouts.used("dynamic.html") is None  # known only while rendering: any layout may be used
    assert (tmp_path / "compiled" / "references.json").exists()


def test_explain_lists_the_work_of_a_rebuild_and_why(board: Path, capsys: pytest.CaptureFixture[str]) -> None:
    command = ["--root", str(board), "build", "--now", str(TODAY), "--no-search", "--explain"]
    assert main(command) == 0
    capsys.readouterr()
    assert main(command) == 0
    assert capsys.readouterr().out.startswith("built ")  # nothing done, nothing to explain: the summary alone
    brief, page = project_path(board, 4)
    brief.write_text(brief.read_text() + "\nOne more sentence about the deliverable.\n")
    assert main(command) == 0
    lines = capsys.readouterr().out.splitlines()
    source = brief.relative_to(board).as_posix()
    assert lines[:2] == [f"parse {source}: new or edited, or the settings or logos changed", f"markdown {source}: not rendered before"]
    assert f"render {page}: what it shows changed" in lines and f"write {page}: its bytes changed" in lines


def test_projects_hashed_half_in_another_process_fingerprint_as_when_all_are_hashed_here(board: Path) -> None:
    site = build(board, board.parent / "public", TODAY).site
    projects = [dataclasses.replace(project, path=f"{project.path}{copy}/")
                for copy in range(-(-parallel.MIN_BACKGROUND_ITEMS * 2 // len(site.projects))) for project in site.projects]
    shared, here = Digester(), Digester()
    digest_projects(shared, projects, {})
    assert [shared(project) for project in projects] == [here(project) for project in projects]


def test_a_rebuild_hashes_only_the_projects_made_anew_and_takes_the_others_digests_from_the_last_build(
        board: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    output = board.parent / "public"
    site = build(board, output, TODAY).site
    first = {project.brief.slug for project in search_bundles(site)[OPEN_BUNDLE]}  # planned first, and hashed at once
    closed = {project.brief.slug for project in site.archive} - first
    hashed: list[str] = []
    real_digests = Digester.digests
    monkeypatch.setattr(Digester, "digests", lambda self, values: hashed.extend(p.brief.slug for p in values) or real_digests(self, values))
    brief = board / "content" / "projects" / f"{sorted(closed)[0]}.md"
    brief.write_text(brief.read_text() + "\nOne more sentence.\n")
    assert f"projects/{brief.stem}/index.html" in build(board, output, TODAY).report.names("write")
    assert sorted(hashed) == sorted(first | {brief.stem})
    assert_same_as_clean_build(board, output)
    hashed.clear()
    later = date(2026, 12, 20)  # the open projects' days left change, some close: those are made anew, not the closed ones
    made_anew = {project.brief.slug for project in site.open}
    site = build(board, output, later).site
    first = {project.brief.slug for project in search_bundles(site)[OPEN_BUNDLE]}
    assert set(hashed) == first | made_anew and {project.brief.slug for project in site.projects} - set(hashed)
    build(board, board.parent / "clean", later, use_cache=False)
    assert files(output) == files(board.parent / "clean")


def test_a_brief_committed_again_with_the_same_bytes_shows_its_new_commit_time(tmp_path: Path) -> None:
    """A project's digest is taken from the last build only when all it is made of is the same: its last
    commit's time too, which an edit taken back changes while the file's bytes stay as they were."""
    board, output = copy_example_board(tmp_path / "board"), tmp_path / "public"
    git(board, "init", "--quiet")
    git(board, "commit", "--quiet", "--allow-empty", "-m", "start")
    commit_all(board, "the board", "board-admin")
    shown = build(board, output, TODAY).site.open[0]  # its time shows in the feeds and the sitemap
    brief = board / "content" / "projects" / f"{shown.brief.slug}.md"
    original = brief.read_text()
    brief.write_text(original + "\nA sentence taken back.\n")
    commit_all(board, "an edit", "board-admin")
    brief.write_text(original)
    git(board, "add", "-A")
    subprocess.run(["git", "-C", str(board), "-c", "user.name=board-admin", "-c", "user.email=admin@example.org", "commit", "--quiet",
                    "-m", "taken back"], env={**os.environ, "GIT_COMMITTER_DATE": "2026-11-25T09:30:00Z"}, check=True)
    updated_before = build(board, output, TODAY).site.projects
    assert [project.updated for project in updated_before if project.brief.slug == brief.stem][0].hour == 9
    assert_same_as_clean_build(board, output)
