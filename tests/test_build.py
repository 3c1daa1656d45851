"""`board build` on the example board: every page of the spec, links that resolve, same bytes twice."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import date
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from site_builder import writer
from site_builder.build import build
from site_builder.cli import main
from site_builder.errors import BoardError
from tests.site_files import REPO, copy_example_board, internal_links, parse_html, resolve, tree

TODAY = date(2026, 11, 25)
SUB_PATH_URL = "https://example.org/board/"
ROOT_URL = "https://jobs.example.com/"


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    """The example board built once under its sub-path base URL."""
    output = tmp_path_factory.mktemp("example") / "public"
    result = build(REPO, output, TODAY, base_url=SUB_PATH_URL)
    return output, result


def html_of(output: Path, path: str) -> str:
    return (output / path).read_text(encoding="utf-8")


def test_every_page_of_the_spec_exists(example):
    output, result = example
    site = result.site
    expected = ["index.html", "page/2/index.html", "categories/index.html", "skills/index.html", "companies/index.html",
                "archive/index.html", "search/index.html", "about/index.html", "post-a-project/index.html", "404.html"]
    expected += [f"projects/{p.brief.slug}/index.html" for p in site.projects]
    expected += [f"categories/{c.key}/index.html" for c in site.config.categories]
    expected += [f"skills/{g.key}/index.html" for g in site.skills]
    expected += [f"companies/{g.key}/index.html" for g in site.companies]
    missing = [path for path in expected if not (output / path).is_file()]
    assert missing == []
    assert len(site.open) == 19 and len(site.archive) == 7 and len(site.scheduled) == 1
    assert {g.key for g in site.companies} >= {"acme-analytics", "cafe-muller-gmbh", "fjord-energy-as"}


def test_scheduled_project_is_not_built(example):
    output, _ = example
    assert not (output / "projects/cafe-mueller-guest-survey").exists()
    assert "cafe-mueller-guest-survey" not in html_of(output, "index.html")


@pytest.mark.parametrize("base_url", [SUB_PATH_URL, ROOT_URL])
def test_every_internal_link_resolves_to_a_file(tmp_path, base_url):
    output = tmp_path / "public"
    build(REPO, output, TODAY, base_url=base_url)
    base_path = "/" + base_url.split("/", 3)[3]
    broken = []
    pages = sorted(output.rglob("*.html"))
    assert len(pages) > 80
    for page in pages:
        for link in internal_links(page.read_text(encoding="utf-8"), base_url):
            target = resolve(link, base_path, output)
            if target is None or not target.is_file():
                broken.append(f"{page.relative_to(output)} -> {link}")
    assert broken == []


def test_home_lists_open_projects_newest_first_and_paginates(example):
    output, result = example
    newest = [p.brief.slug for p in result.site.open]
    first_page = re.findall(r'class="card-title"><a href="/board/projects/([^/]+)/"', html_of(output, "index.html"))
    second_page = re.findall(r'class="card-title"><a href="/board/projects/([^/]+)/"', html_of(output, "page/2/index.html"))
    assert first_page + second_page == newest
    assert len(first_page) == result.site.config.per_page
    assert 'rel="next" href="/board/page/2/"' in html_of(output, "index.html")
    assert 'rel="prev" href="/board/"' in html_of(output, "page/2/index.html")


def test_archive_lists_closed_projects_most_recently_closed_first(example):
    output, result = example
    listed = re.findall(r'class="card-title"><a href="/board/projects/([^/]+)/"', html_of(output, "archive/index.html"))
    deadlines = [next(p for p in result.site.archive if p.brief.slug == slug).brief.deadline for slug in listed]
    assert len(listed) == 7 and deadlines == sorted(deadlines, reverse=True)


def test_open_project_page_shows_the_facts_an_apply_button_and_job_posting(example):
    output, _ = example
    page = html_of(output, "projects/acme-crm-cleanup/index.html")
    for fact in ("$600 fixed", "20 hours", "Remote", "Dec 15, 2026", "Closes in 20 days", "Acme Analytics",
                 'href="/board/skills/data-cleaning/"', 'class="apply" href="https://acme.example/jobs/123"'):
        assert fact in page
    assert 'name="robots"' not in page
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert len(blocks) == 1
    posting = json.loads(blocks[0])
    assert posting["@type"] == "JobPosting"
    assert posting["datePosted"] == "2026-11-20" and posting["validThrough"].startswith("2026-12-15")
    assert posting["hiringOrganization"]["name"] == "Acme Analytics"
    assert posting["hiringOrganization"]["logo"] == "https://example.org/board/static/logos/acme.svg"
    assert "baseSalary" not in posting and posting["description"].startswith("<p>Pay: $600 fixed. Effort: 20 hours.</p>")
    assert posting["jobLocationType"] == "TELECOMMUTE"
    assert [c["name"] for c in posting["applicantLocationRequirements"]] == ["US", "CA"]
    assert "INTERN" in posting["employmentType"]


def test_both_apply_buttons_say_where_the_click_leads(example):
    output, result = example
    labels = set()
    for project in result.site.open:
        page = html_of(output, project.path + "index.html")
        buttons = re.findall(r'<a class="apply" href="([^"]*)"[^>]*>([^<]*)</a>', page)
        assert len(buttons) == 2 and buttons[0] == buttons[1], project.path
        address, label = buttons[0]
        if address.startswith("mailto:"):
            assert label == "Apply by e-mail", project.path
        else:
            assert label == f"Apply on {urlsplit(unescape(address)).hostname.removeprefix('www.')}", project.path
        labels.add(label.split()[1])
    assert labels == {"by", "on"}, "the example board has both kinds of contact"


def test_on_site_project_has_a_job_location_and_hourly_pay(example):
    output, _ = example
    page = html_of(output, "projects/cafe-mueller-menu-redesign/index.html")
    posting = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    assert posting["jobLocation"]["address"] == {"@type": "PostalAddress", "addressLocality": "Berlin", "addressCountry": "DE"}
    assert "jobLocationType" not in posting
    assert posting["baseSalary"]["value"]["unitText"] == "HOUR"
    assert "€19 per hour" in page and "On site: Berlin, DE" in page


def test_closed_project_has_no_apply_button_no_job_posting_and_noindex(example):
    output, _ = example
    page = html_of(output, "projects/fjord-press-kit/index.html")
    assert '<meta name="robots" content="noindex">' in page
    assert "application/ld+json" not in page
    assert 'class="apply"' not in page
    assert "This project is closed." in page


def test_closing_soon_project_carries_a_badge_on_page_and_card(example):
    output, _ = example
    page = html_of(output, "projects/tidewater-newsletter-series/index.html")
    assert "Closing soon" in page and "Closes tomorrow" in page
    home = html_of(output, "index.html")
    card = home[home.index("projects/tidewater-newsletter-series/"):]
    assert "badge-soon" in card[: card.index("</article>")]


def test_every_page_has_the_head_a_crawler_and_a_strict_csp_need(example):
    output, _ = example
    for page in sorted(output.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        elements = parse_html(html).elements
        metas = {(a.get("name") or a.get("property") or a.get("http-equiv")): a.get("content") for t, a in elements if t == "meta"}
        where = page.relative_to(output).as_posix()
        assert re.search(r'<html lang="en">', html), where
        assert metas.get("description"), where
        assert metas.get("og:title") and metas.get("og:url") and metas.get("twitter:card"), where
        assert "script-src 'self'" in metas["Content-Security-Policy"] and "unsafe-inline" not in metas["Content-Security-Policy"], where
        canonical = [a["href"] for t, a in elements if t == "link" and a.get("rel") == "canonical"]
        assert len(canonical) == 1 and canonical[0].startswith(SUB_PATH_URL), where
        scripts = [a for t, a in elements if t == "script"]
        # Data blocks (JSON-LD, the search page's words) are not script: a browser never runs them.
        assert all(a.get("src") or a.get("type") in ("application/ld+json", "application/json") for a in scripts), f"inline script in {where}"
        assert len([t for t, _ in elements if t == "h1"]) == 1, where


def test_two_builds_of_the_same_sources_are_byte_identical(tmp_path):
    first, second = tmp_path / "one", tmp_path / "two"
    build(REPO, first, TODAY)
    build(REPO, second, TODAY)
    assert tree(first) == tree(second)


def test_a_failed_build_leaves_the_previous_output_untouched(tmp_path, monkeypatch):
    board = copy_example_board(tmp_path / "board")
    output = tmp_path / "public"
    build(board, output, TODAY)
    before = tree(output)

    # A template error is found before anything is written.
    layout = board / "layouts" / "project.html"
    original = layout.read_text()
    layout.write_text(original.replace("{{ brief.title }}", "{{ brief.no_such_field }}", 1))
    with pytest.raises(BoardError) as error:
        build(board, output, TODAY)
    assert "layouts/project.html" in str(error.value)
    assert tree(output) == before
    layout.write_text(original)

    # A disk that fills up halfway through writing (a rebuild writes only the files a change touched).
    brief = board / "content" / "projects" / "acme-crm-cleanup.md"
    brief.write_text(brief.read_text() + "\nA late addition to the brief.\n")
    written = []

    def fill_up(path, mode="r", *args, **kwargs):  # the writer's open(): the third file it writes finds the disk full
        if "w" in mode:
            if len(written) == 2:
                raise OSError(28, "No space left on device")
            written.append(path)
        return open(path, mode, *args, **kwargs)

    monkeypatch.setattr(writer, "open", fill_up, raising=False)
    with pytest.raises(OSError):
        build(board, output, TODAY)
    monkeypatch.undo()
    assert tree(output) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["board", "public"], "no staging folder is left behind"


def test_build_refuses_to_write_over_the_board_sources(tmp_path, capsys):
    board = copy_example_board(tmp_path / "board")
    assert main(["--root", str(board), "build", "--output", ".", "--now", "2026-11-25"]) == 1
    assert "refusing to build into this folder" in capsys.readouterr().err
    assert (board / "site.toml").is_file()


def test_build_prints_a_summary_with_the_next_lifecycle_change(tmp_path, capsys):
    board = copy_example_board(tmp_path / "board")
    assert main(["--root", str(board), "build", "--now", "2026-11-25"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"built 27 projects \(19 open, 7 closed, 1 scheduled\) -> \d+ pages", out)
    assert "next change: 2026-11-27: tidewater-newsletter-series closes" in out


def test_summary_names_three_changes_of_a_busy_day_and_counts_the_rest(tmp_path, capsys):
    board = copy_example_board(tmp_path / "board")
    brief = (board / "content" / "projects" / "acme-crm-cleanup.md").read_text()
    deadline = re.search(r"^deadline: (.+)$", brief, re.M).group(1)
    for number in range(5):
        text = brief.replace(f"deadline: {deadline}", "deadline: 2026-11-26")
        (board / "content" / "projects" / f"same-day-{number}.md").write_text(text)
    assert main(["--root", str(board), "build", "--now", "2026-11-25", "--no-search"]) == 0
    line = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("next change:"))
    assert line == "next change: 2026-11-27: same-day-0 closes, same-day-1 closes, same-day-2 closes and 3 more"  # with tidewater-newsletter-series


def test_build_with_a_broken_brief_exits_1_with_file_and_line(tmp_path, capsys):
    board = copy_example_board(tmp_path / "board")
    brief = board / "content/projects/acme-crm-cleanup.md"
    brief.write_text(brief.read_text().replace("hours: 20", "hours: 100"))
    assert main(["--root", str(board), "build", "--now", "2026-11-25"]) == 1
    err = capsys.readouterr().err
    assert re.search(r"content/projects/acme-crm-cleanup\.md:\d+: hours must be a whole number from 5 to 40, got 100", err)
    assert "Traceback" not in err
    assert not (board / "public").exists()


def test_drafts_are_built_only_when_asked(tmp_path):
    board = copy_example_board(tmp_path / "board")
    brief = board / "content/projects/acme-crm-cleanup.md"
    brief.write_text(brief.read_text().replace("\n---\n", "\ndraft: true\n---\n", 1))
    without = build(board, tmp_path / "without", TODAY)
    assert not (tmp_path / "without/projects/acme-crm-cleanup").exists()
    assert without.site.drafts_left_out == 1
    build(board, tmp_path / "with", TODAY, drafts=True)
    assert (tmp_path / "with/projects/acme-crm-cleanup/index.html").is_file()


def test_summary_of_a_one_project_board_says_project(site_board, tmp_path, capsys):
    site_board.brief()
    assert main(["--root", str(site_board.root), "build", "--output", str(tmp_path / "out"), "--now", "2026-11-25", "--no-search"]) == 0
    assert "built 1 project (1 open, 0 closed, 0 scheduled)" in capsys.readouterr().out


def test_the_board_command_exits_at_once_with_all_it_says_and_makes_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`board` exits without freeing its objects one by one once it succeeded: all it printed reaches a pipe
    (as the same build prints it in this process), and its board and cache are whole (the board built here,
    and a second build with nothing to do)."""
    board, here = copy_example_board(tmp_path / "board"), copy_example_board(tmp_path / "here")
    options = ["build", "--now", "2026-11-25", "--explain", "--no-search"]  # Pagefind names its files differently each time
    command = [sys.executable, "-m", "site_builder", "--root", str(board), *options]
    environment = {**{name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}, "PYTHONPATH": str(REPO)}
    first = subprocess.run(command, capture_output=True, text=True, env=environment, timeout=120)
    assert main(["--root", str(here), *options]) == 0
    timed = re.compile(r" in [0-9.]+ s$", re.MULTILINE)
    assert first.returncode == 0 and timed.sub("", first.stdout) == timed.sub("", capsys.readouterr().out), first.stderr
    again = subprocess.run(command, capture_output=True, text=True, env=environment, timeout=120)
    assert again.returncode == 0 and again.stdout.startswith("built "), again.stdout  # the cache and the records were written
    assert tree(board / "public") == tree(here / "public")
