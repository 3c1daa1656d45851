"""RSS, Atom and JSON Feed of the board, its categories and skills: parsed by real feed parsers."""

from __future__ import annotations

import json
import os
import re
import subprocess
import xml.etree.ElementTree as ET
from datetime import date, datetime, timezone
from email.utils import parsedate_to_datetime
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import feedparser_rs

from site_builder.build import build
from site_builder.cli import main
from tests.conftest import Board
from tests.site_files import EXAMPLE_DATE, REPO, parse_html

TODAY = date.fromisoformat(EXAMPLE_DATE)
BASE = "https://example.org/board/"
NS = {"atom": "http://www.w3.org/2005/Atom", "content": "http://purl.org/rss/1.0/modules/content/",
      "dc": "http://purl.org/dc/elements/1.1/"}
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
FEED_FILES = ("feed.xml", "atom.xml", "feed.json")


def parse_feed(data: bytes, name: str):
    """The parse a feed reader would make: feedparser for XML; for JSON Feed, which feedparser 6 cannot
    read, the feedparser-compatible feedparser-rs."""
    return feedparser_rs.parse(data) if name.endswith(".json") else feedparser.parse(data)


def feed_paths(output: Path) -> list[Path]:
    return sorted(path for name in FEED_FILES for path in output.rglob(name))


def item_links(data: bytes, name: str) -> list[str]:
    """The item permalinks of a feed, read straight from its XML or JSON, in document order."""
    if name == "feed.json":
        return [item["url"] for item in json.loads(data)["items"]]
    root = ET.fromstring(data)
    if name == "atom.xml":
        return [e.find("atom:link[@rel='alternate']", NS).get("href") for e in root.findall("atom:entry", NS)]
    return [item.findtext("link") for item in root.iter("item")]


def item_contents(data: bytes, name: str) -> list[str]:
    if name == "feed.json":
        return [item["content_html"] for item in json.loads(data)["items"]]
    root = ET.fromstring(data)
    if name == "atom.xml":
        return [e.findtext("atom:content", namespaces=NS) for e in root.findall("atom:entry", NS)]
    return [item.findtext("content:encoded", namespaces=NS) for item in root.iter("item")]


def newest_open(projects, today: date = TODAY, limit: int = 50) -> list[str]:
    """What a board feed should list, worked out from the briefs' dates alone."""
    live = [p for p in projects if p.brief.posted <= today <= p.brief.deadline and not p.brief.draft]
    live.sort(key=lambda p: (p.brief.posted, p.brief.slug), reverse=True)
    return [BASE + p.path for p in live[:limit]]


def words(fragment: str) -> str:
    """The text of an HTML fragment, each piece apart and the whitespace folded."""
    return " ".join(" ".join(text for _, text in parse_html(fragment).data).split())


def build_board(board: Board, base_url: str | None = None) -> Path:
    """Build a tiny board as of the example's date; return its output folder."""
    build(board.root, board.root / "public", TODAY, base_url=base_url)
    return board.root / "public"


def assert_inert(fragment: str) -> None:
    """Nothing in the HTML can run script or load from an unsafe or relative URL."""
    for tag, attrs in parse_html(fragment).elements:
        assert tag not in {"script", "style", "iframe", "object", "embed", "svg", "form", "base", "meta", "link"}, tag
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            if name in ("href", "src"):
                assert urlsplit(value).scheme in {"http", "https", "mailto"}, (tag, value)


# --- the example board -------------------------------------------------------------------------------

def test_every_feed_of_the_example_board_parses_without_bozo(example_build):
    output, result = example_build
    paths = feed_paths(output)
    assert len(paths) == 3 * (1 + len(result.site.categories) + len(result.site.skills) + len(result.site.countries))
    versions = {"feed.xml": "rss20", "atom.xml": "atom10", "feed.json": "json11"}
    for path in paths:
        parsed = parse_feed(path.read_bytes(), path.name)
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        assert parsed.version == versions[path.name], path


def test_board_feeds_list_the_newest_open_projects_newest_first(example_build):
    output, result = example_build
    expected = newest_open(result.site.projects)
    assert len(expected) > 10
    for name in FEED_FILES:
        assert item_links((output / name).read_bytes(), name) == expected
        assert [e.link for e in parse_feed((output / name).read_bytes(), name).entries] == expected


def test_closed_and_scheduled_projects_leave_every_feed(example_build):
    output, result = example_build
    gone = [p.brief.slug for p in result.site.projects if p.brief.deadline < TODAY]
    gone += [b.slug for b in result.site.scheduled]
    assert gone
    for path in feed_paths(output):
        text = path.read_text(encoding="utf-8")
        assert not [slug for slug in gone if f"projects/{slug}/" in text], path


def test_category_and_skill_feeds_hold_exactly_their_open_projects(example_build):
    output, result = example_build
    for category in result.site.categories:
        expected = newest_open([p for p in result.site.projects if p.brief.category == category.key])
        for name in FEED_FILES:
            assert item_links((output / f"categories/{category.key}/{name}").read_bytes(), name) == expected
    for skill in result.site.skills:
        expected = newest_open([p for p in result.site.projects if skill.key in p.skill_slugs])
        for name in FEED_FILES:
            assert item_links((output / f"skills/{skill.key}/{name}").read_bytes(), name) == expected


def test_rss_has_the_required_elements_and_rfc822_dates(example_build):
    output, result = example_build
    channel = ET.fromstring((output / "categories/data/feed.xml").read_bytes()).find("channel")
    assert channel.findtext("title") == "Micro-Internship Board: Data projects"
    assert channel.findtext("link") == BASE + "categories/data/"
    assert channel.findtext("description") == "Cleaning, auditing and analysing spreadsheets and databases."
    assert channel.findtext("language") == "en"
    self_link = channel.find("atom:link", NS)
    assert (self_link.get("rel"), self_link.get("href"), self_link.get("type")) == ("self", BASE + "categories/data/feed.xml", "application/rss+xml")
    projects = {BASE + p.path: p for p in result.site.projects}
    items = channel.findall("item")
    assert items
    for item in items:
        project = projects[item.findtext("link")]
        assert item.findtext("title") == project.brief.title
        guid = item.find("guid")
        assert (guid.text, guid.get("isPermaLink")) == (item.findtext("link"), "true")
        published = parsedate_to_datetime(item.findtext("pubDate"))
        assert published == datetime(*project.brief.posted.timetuple()[:3], tzinfo=timezone.utc)
        assert item.findtext("dc:creator", namespaces=NS) == project.brief.company.name
        categories = [c.text for c in item.findall("category")]
        assert categories == ["Data", *project.brief.skills]
        assert unescape(item.findtext("description")) == project.summary
        assert item.findtext("content:encoded", namespaces=NS)
    assert parsedate_to_datetime(channel.findtext("lastBuildDate")) == max(
        projects[item.findtext("link")].updated for item in items)


def test_atom_links_the_page_first_in_the_feed_and_every_entry(example_build):
    """Readers that take an Atom feed's first link as its page (feed-extractor does) must get the listing,
    not the feed file; feedparser keeps the links in document order."""
    output, result = example_build
    paths = sorted(output.rglob("atom.xml"))
    assert len(paths) == 1 + len(result.site.categories) + len(result.site.skills) + len(result.site.countries)
    for path in paths:
        parsed = feedparser.parse(path.read_bytes())
        page = BASE + path.parent.relative_to(output).as_posix() + "/" if path.parent != output else BASE
        assert (parsed.feed.links[0].rel, parsed.feed.links[0].href) == ("alternate", page), path
        assert parsed.feed.link == page
        for entry in parsed.entries:
            assert (entry.links[0].rel, entry.links[0].href) == ("alternate", entry.id), path


def test_atom_has_the_required_elements_and_rfc3339_dates(example_build):
    output, result = example_build
    feed = ET.fromstring((output / "atom.xml").read_bytes())
    assert feed.tag == "{http://www.w3.org/2005/Atom}feed"
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert feed.findtext("atom:id", namespaces=NS) == BASE + "atom.xml"
    assert feed.findtext("atom:title", namespaces=NS) == "Micro-Internship Board"
    assert feed.findtext("atom:author/atom:name", namespaces=NS) == "Micro-Internship Board"
    links = {link.get("rel"): link.get("href") for link in feed.findall("atom:link", NS)}
    assert links == {"self": BASE + "atom.xml", "alternate": BASE}
    entries = feed.findall("atom:entry", NS)
    assert entries
    projects = {BASE + p.path: p for p in result.site.projects}
    for entry in entries:
        project = projects[entry.findtext("atom:id", namespaces=NS)]
        for field in ("published", "updated"):
            assert RFC3339.match(entry.findtext(f"atom:{field}", namespaces=NS)), field
        published = datetime.fromisoformat(entry.findtext("atom:published", namespaces=NS))
        updated = datetime.fromisoformat(entry.findtext("atom:updated", namespaces=NS))
        assert published.date() == project.brief.posted and updated >= published
        assert entry.findtext("atom:title", namespaces=NS) == project.brief.title
        assert entry.findtext("atom:author/atom:name", namespaces=NS) == project.brief.company.name
        assert entry.find("atom:content", NS).get("type") == "html"
        assert entry.find("atom:summary", NS).text == project.summary
        assert [c.get("term") for c in entry.findall("atom:category", NS)][1:] == list(project.brief.skills)
    updated = datetime.fromisoformat(feed.findtext("atom:updated", namespaces=NS))
    assert updated == max(datetime.fromisoformat(e.findtext("atom:updated", namespaces=NS)) for e in entries)


def test_json_feed_has_the_required_elements_and_rfc3339_dates(example_build):
    output, result = example_build
    document = json.loads((output / "skills/sql/feed.json").read_bytes())
    assert document["version"] == "https://jsonfeed.org/version/1.1"
    assert document["title"] == "Micro-Internship Board: projects that need SQL"
    assert document["feed_url"] == BASE + "skills/sql/feed.json"
    assert document["home_page_url"] == BASE + "skills/sql/"
    assert document["language"] == "en"
    assert document["items"]
    projects = {BASE + p.path: p for p in result.site.projects}
    for item in document["items"]:
        project = projects[item["id"]]
        assert item["url"] == item["id"]
        assert item["title"] == project.brief.title and item["summary"] == project.summary
        assert item["content_html"]
        assert RFC3339.match(item["date_published"]) and RFC3339.match(item["date_modified"])
        assert item["authors"][0]["name"] == project.brief.company.name
        assert "SQL" in item["tags"]


def test_ids_are_unique_and_self_links_are_the_feeds_own_urls(example_build):
    output, _ = example_build
    for path in feed_paths(output):
        own_url = BASE + path.relative_to(output).as_posix()
        parsed = parse_feed(path.read_bytes(), path.name)
        ids = [entry.id for entry in parsed.entries]
        assert len(ids) == len(set(ids)), path
        self_links = [link.href for link in parsed.feed.links if link.rel == "self"]
        if path.name == "feed.json":
            self_links = [json.loads(path.read_bytes())["feed_url"]]
        assert self_links == [own_url], path


def test_item_content_states_pay_hours_deadline_and_place_before_the_brief(example_build):
    output, result = example_build
    project = next(p for p in result.site.projects if p.brief.slug == "cafe-mueller-menu-redesign")
    for name in FEED_FILES:
        data = (output / "categories/design" / name).read_bytes()
        content = item_contents(data, name)[item_links(data, name).index(BASE + project.path)]
        facts = content.split("</ul>")[0]
        assert words(facts) == \
            "Pay: €19 per hour (≈ $21) Effort: 16 hours Deadline: Dec 5, 2026 Where: On site: Berlin, DE"  # site.toml: EUR = 1.08
        assert "Café Müller has served breakfast" in content
        assert 'href="mailto:jobs@cafe-mueller.example"' in content
        assert_inert(content)


def test_every_page_head_links_the_board_feeds_and_listings_their_own(example_build):
    output, _ = example_build

    def alternates(page: str) -> list[str]:
        return [a["href"] for tag, a in parse_html((output / page).read_text()).elements
                if tag == "link" and a.get("rel") == "alternate"]

    board = ["/board/feed.xml", "/board/atom.xml", "/board/feed.json"]
    for page in ("index.html", "projects/acme-crm-cleanup/index.html", "about/index.html", "archive/index.html"):
        assert alternates(page) == board, page
    assert alternates("categories/data/index.html") == [f"/board/categories/data/{f}" for f in FEED_FILES] + board
    assert alternates("skills/sql/index.html") == [f"/board/skills/sql/{f}" for f in FEED_FILES] + board
    for href in alternates("skills/sql/index.html"):
        assert (output / href.removeprefix("/board/")).is_file()


def test_home_and_category_pages_show_a_subscribe_box_with_the_feed_links(example_build):
    output, _ = example_build
    for page, base in (("index.html", "/board/"), ("page/2/index.html", "/board/"),
                       ("categories/writing/index.html", "/board/categories/writing/")):
        html = (output / page).read_text()
        box = html[html.index('<section class="subscribe"'):]
        box = box[:box.index("</section>")]
        assert "Subscribe" in box
        hrefs = [a["href"] for tag, a in parse_html(box).elements if tag == "a"]
        assert hrefs[:3] == [base + f for f in FEED_FILES], page
        for href in hrefs:
            assert (output / href.removeprefix("/board/")).is_file(), href
    assert "deadlines.ics" in (output / "index.html").read_text()


def test_feeds_are_byte_identical_across_two_builds_with_the_same_date(example_build, tmp_path):
    output, _ = example_build
    assert main(["--root", str(REPO), "build", "--output", str(tmp_path / "again"), "--now", EXAMPLE_DATE]) == 0
    for path in feed_paths(output) + [output / name for name in ("sitemap.xml", "feeds.opml", "deadlines.ics", "robots.txt")]:
        assert (tmp_path / "again" / path.relative_to(output)).read_bytes() == path.read_bytes(), path


def test_build_summary_counts_the_feeds(tmp_path, capsys):
    assert main(["--root", str(REPO), "build", "--output", str(tmp_path / "out"), "--now", EXAMPLE_DATE]) == 0
    written = len(feed_paths(tmp_path / "out"))
    assert f" pages, {written} feeds in " in capsys.readouterr().out


# --- tiny boards -------------------------------------------------------------------------------------

HOSTILE_TITLE = """</script><script>alert(1)</script> "Q" & 'A' ]]> <img src=x onerror=alert(2)>"""
HOSTILE_COMPANY = """"Evil" & <Sons> ]]> 'Co' </script>"""
HOSTILE_SKILLS = ["<script>x", """"Q" & 'A' ]]>"""]
HOSTILE_LOCATION = """"Q" <b>Berlin</b> ]]>, DE"""
HOSTILE_SUMMARY = """"Hi" <script>alert(1)</script> ]]> <a href="javascript:alert(1)">x</a> 'there'"""
HOSTILE_BODY = """## "Quotes" & <b>bold</b> ]]>

<script>alert(1)</script></script>
<img src=x onerror=alert(1)> <svg onload=alert(1)></svg> <iframe src="https://evil.example"></iframe>
[js](javascript:alert(1)) [JS](JaVaScRiPt:alert(1)) [data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)
<a href="relative/page" onclick="alert(1)">relative</a> ![pic](/pic.png) <a href="vbscript:msgbox">vb</a>

A ]]> in text, "double" and 'single' quotes (control characters the check refuses: see test_hostile_briefs.py).
"""


def hostile_brief(board: Board) -> None:
    """A brief with an attack in every string field (a JSON string is a YAML double-quoted scalar)."""
    board.brief("hostile-brief", HOSTILE_BODY, title=json.dumps(HOSTILE_TITLE), summary=json.dumps(HOSTILE_SUMMARY),
                company=f"\n  name: {json.dumps(HOSTILE_COMPANY)}\n  url: \"https://evil.example/?a='b'&c=d\"",
                skills=json.dumps(HOSTILE_SKILLS), remote="false", location=json.dumps(HOSTILE_LOCATION))


def test_a_hostile_brief_gives_well_formed_inert_feeds(site_board):
    hostile_brief(site_board)
    output = build_board(site_board)
    for name in FEED_FILES:
        data = (output / name).read_bytes()
        parsed = parse_feed(data, name)
        assert not parsed.bozo, (name, parsed.get("bozo_exception"))
        [entry] = parsed.entries
        if name != "feed.json":  # feedparser-rs reads a JSON Feed title as HTML; its raw value is checked below
            assert entry.title == HOSTILE_TITLE, name
        [content] = item_contents(data, name)
        assert_inert(content)
        facts = content.split("</ul>")[0]
        assert [tag for tag, _ in parse_html(facts).elements] == ["ul"] + ["li", "strong"] * 4
        assert words(facts).endswith(f"Where: On site: {HOSTILE_LOCATION}")
    rss = ET.fromstring((output / "feed.xml").read_bytes()).find("channel/item")
    assert rss.findtext("dc:creator", namespaces=NS) == HOSTILE_COMPANY
    assert [c.text for c in rss.findall("category")] == ["Data", *HOSTILE_SKILLS]
    description = rss.findtext("description")
    assert parse_html(description).elements == [] and unescape(description) == HOSTILE_SUMMARY
    atom = ET.fromstring((output / "atom.xml").read_bytes()).find("atom:entry", NS)
    assert atom.findtext("atom:summary", namespaces=NS) == HOSTILE_SUMMARY
    assert atom.findtext("atom:author/atom:name", namespaces=NS) == HOSTILE_COMPANY
    item = json.loads((output / "feed.json").read_bytes())["items"][0]
    assert (item["title"], item["summary"], item["authors"][0]["name"]) == (HOSTILE_TITLE, HOSTILE_SUMMARY, HOSTILE_COMPANY)


def test_feed_content_has_only_absolute_links(site_board):
    site_board.brief("relative-links", "See [the spec](relative/spec.pdf), [the board](/about/) and ![a pic](/pic.png).\n")
    output = build_board(site_board)
    for name in FEED_FILES:
        [content] = item_contents((output / name).read_bytes(), name)
        urls = [a.get("href") or a.get("src") for tag, a in parse_html(content).elements if tag in ("a", "img")]
        assert urls == [BASE + "projects/relative-links/relative/spec.pdf", "https://example.org/about/",
                        "https://example.org/pic.png", "https://acme.example/jobs/123"]


def test_a_board_with_no_open_projects_has_valid_empty_feeds(site_board):
    site_board.brief("long-closed", posted="2026-09-01", deadline="2026-10-01")
    output = build_board(site_board)
    for path in feed_paths(output):
        parsed = parse_feed(path.read_bytes(), path.name)
        assert not parsed.bozo and parsed.entries == [], path
    atom = ET.fromstring((output / "atom.xml").read_bytes())
    assert atom.findtext("atom:updated", namespaces=NS) == "2026-11-25T00:00:00+00:00"  # the build date, not the clock
    assert json.loads((output / "feed.json").read_bytes())["items"] == []


def test_feeds_items_setting_keeps_the_newest_open_projects(site_board):
    site_toml = site_board.root / "site.toml"
    site_toml.write_text(site_toml.read_text() + "\n[feeds]\nitems = 2\n")
    for day in (10, 12, 14):
        site_board.brief(f"project-{day}", posted=f"2026-11-{day}")
    output = build_board(site_board)
    newest = [BASE + "projects/project-14/", BASE + "projects/project-12/"]
    for name in FEED_FILES:
        assert item_links((output / name).read_bytes(), name) == newest
        assert item_links((output / "skills/sql" / name).read_bytes(), name) == newest


def test_feed_urls_follow_a_base_url_given_on_the_command_line(site_board):
    site_board.brief("acme-crm-cleanup")
    output = build_board(site_board, base_url="https://jobs.example")
    rss = ET.fromstring((output / "feed.xml").read_bytes()).find("channel")
    assert rss.find("atom:link", NS).get("href") == "https://jobs.example/feed.xml"
    assert rss.findtext("item/guid") == "https://jobs.example/projects/acme-crm-cleanup/"
    assert '<link rel="alternate" type="application/rss+xml" title="Test Board (RSS)" href="/feed.xml">' in \
        (output / "index.html").read_text()


def test_a_brief_outside_git_counts_as_updated_when_posted(site_board):
    site_board.brief("acme-crm-cleanup")
    entry = ET.fromstring((build_board(site_board) / "atom.xml").read_bytes()).find("atom:entry", NS)
    assert entry.findtext("atom:published", namespaces=NS) == "2026-11-20T00:00:00+00:00"
    assert entry.findtext("atom:updated", namespaces=NS) == "2026-11-20T00:00:00+00:00"


def git(root: Path, *args: str, when: str | None = None) -> None:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    if when:
        env |= {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", *args],
                   cwd=root, env=env, check=True, capture_output=True)


def test_editing_a_committed_brief_moves_its_updated_date_and_keeps_its_id(site_board):
    site_board.brief("acme-crm-cleanup")
    site_board.brief("acme-data-audit", posted="2026-11-18")
    git(site_board.root, "init", "--quiet")
    git(site_board.root, "add", ".")
    git(site_board.root, "commit", "--quiet", "-m", "first", when="2026-11-21T09:30:00+02:00")
    site_board.brief("acme-crm-cleanup", title="Clean up our customer records, and the duplicates")
    git(site_board.root, "commit", "--quiet", "-am", "edit", when="2026-11-23T16:00:00+00:00")
    site_board.brief("acme-new-brief", posted="2026-11-24")  # not committed yet
    atom = ET.fromstring((build_board(site_board) / "atom.xml").read_bytes())
    entries = {e.findtext("atom:id", namespaces=NS): e for e in atom.findall("atom:entry", NS)}
    updated = {url.split("/")[-2]: entry.findtext("atom:updated", namespaces=NS) for url, entry in entries.items()}
    assert updated == {"acme-crm-cleanup": "2026-11-23T16:00:00+00:00", "acme-data-audit": "2026-11-21T07:30:00+00:00",
                       "acme-new-brief": "2026-11-24T00:00:00+00:00"}
    edited = entries[BASE + "projects/acme-crm-cleanup/"]
    assert edited.findtext("atom:title", namespaces=NS) == "Clean up our customer records, and the duplicates"
    assert edited.findtext("atom:published", namespaces=NS) == "2026-11-20T00:00:00+00:00"
    assert atom.findtext("atom:updated", namespaces=NS) == "2026-11-24T00:00:00+00:00"


def test_feeds_carry_the_boards_language_as_a_language_tag(site_board):
    site_toml = site_board.root / "site.toml"
    site_toml.write_text(site_toml.read_text().replace('language = "en"', 'language = "fr_CA"'))
    site_board.brief("acme-crm-cleanup")
    output = build_board(site_board)
    assert ET.fromstring((output / "feed.xml").read_bytes()).findtext("channel/language") == "fr-CA"
    assert ET.fromstring((output / "atom.xml").read_bytes()).get("{http://www.w3.org/XML/1998/namespace}lang") == "fr-CA"
    assert json.loads((output / "feed.json").read_bytes())["language"] == "fr-CA"
