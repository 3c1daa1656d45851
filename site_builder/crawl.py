"""Crawl stage: the Site -> sitemap.xml, robots.txt, feeds.opml and deadlines.ics.

These are the files other programs read to find the board: search engines (the sitemap, which lists
only open projects, as Google asks for expired job postings), feed readers (one OPML to import every
feed) and calendar apps (the open projects' deadlines). Like the feeds, each holds absolute URLs and
only dates from the briefs, git or the build date, never the clock.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from email.utils import format_datetime
from xml.etree import ElementTree as ET

from .config import SiteConfig
from .lifecycle import start_of
from .model import Feed, Project, Site
from .outputs import FEED_FORMATS, OutputFile, SiteFile
from .text import without_forbidden
from .wording import GENERATOR, project_facts, xml_document

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
OPML_FEED = FEED_FORMATS[0]  # one format per feed: an OPML import subscribes to every outline it lists


def indexable_paths(site: Site) -> tuple[str, ...]:
    """The pages besides the projects a search engine should index: listings, indexes and content pages.

    The archive is left out with the closed projects it lists: nothing on it can be applied for."""
    paths = [listing.path for listing in site.listings() if listing.kind != "archive"]
    return tuple(paths + ["categories/", "skills/", "companies/", "countries/", "search/"] + [page.path for page in site.pages])


def sitemap(config: SiteConfig, paths: tuple[str, ...], open_projects: tuple[Project, ...]) -> list[OutputFile]:
    """Every page of `paths`, then every open project with its lastmod."""
    root = ET.Element("urlset", xmlns=SITEMAP_NS)
    for path, lastmod in [(path, None) for path in paths] + [(p.path, p.updated) for p in open_projects]:
        url = ET.SubElement(root, "url")
        ET.SubElement(url, "loc").text = config.absolute(path)
        if lastmod:
            ET.SubElement(url, "lastmod").text = lastmod.isoformat()
    return [OutputFile("sitemap.xml", xml_document(root))]


def robots(config: SiteConfig) -> list[OutputFile]:
    """Let every crawler in and point it to the sitemap (crawlers read robots.txt only at a host's root)."""
    return [OutputFile("robots.txt", f"User-agent: *\nAllow: /\n\nSitemap: {config.absolute('sitemap.xml')}\n".encode())]


def opml(config: SiteConfig, feeds: tuple[Feed, ...]) -> list[OutputFile]:
    """OPML 2.0 subscription list: the board's feed, then a folder each of category, skill and country feeds."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = config.words.gettext("%(board)s: every feed") % {"board": config.title}
    ET.SubElement(head, "dateModified").text = format_datetime(max(feed.updated for feed in feeds))
    ET.SubElement(head, "docs").text = "http://opml.org/spec2.opml"
    body = ET.SubElement(root, "body")

    def outline(parent: ET.Element, title: str, base: str) -> None:
        ET.SubElement(parent, "outline", type="rss", version="RSS2", text=title, title=title,
                      xmlUrl=config.absolute(base + OPML_FEED.file), htmlUrl=config.absolute(base))

    outline(body, feeds[0].title, feeds[0].base)
    _ = config.words.gettext
    for name, prefix in ((_("Categories"), "categories/"), (_("Skills"), "skills/"), (_("Countries"), "countries/")):
        folder = ET.SubElement(body, "outline", text=name, title=name)
        for feed in (f for f in feeds if f.base.startswith(prefix)):
            outline(folder, feed.title, feed.base)
    return [OutputFile("feeds.opml", xml_document(root))]


def deadlines(config: SiteConfig, today: date, open_projects: tuple[Project, ...]) -> list[OutputFile]:
    """iCalendar (RFC 5545) with one all-day event on each open project's deadline, to subscribe to.

    Written here, line by line: a calendar of a thousand events took the icalendar library 0.6 s to make.
    tests/test_crawl.py reads it back with icalendar."""
    _ = config.words.gettext
    name = _ics_text(_("%(board)s: application deadlines") % {"board": config.title})
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{_ics_text(f'-//{GENERATOR}//{config.title} deadlines//EN')}",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH", f"NAME:{name}", f"X-WR-CALNAME:{name}",
             f"DESCRIPTION:{_ics_text(config.description)}", f"URL:{config.absolute('')}",
             "REFRESH-INTERVAL;VALUE=DURATION:P1D", "X-PUBLISHED-TTL:P1D"]  # the board rebuilds daily
    stamp = _ics_time(start_of(today, config.timezone))
    for project in sorted(open_projects, key=lambda p: (p.brief.deadline, p.brief.slug)):
        brief = project.brief
        url = config.absolute(project.path)
        facts = " · ".join(f"{label}: {value}" for label, value in project_facts(project, config))
        summary = _("Last day to apply: %(title)s (%(company)s)") % {"title": brief.title, "company": brief.company.name}
        links = _("Apply: %(apply)s\nDetails: %(url)s") % {"apply": brief.apply, "url": url}
        description = f"{facts}\n\n{project.summary}\n\n{links}"
        lines += [
            "BEGIN:VEVENT",
            f"UID:{url}#deadline",  # the permalink: stable whatever else changes in the brief
            f"DTSTAMP:{stamp}", f"LAST-MODIFIED:{_ics_time(project.updated)}",
            f"DTSTART;VALUE=DATE:{brief.deadline:%Y%m%d}",
            f"DTEND;VALUE=DATE:{brief.deadline + timedelta(days=1):%Y%m%d}",  # all-day events end the next day, exclusively
            f"SUMMARY:{_ics_text(summary)}", f"DESCRIPTION:{_ics_text(description)}",
            f"URL:{url}", f"CATEGORIES:{_ics_text(config.category(brief.category).title)}",
            "TRANSP:TRANSPARENT",  # a deadline does not make the student busy
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    # iCalendar's line ends are CRLF; no other control character belongs
    return [OutputFile("deadlines.ics", "".join(_folded(without_forbidden(line)) + "\r\n" for line in lines).encode())]


def _ics_text(value: str) -> str:
    """An iCalendar TEXT value (RFC 5545 3.3.11): backslashes, semicolons and commas escaped, line breaks as \\n."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def _ics_time(moment: datetime) -> str:
    return f"{moment.astimezone(timezone.utc):%Y%m%dT%H%M%SZ}"


def _folded(line: str, limit: int = 75) -> str:
    """A content line folded into lines of at most 75 octets, each after the first starting with a space
    (RFC 5545 3.1), never inside a UTF-8 character or a backslash escape."""
    data = line.encode()
    parts, start, room = [], 0, limit
    while len(data) - start > room:
        cut = start + room
        while data[cut] & 0xC0 == 0x80:  # inside a character
            cut -= 1
        backslashes = len(data[start:cut]) - len(data[start:cut].rstrip(b"\\"))
        cut -= backslashes % 2  # after the first half of an escape
        parts.append(data[start:cut])
        start, room = cut, limit - 1
    parts.append(data[start:])
    return b"\r\n ".join(parts).decode()


def crawl_specs(site: Site) -> list[SiteFile]:
    """The board's files for search engines, feed readers and calendar apps, each with what it is made from."""
    config = site.config
    return [SiteFile(("sitemap.xml",), sitemap, (config, indexable_paths(site), site.open), grows=True),
            SiteFile(("robots.txt",), robots, (config,)),
            SiteFile(("feeds.opml",), opml, (config, tuple(site.feeds()))),
            SiteFile(("deadlines.ics",), deadlines, (config, site.today, site.open), grows=True)]
