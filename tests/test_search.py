"""The search index the build writes: every project in it, with its filters and sort keys, or none at all."""

from __future__ import annotations

import dataclasses
import gzip
import json
import threading
from datetime import date
from pathlib import Path

import pagefind.service
import pytest

import site_builder.build as build_module
from site_builder import indexing
from site_builder.build import build
from site_builder.cli import main
from site_builder.errors import BoardError
from site_builder import search as search_module
from site_builder.facets import hours_band
from site_builder.lifecycle import status_of
from site_builder.model import Site
from site_builder.outputs import OutputFile
from site_builder.search import index_search
from site_builder.search_parts import BUNDLE_DIR, OPEN_BUNDLE, bundle_at, bundle_folder, bundle_of, search_bundles
from tests.site_files import REPO, broken_bundle_files, copy_example_board, parse_html, tree

TODAY = date(2026, 11, 25)


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    output = tmp_path_factory.mktemp("example") / "public"
    # No cache: every part is indexed by this build, whatever an earlier test left in the repository's .cache/.
    return output, build(REPO, output, TODAY, base_url="https://example.org/board/", use_cache=False)


def search_record(output: Path, project_path: str) -> dict[str, list[str]]:
    """The filters, sort keys and meta a project page hands the index, as attribute -> ["key:value", ...]."""
    record: dict[str, list[str]] = {}
    for _, attrs in parse_html((output / project_path / "index.html").read_text(encoding="utf-8")).elements:
        for attribute in ("data-pagefind-filter", "data-pagefind-sort", "data-pagefind-meta"):
            if attribute in attrs:
                record.setdefault(attribute, []).append(attrs[attribute])
    return record


def bundle_on_disk(output: Path, name: str) -> dict[str, bytes]:
    """A bundle's files as the build wrote them (name -> bytes), without the bundles in its subfolders."""
    folder = output / bundle_folder(name)
    inside = {path.relative_to(folder).as_posix(): path for path in folder.rglob("*") if path.is_file()}
    return {relative: path.read_bytes() for relative, path in inside.items() if bundle_at(bundle_folder(name) + relative) == name}


def test_the_index_holds_every_open_and_closed_project_each_in_its_part(example):
    output, result = example
    bundles = search_bundles(result.site)
    assert list(bundles) == [OPEN_BUNDLE, "2026-06", "2026-09", "2026-10"]  # the example's closed projects: three months, and this one
    assert sum(map(len, bundles.values())) == len(result.site.projects) == result.search_records == 26
    for name, projects in bundles.items():
        entry = json.loads(bundle_on_disk(output, name)["pagefind-entry.json"])
        assert entry["languages"]["en"]["page_count"] == len(projects)
        urls = {record["url"] for record in fragments_on_disk(output, name).values()}
        assert urls == {"/board/" + project.path for project in projects}
    assert set(bundles[OPEN_BUNDLE]) >= set(result.site.open)
    assert (output / "pagefind/pagefind.js").is_file() and not (output / "pagefind/archive/2026-06/pagefind.js").exists()
    # A month's search runs on the open bundle's WebAssembly (Pagefind's mergeIndex), so it publishes none of its own.
    assert list((output / "pagefind").glob("wasm.*")) and not list((output / "pagefind/archive").rglob("wasm.*"))
    parts = json.loads((output / "pagefind/parts.json").read_text())
    assert parts == {"archive": {name: len(projects) for name, projects in bundles.items() if name != OPEN_BUNDLE}}
    assert "search 26 records in 4 parts; indexed now: open, 2026-06, 2026-09, 2026-10" in result.summary()


def test_each_bundle_lists_its_pages_sort_keys_by_pagefind_page_id(example):
    output, result = example
    for name in search_bundles(result.site):
        sort_keys = json.loads(bundle_on_disk(output, name)["sort-keys.json"])
        records = fragments_on_disk(output, name)
        assert set(sort_keys) == set(records)
        for page_id, record in records.items():
            on_page = search_record(output, record["url"].removeprefix("/board/"))["data-pagefind-sort"]
            assert [f"{key}:{value}" for key, value in sort_keys[page_id].items()] == on_page


@pytest.mark.parametrize("deadline, bundle", [
    (date(2026, 12, 1), OPEN_BUNDLE),  # open
    (date(2026, 11, 2), OPEN_BUNDLE),  # closed this month
    (date(2026, 10, 31), "2026-10"),  # closed last month: its month is over
    (date(2026, 9, 30), "2026-09"),
    (date(2025, 12, 31), "2025-12"),
])
def test_a_project_goes_in_the_open_bundle_until_the_month_after_the_one_it_closed_in(example, deadline, bundle):
    _, result = example
    project = result.site.projects[0]
    moved = dataclasses.replace(project, brief=dataclasses.replace(project.brief, deadline=deadline),
                                status=status_of(dataclasses.replace(project.brief, deadline=deadline), TODAY))
    assert bundle_of(moved, TODAY) == bundle


def test_the_bundles_a_build_writes_are_whole(example):
    output, result = example
    for name in search_bundles(result.site):
        assert broken_bundle_files(bundle_on_disk(output, name), merged=name != OPEN_BUNDLE) == [], name
    bundle = bundle_on_disk(output, OPEN_BUNDLE)
    meta = next(name for name in bundle if name.endswith(".pf_meta"))
    assert broken_bundle_files({**bundle, meta: bundle[meta][:-8]}) == [f"{meta}: Compressed file ended before the "
                                                                       "end-of-stream marker was reached"]


def test_every_bundle_pagefind_hands_over_is_whole(example):
    """Pagefind's own write_files answers before its writes have landed, and stopping it loses those still
    pending: on a busy machine about one bundle in fifteen had an empty or cut-short file. Several bundles
    in a row, so that a return of that race has a fair chance of showing here."""
    output, result = example
    for _ in range(5):
        bundle = {file.path.removeprefix(f"{BUNDLE_DIR}/"): file.data for file in index_all(result.site, output)}
        assert broken_bundle_files(bundle) == []


def test_every_project_has_every_sort_key_so_sorting_drops_none(example):
    output, result = example
    for project in result.site.projects:
        sort_keys = [value.split(":", 1)[0] for value in search_record(output, project.path)["data-pagefind-sort"]]
        assert sorted(sort_keys) == ["deadline", "pay", "pay_hour", "posted"], project.path


def test_project_page_hands_the_index_its_filters_and_card_facts(example):
    output, result = example
    record = search_record(output, "projects/acme-crm-cleanup/")
    assert record["data-pagefind-filter"] == [
        "category:data", "skill:Excel", "skill:SQL", "skill:Data cleaning", "country:CA", "country:US", "where:remote",
        "pay:usd-500-999", "hours:11-20", "company:Acme Analytics", "status:open"]
    assert record["data-pagefind-sort"] == ["posted:2026-11-20", "deadline:2026-12-15", "pay:600", "pay_hour:30"]
    meta = dict(value.split(":", 1) for value in record["data-pagefind-meta"])
    assert meta["company"] == "Acme Analytics" and meta["pay"] == "$600 fixed" and meta["hours"] == "20 hours"
    assert meta["where"] == "Remote" and meta["deadline"] == "Closes in 20 days (Dec 15, 2026)" and meta["badge"] == ""
    assert meta["company_slug"] == "acme-analytics"
    assert bytes.fromhex(meta["logo"]).decode().startswith("/board/static/logos/acme.svg?v=")
    assert json.loads(meta["skills"])[0] == ["Excel", "excel"]
    assert not [value for value in meta.values() if "/" in value], "Pagefind makes meta searchable: no URL words"


def test_hourly_pay_is_banded_and_sorted_by_the_whole_project(example):
    output, result = example
    hourly = next(p for p in result.site.projects if p.brief.compensation.type == "hourly" and p.brief.compensation.currency == "USD")
    total = hourly.brief.compensation.amount * hourly.brief.hours
    record = search_record(output, hourly.path)
    assert f"pay:{total:f}" in record["data-pagefind-sort"]
    band = next(value for value in record["data-pagefind-filter"] if value.startswith("pay:"))
    low, high = band.removeprefix("pay:usd-").split("-")
    assert int(low) <= total and (high == "plus" or total < int(high) + 1)


def test_closed_and_on_site_projects_are_filtered_as_such(example):
    output, result = example
    closed = result.site.archive[0]
    assert "status:closed" in search_record(output, closed.path)["data-pagefind-filter"]
    on_site = next(p for p in result.site.projects if not p.brief.remote)
    assert "where:on-site" in search_record(output, on_site.path)["data-pagefind-filter"]


@pytest.mark.parametrize("hours, band", [(5, "5-10"), (10, "5-10"), (11, "11-20"), (20, "11-20"), (21, "21-40"), (40, "21-40")])
def test_hours_bands_cover_every_allowed_effort(hours, band):
    assert hours_band(hours).key == band


def test_search_page_lists_pay_and_hours_bands_in_increasing_order(example):
    output, _ = example
    elements = parse_html((output / "search/index.html").read_text(encoding="utf-8")).elements
    values = {}
    for tag, attrs in elements:
        if tag == "input" and attrs.get("name") in ("pay", "hours", "category", "status"):
            values.setdefault(attrs["name"], []).append(attrs["value"])
    assert values["hours"] == ["5-10", "11-20", "21-40"]
    assert values["category"] == ["research", "data", "writing", "software", "design", "marketing"]
    assert values["status"] == ["open", "closed", "all"]
    usd = [value for value in values["pay"] if value.startswith("usd-")]
    assert usd == ["usd-0-249", "usd-250-499", "usd-500-999", "usd-1000-plus"]
    assert values["pay"][:4] == usd, "the board's most used currency comes first"
    bundle = next(attrs for tag, attrs in elements if tag == "form" and attrs.get("id") == "search")
    assert bundle["data-search-bundle"] == "/board/pagefind/"


def test_no_search_build_writes_no_index_and_says_so(tmp_path, capsys):
    board = copy_example_board(tmp_path / "board")
    assert main(["--root", str(board), "build", "--now", "2026-11-25", "--no-search"]) == 0
    assert "search skipped (--no-search)" in capsys.readouterr().out
    assert not (board / "public/pagefind").exists()
    assert (board / "public/search/index.html").is_file()


def test_search_index_failure_is_a_clear_error_and_keeps_the_previous_site(tmp_path, monkeypatch, capsys):
    board = copy_example_board(tmp_path / "board")
    output = board / "public"
    build(board, output, TODAY)
    before = tree(output, skip=())
    brief = board / "content" / "projects" / "acme-crm-cleanup.md"  # a change, so the rebuild must index again
    brief.write_text(brief.read_text() + "\nOne more line for the index.\n")

    def no_binary() -> Path:
        raise FileNotFoundError("Could not find pagefind binary")

    monkeypatch.setattr(pagefind.service, "_must_get_executable", no_binary)
    with pytest.raises(BoardError):
        build(board, output, TODAY)
    assert main(["--root", str(board), "build", "--now", "2026-11-25"]) == 1
    err = capsys.readouterr().err
    assert "pagefind:1: Pagefind could not write the search index" in err and "--no-search" in err
    assert "Traceback" not in err
    assert tree(output, skip=()) == before
    assert sorted(p.name for p in board.iterdir() if p.name.startswith(".public")) == [], "no staging folder is left"


def test_a_build_that_fails_beside_the_index_stops_it_rather_than_waiting_for_it(tmp_path, monkeypatch):
    """The rest of the board renders while the open bundle is indexed: when a page of it fails, Pagefind is stopped."""
    board = copy_example_board(tmp_path / "board")
    output = board / "public"
    build(board, output, TODAY)
    brief = board / "content" / "projects" / "acme-crm-cleanup.md"  # an edit to an open brief: the open bundle is indexed again
    brief.write_text(brief.read_text() + "\nOne more line for the index.\n")
    about = board / "layouts" / "page.html"  # the content pages' alone: the project pages go on to the index as before
    about.write_text(about.read_text().replace("{% block main %}", "{% block main %}{{ 1/0 }}", 1))
    # Each real step held until the other's turn: the rest renders once Pagefind is indexing, and indexing goes on once it failed.
    real_bundle_files, real_render, indexing, ended = search_module._bundle_files, build_module.render, threading.Event(), []

    async def once_the_build_failed(records, language, stop):
        indexing.set()
        assert stop.wait(30), "the failed build stops the indexing"
        try:
            return await real_bundle_files(records, language, stop)
        except search_module.IndexingStopped:
            ended.append("stopped")
            raise

    def once_indexing(*args):
        assert indexing.wait(30)
        return real_render(*args)

    monkeypatch.setattr(search_module, "_bundle_files", once_the_build_failed)
    monkeypatch.setattr(build_module, "render", once_indexing)
    with pytest.raises(BoardError, match="layouts/page.html:[0-9]+: template error: division by zero"):
        build(board, output, TODAY)
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and thread.name.startswith("ThreadPoolExecutor"):
            thread.join(30)
    assert ended == ["stopped"]


def index_all(site: Site, output: Path, page=None) -> list[OutputFile]:
    """Every project in one bundle, as the build indexed them before the index came in parts."""
    return index_search(site, {OPEN_BUNDLE: site.projects}, page or (lambda path: (output / path).read_bytes()))


def fragments_on_disk(output: Path, name: str) -> dict[str, dict]:
    """Each page's record in a bundle the build wrote, by Pagefind's page id."""
    records = {}
    for file, data in bundle_on_disk(output, name).items():
        if file.endswith(".pf_fragment"):
            data = gzip.decompress(data)
            records[file.removeprefix("fragment/").removesuffix(".pf_fragment")] = json.loads(data[data.index(b"{"):])
    return records


def fragments(bundle: list[OutputFile]) -> dict[str, dict]:
    """Each page's record in a Pagefind bundle (its text, filters and meta), by URL."""
    records = {}
    for file in bundle:
        if not file.path.endswith(".pf_fragment"):
            continue
        data = gzip.decompress(file.data)
        record = json.loads(data[data.index(b"{"):])
        records[record["url"]] = record
    return records


def test_indexing_only_the_main_element_gives_pagefind_the_same_records(example, monkeypatch):
    output, result = example
    page = (output / result.site.projects[0].path / "index.html").read_bytes()
    main = fragments(index_all(result.site, output))
    sent = search_module.indexed_part(page)
    assert b"application/ld+json" not in sent and b'class="site-footer"' not in sent and len(sent) < len(page) * 0.6
    monkeypatch.setattr(search_module, "indexed_part", lambda page: page)
    whole = fragments(index_all(result.site, output))
    assert len(main) == len(result.site.projects)
    assert main == whole


def card_skeleton(html: str, start: str) -> list[tuple[str, str]]:
    """The elements (tag, class) of the first card after `start` in a page, one skill tag and no badge or logo kept."""
    text = html[html.index(start):]
    text = text[text.index('<article class="card'):]
    skeleton = [(tag, attrs.get("class") or "") for tag, attrs in parse_html(text[:text.index("</article>") + 10]).elements]
    skeleton = [(tag, css) for tag, css in skeleton if "badge" not in css and "logo" not in css]
    tags = next(i for i, (_, css) in enumerate(skeleton) if css == "tags")
    return skeleton[:tags + 3]  # the card ends with its skill tags: the list and its first skill (li, a)


def test_search_result_card_is_the_listing_cards_markup_with_a_slot_for_each_fact(example):
    output, _ = example
    search_page = (output / "search" / "index.html").read_text(encoding="utf-8")
    listing = (output / "index.html").read_text(encoding="utf-8").replace("<h2 class", "<h3 class")  # results sit under an h2
    assert card_skeleton(search_page, '<template id="search-card">') == card_skeleton(listing, '<div class="cards">')
    template = search_page[search_page.index('<template id="search-card">'):search_page.index("</template>")]
    slots = [attrs["data-slot"] for _, attrs in parse_html(template).elements if "data-slot" in attrs]
    assert slots == ["title", "company", "pay", "hours", "where", "deadline", "summary", "skill"]


def test_a_brief_edited_in_an_old_month_indexes_that_months_bundle_and_no_other(tmp_path):
    board = copy_example_board(tmp_path / "board")
    output = tmp_path / "public"
    first = build(board, output, TODAY)
    names = tuple(search_bundles(first.site))
    assert first.search_parts == (len(names), names) and len(names) >= 3
    again = build(board, output, TODAY)
    assert again.search_parts == (len(names), ()) and again.report.names("index") == []  # nothing changed: every bundle kept
    month = names[1]
    old = next(project for project in first.site.archive if bundle_of(project, TODAY) == month)
    before = {name: bundle_on_disk(output, name) for name in names}
    (board / old.brief.source).write_text((board / old.brief.source).read_text() + "\nA word only this brief has: quokkaflux.\n")
    rebuilt = build(board, output, TODAY)
    assert rebuilt.report.names("index") == [bundle_folder(month)]  # the build's own account of its work
    assert rebuilt.search_parts == (len(names), (month,)) and f"indexed now: {month}" in rebuilt.summary()
    after = {name: bundle_on_disk(output, name) for name in names}
    assert {name for name in names if after[name] != before[name]} == {month}
    assert "quokkaflux" in next(record["content"] for record in fragments_on_disk(output, month).values()
                                if record["url"] == "/board/" + old.path)


def test_a_new_stylesheet_or_host_renders_every_page_again_and_indexes_no_bundle(tmp_path):
    """A bundle's fingerprint is what Pagefind reads of its pages (each one's `<main>`, under the base path), not
    what the pages are made from: a stylesheet every page links, or a preview deploy's host, leaves every bundle
    as it was, and the board is still the one a clean build makes. A new base path moves every page's URL."""
    board = copy_example_board(tmp_path / "board")
    output = tmp_path / "public"
    names = [bundle_folder(name) for name in search_bundles(build(board, output, TODAY).site)]
    style = board / "static" / "style.css"
    style.write_text(style.read_text(encoding="utf-8") + "\n/* a rule every page's stylesheet link now versions */\n", encoding="utf-8")
    restyled = build(board, output, TODAY).report
    assert "projects/acme-crm-cleanup/index.html" in restyled.names("render") and restyled.names("index") == []
    clean = build(board, tmp_path / "clean", TODAY, use_cache=False)
    assert tree(output) == tree(tmp_path / "clean") and clean.report.names("index") == names
    for name in search_bundles(clean.site):  # the kept bundles hold the records a clean build's hold (Pagefind's own ids and hashes vary)
        assert sorted(fragments_on_disk(output, name).values(), key=str) == sorted(fragments_on_disk(tmp_path / "clean", name).values(), key=str)
    previewed = build(board, output, TODAY, base_url="https://preview.example/board/").report
    assert "projects/acme-crm-cleanup/index.html" in previewed.names("render") and previewed.names("index") == []
    moved = build(board, output, TODAY, base_url="https://example.org/jobs/").report
    assert moved.names("index") == names


def test_an_edited_open_brief_is_indexed_while_the_rest_is_planned_into_the_bundle_a_clean_build_makes(tmp_path, monkeypatch):
    """The open bundle, which an employer's edit changes, is made by a thread driving Pagefind while this
    process plans the rest of the board (indexing.py), and it is the bundle a build from nothing makes."""
    board = copy_example_board(tmp_path / "board")
    output = tmp_path / "public"
    first = build(board, output, TODAY)
    project = first.site.open[len(first.site.open) // 2]
    (board / project.brief.source).write_text((board / project.brief.source).read_text() + "\nA word only this brief has: quokkaflux.\n")
    events, real_thread, real_plan, real_index = [], indexing.in_thread, build_module.plan, search_module._bundle_files

    def in_thread(*args):
        events.append("indexing started")
        return real_thread(*args)

    def plan(*args):
        events.append("rest planned")
        return real_plan(*args)

    async def bundle_files(records, language, stop):
        events.append(("indexed by", threading.get_ident() == threading.main_thread().ident, len(records)))
        return await real_index(records, language, stop)

    monkeypatch.setattr(indexing, "in_thread", in_thread)
    monkeypatch.setattr(build_module, "plan", plan)
    monkeypatch.setattr(search_module, "_bundle_files", bundle_files)
    rebuilt = build(board, output, TODAY)
    opened = search_bundles(rebuilt.site)[OPEN_BUNDLE]
    # The index starts first; then the thread indexes while this process plans, in whichever order they come to it.
    assert events[0] == "indexing started" and sorted(events[1:], key=str) == [("indexed by", False, len(opened)), "rest planned"]
    assert rebuilt.search_parts[1] == (OPEN_BUNDLE,) and rebuilt.report.names("index") == [bundle_folder(OPEN_BUNDLE)]
    build(board, tmp_path / "clean", TODAY, use_cache=False)
    assert fragments_on_disk(output, OPEN_BUNDLE) == fragments_on_disk(tmp_path / "clean", OPEN_BUNDLE)
    assert "quokkaflux" in next(record["content"] for record in fragments_on_disk(output, OPEN_BUNDLE).values()
                                if record["url"] == "/board/" + project.path)


def test_a_build_into_an_empty_folder_takes_the_unchanged_bundles_from_the_cache(tmp_path):
    """A deploy starts from a fresh output folder and the kept .cache/: only the changed bundle is indexed."""
    board = copy_example_board(tmp_path / "board")
    first = build(board, tmp_path / "first", TODAY)
    names = tuple(search_bundles(first.site))
    old = next(project for project in first.site.archive if bundle_of(project, TODAY) == names[1])
    (board / old.brief.source).write_text((board / old.brief.source).read_text() + "\nOne more line.\n")
    fresh = build(board, tmp_path / "fresh", TODAY)
    assert fresh.report.names("index") == [bundle_folder(names[1])]
    for name in names[2:]:
        assert bundle_on_disk(tmp_path / "fresh", name) == bundle_on_disk(tmp_path / "first", name)
    assert broken_bundle_files(bundle_on_disk(tmp_path / "fresh", OPEN_BUNDLE)) == []
    assert len(list((board / ".cache/bundles").iterdir())) == len(names)  # the edited month's old bundle is gone



def test_the_bundles_a_rebuild_keeps_in_its_folder_stay_in_the_cache_for_a_build_into_an_empty_one(tmp_path):
    """A rebuild that indexes one month keeps every other bundle in the cache, not only in its output folder;
    a bundle the cache lost (as a cache of an earlier version did) is put back from that folder."""
    board = copy_example_board(tmp_path / "board")
    output = tmp_path / "public"
    first = build(board, output, TODAY)
    names = tuple(search_bundles(first.site))
    old = next(project for project in first.site.archive if bundle_of(project, TODAY) == names[1])
    (board / old.brief.source).write_text((board / old.brief.source).read_text() + "\nOne more line.\n")
    kept = board / ".cache/bundles"
    # A month the edit leaves as it was. (The first file by name, lost before, was the edited month's bundle in
    # about one code version in four: its name is a hash that covers the code.)
    lost = kept / f"{first.search_keys[names[-1]]}.pickle"
    lost.unlink()
    rebuilt = build(board, output, TODAY)
    assert rebuilt.report.names("index") == [bundle_folder(names[1])]
    assert len(list(kept.iterdir())) == len(names) and lost.is_file()
    fresh = build(board, tmp_path / "fresh", TODAY)
    assert fresh.report.names("index") == [] and fresh.search_parts == (len(names), ())
    assert {name: bundle_on_disk(tmp_path / "fresh", name) for name in names} == {name: bundle_on_disk(output, name) for name in names}

def test_bundles_are_indexed_side_by_side_only_within_the_largest_bundles_pages(example, monkeypatch):
    """Each Pagefind process holds its bundle's pages: the pages in flight at once never exceed the largest
    bundle's, so the build's memory follows the largest bundle, not the history."""
    output, result = example
    bundles = search_bundles(result.site)
    largest = max(len(projects) for projects in bundles.values())
    in_flight, most, runs_beside, counting = [0], [0], [], threading.Lock()
    real = search_module._bundle_files

    async def counted(records, language, stop):  # the real indexing, counted as each thread starts and ends it
        with counting:
            in_flight[0] += len(records)
            most[0] = max(most[0], in_flight[0])
            runs_beside.append(in_flight[0] > len(records))
        try:
            return await real(records, language, stop)
        finally:
            with counting:
                in_flight[0] -= len(records)

    monkeypatch.setattr(search_module, "_bundle_files", counted)
    index_search(result.site, bundles, lambda path: (output / path).read_bytes(), jobs=4)
    assert len(bundles) > 2 and most[0] <= largest
    assert not runs_beside[0], "the largest bundle goes alone"
