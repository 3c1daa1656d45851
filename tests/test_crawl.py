"""sitemap.xml, robots.txt, feeds.opml and deadlines.ics: read back with real XML and iCalendar parsers."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta, timezone

import feedparser
import icalendar

from tests.test_feeds import BASE, HOSTILE_COMPANY, HOSTILE_SUMMARY, HOSTILE_TITLE, TODAY, build_board, hostile_brief

SITEMAP = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def sitemap_entries(data: bytes) -> dict[str, str | None]:
    root = ET.fromstring(data)
    assert root.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}urlset"
    return {url.findtext("s:loc", namespaces=SITEMAP): url.findtext("s:lastmod", namespaces=SITEMAP)
            for url in root.findall("s:url", SITEMAP)}


def events(data: bytes) -> list[icalendar.Event]:
    return list(icalendar.Calendar.from_ical(data).walk("VEVENT"))


def test_sitemap_lists_open_projects_with_lastmod_and_leaves_closed_ones_out(example_build):
    output, result = example_build
    entries = sitemap_entries((output / "sitemap.xml").read_bytes())
    projects = {url: lastmod for url, lastmod in entries.items() if url.startswith(BASE + "projects/")}
    open_projects = [p for p in result.site.projects if p.brief.posted <= TODAY <= p.brief.deadline]
    assert set(projects) == {BASE + p.path for p in open_projects}
    for project in open_projects:
        lastmod = datetime.fromisoformat(projects[BASE + project.path])
        assert lastmod.tzinfo and lastmod.date() >= project.brief.posted
    assert all(url.startswith(BASE) for url in entries)
    assert BASE + "archive/" not in entries


def test_sitemap_lists_listing_category_skill_company_and_content_pages(example_build):
    output, result = example_build
    entries = sitemap_entries((output / "sitemap.xml").read_bytes())
    expected = [BASE, BASE + "page/2/", BASE + "categories/", BASE + "skills/", BASE + "companies/", BASE + "about/"]
    expected += [f"{BASE}categories/{g.key}/" for g in result.site.categories]
    expected += [f"{BASE}skills/{g.key}/" for g in result.site.skills]
    expected += [f"{BASE}companies/{g.key}/" for g in result.site.companies]
    assert set(expected) <= set(entries)
    for url in entries:
        assert (output / url.removeprefix(BASE) / "index.html").is_file(), url


def test_robots_txt_points_crawlers_to_the_sitemap(example_build):
    output, _ = example_build
    lines = (output / "robots.txt").read_text().splitlines()
    assert "User-agent: *" in lines
    assert f"Sitemap: {BASE}sitemap.xml" in lines
    assert "Disallow: /" not in lines


def test_opml_lists_every_feed_of_the_board_once(example_build):
    output, result = example_build
    root = ET.fromstring((output / "feeds.opml").read_bytes())
    assert root.tag == "opml" and root.get("version") == "2.0"
    assert root.findtext("head/title") == "Micro-Internship Board: every feed"
    feeds = [o for o in root.iter("outline") if o.get("xmlUrl")]
    expected = [""] + [f"categories/{g.key}/" for g in result.site.categories] + [f"skills/{g.key}/" for g in result.site.skills]
    expected += [f"countries/{g.key}/" for g in result.site.countries]
    assert [o.get("xmlUrl") for o in feeds] == [f"{BASE}{base}feed.xml" for base in expected]
    assert [o.get("htmlUrl") for o in feeds] == [BASE + base for base in expected]
    for outline in feeds:
        assert outline.get("type") == "rss" and outline.get("text")
        parsed = feedparser.parse((output / outline.get("xmlUrl").removeprefix(BASE)).read_bytes())
        assert not parsed.bozo and parsed.feed.title == outline.get("title")
    folders = [o.get("text") for o in root.find("body") if not o.get("xmlUrl")]
    assert folders == ["Categories", "Skills", "Countries"]


def test_deadlines_calendar_has_one_all_day_event_per_open_project(example_build):
    output, result = example_build
    calendar = icalendar.Calendar.from_ical((output / "deadlines.ics").read_bytes())
    assert str(calendar["version"]) == "2.0" and calendar["prodid"]
    assert str(calendar["x-wr-calname"]) == "Micro-Internship Board: application deadlines"
    open_projects = {BASE + p.path: p for p in result.site.projects if p.brief.posted <= TODAY <= p.brief.deadline}
    found = events((output / "deadlines.ics").read_bytes())
    assert sorted(str(e["url"]) for e in found) == sorted(open_projects)
    assert len({str(e["uid"]) for e in found}) == len(found)
    for event in found:
        project = open_projects[str(event["url"])]
        start, end = event.decoded("dtstart"), event.decoded("dtend")
        assert type(start) is date and start == project.brief.deadline and end == start + timedelta(days=1)
        assert event.decoded("dtstamp") == datetime(2026, 11, 25, tzinfo=timezone.utc)  # the build date
        assert project.brief.title in str(event["summary"])
        description = str(event["description"])
        assert f"Effort: {project.brief.hours} hours" in description and "Pay: " in description
        assert str(event["uid"]) == f"{BASE}{project.path}#deadline"
    assert [e.decoded("dtstart") for e in found] == sorted(e.decoded("dtstart") for e in found)


def test_a_deadlines_uid_survives_edits_to_its_brief(site_board):
    site_board.brief("acme-crm-cleanup")
    [before] = events((build_board(site_board) / "deadlines.ics").read_bytes())
    site_board.brief("acme-crm-cleanup", title="A new title", deadline="2026-12-20", hours="25")
    [after] = events((build_board(site_board) / "deadlines.ics").read_bytes())
    assert str(after["uid"]) == str(before["uid"])
    assert after.decoded("dtstart") == date(2026, 12, 20) and "A new title" in str(after["summary"])


def test_hostile_text_stays_text_in_calendar_opml_and_sitemap(site_board):
    hostile_brief(site_board)
    output = build_board(site_board)
    [event] = events((output / "deadlines.ics").read_bytes())
    assert str(event["summary"]) == f"Last day to apply: {HOSTILE_TITLE} ({HOSTILE_COMPANY})"
    assert HOSTILE_SUMMARY in str(event["description"])
    opml = ET.fromstring((output / "feeds.opml").read_bytes())
    titles = [o.get("title") for o in opml.iter("outline") if o.get("xmlUrl")]
    assert """Test Board: projects that need "Q" & 'A' ]]>""" in titles and "Test Board: projects that need <script>x" in titles
    assert BASE + "projects/hostile-brief/" in sitemap_entries((output / "sitemap.xml").read_bytes())


def test_a_board_with_no_open_projects_has_an_empty_calendar_and_no_project_in_its_sitemap(site_board):
    site_board.brief("long-closed", posted="2026-09-01", deadline="2026-10-01")
    output = build_board(site_board)
    calendar = icalendar.Calendar.from_ical((output / "deadlines.ics").read_bytes())
    assert str(calendar["version"]) == "2.0" and list(calendar.walk("VEVENT")) == []
    entries = sitemap_entries((output / "sitemap.xml").read_bytes())
    assert BASE in entries and not [url for url in entries if "/projects/" in url]
    opml = ET.fromstring((output / "feeds.opml").read_bytes())
    assert [o.get("xmlUrl") for o in opml.iter("outline") if o.get("xmlUrl")][0] == BASE + "feed.xml"


def test_calendar_lines_are_folded_within_75_octets_and_read_back_whole(site_board):
    title = "Crème brûlée; menus, prix \\ 数据清理 et café au lait pour l'équipe"
    site_board.brief("acme-crm-cleanup", title=title)
    data = (build_board(site_board) / "deadlines.ics").read_bytes()
    assert data.endswith(b"\r\n") and b"\n" not in data.replace(b"\r\n", b"")
    lines = data.split(b"\r\n")[:-1]
    assert max(len(line) for line in lines) <= 75 and any(line.startswith(b" ") for line in lines)
    for line in lines:
        line.decode()  # no fold splits a character
    [event] = events(data)
    assert str(event["summary"]) == f"Last day to apply: {title} (Acme Analytics)"
