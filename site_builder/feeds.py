"""Feeds stage: the Site -> RSS 2.0, Atom 1.0 and JSON Feed 1.1 files for the board, each category and each skill.

Each feed is a pure function of its own projects, so a rebuild redoes only the feeds an edit shows in;
three serializers write the same items. XML goes through ElementTree and JSON through `json`, never a
string template, so no employer text can leave the element it belongs in. Every date comes from the
briefs, git or the build date, never from the clock, so the same sources give the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from html import escape
from xml.etree import ElementTree as ET

from .config import SiteConfig
from .markup import absolute_links
from .model import Feed, Project, Site
from .outputs import FEED_FORMATS, OutputFile, SiteFile
from .text import output_json
from .wording import GENERATOR, apply_label, project_facts, xml_document

ATOM_NS = "http://www.w3.org/2005/Atom"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"
XML_NS = "http://www.w3.org/XML/1998/namespace"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"

for _prefix, _uri in (("atom", ATOM_NS), ("content", CONTENT_NS), ("dc", DC_NS)):
    ET.register_namespace(_prefix, _uri)


@dataclass(frozen=True)
class Tag:
    """A category or skill of an item."""

    name: str
    scheme: str  # the board's index of its kind, ".../categories/" or ".../skills/", telling the two apart


@dataclass(frozen=True)
class FeedItem:
    """One open project as every feed format shows it."""

    url: str  # the permalink, also the item's id: only the slug shapes it, so editing the brief never changes it
    title: str
    summary: str  # plain text
    content_html: str  # the facts, the brief, an apply link; every URL absolute
    published: datetime
    updated: datetime
    author: str
    author_url: str | None
    tags: tuple[Tag, ...]  # the category, then the skills


@dataclass(frozen=True)
class Channel:
    """What a feed says about itself, in whichever format it is written."""

    title: str
    description: str
    page_url: str  # the listing the feed follows; its files sit beside it, so a self link is page_url + file
    board: str  # the board's name, the author of every feed
    board_url: str
    language: str  # RFC 5646: "en", "fr-CA"
    updated: datetime  # the newest item's update, or the start of the build date when there is none
    items: tuple[FeedItem, ...]


def feed_item(project: Project, config: SiteConfig) -> FeedItem:
    """The project as a feed reader shows it, away from the board: the facts first, every URL absolute."""
    brief = project.brief
    url = config.absolute(project.path)
    facts = "".join(f"<li><strong>{escape(name)}:</strong> {escape(value)}</li>" for name, value in project_facts(project, config))
    label = apply_label(brief.apply, config.words)
    apply = f'<p><a href="{escape(brief.apply)}">{escape(label)}</a></p>'
    tags = [Tag(config.category(brief.category).title, config.absolute("categories/"))]
    tags += [Tag(skill, config.absolute("skills/")) for skill in brief.skills]
    return FeedItem(
        url=url, title=brief.title, summary=project.summary,
        content_html=f"<ul>{facts}</ul>\n{absolute_links(project.html, url)}\n{apply}",
        published=project.published, updated=project.updated,
        author=brief.company.name, author_url=brief.company.url, tags=tuple(tags),
    )


def channel(feed: Feed, config: SiteConfig) -> Channel:
    """A feed's own description, dated by its newest item so that a rebuild of the same sources changes nothing."""
    return Channel(feed.title, feed.description, config.absolute(feed.base), config.title, config.absolute(""),
                   config.language.replace("_", "-"), feed.updated, tuple(feed_item(p, config) for p in feed.projects))


def _child(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    element.text = text
    return element


def rss(feed: Channel) -> bytes:
    """RSS 2.0 with content:encoded for the full brief and atom:link for the self link."""
    root = ET.Element("rss", version="2.0")
    head = _child(root, "channel")
    _child(head, "title", feed.title)
    _child(head, "link", feed.page_url)
    _child(head, "description", feed.description)
    _child(head, f"{{{ATOM_NS}}}link", href=feed.page_url + "feed.xml", rel="self", type="application/rss+xml")
    _child(head, "language", feed.language)
    _child(head, "lastBuildDate", format_datetime(feed.updated))
    _child(head, "generator", GENERATOR)
    for item in feed.items:
        entry = _child(head, "item")
        _child(entry, "title", item.title)
        _child(entry, "link", item.url)
        _child(entry, "guid", item.url, isPermaLink="true")
        _child(entry, "pubDate", format_datetime(item.published))
        _child(entry, f"{{{DC_NS}}}creator", item.author)
        for tag in item.tags:
            _child(entry, "category", tag.name, domain=tag.scheme)
        _child(entry, "description", escape(item.summary))  # RSS readers take a description as HTML
        _child(entry, f"{{{CONTENT_NS}}}encoded", item.content_html)
    return xml_document(root)


def atom(feed: Channel) -> bytes:
    """Atom 1.0; the board is the feed's author, so even an empty feed is complete."""
    def person(parent: ET.Element, name: str, uri: str | None) -> None:
        author = _child(parent, "author")
        _child(author, "name", name)
        if uri:
            _child(author, "uri", uri)

    root = ET.Element("feed", {"xmlns": ATOM_NS, f"{{{XML_NS}}}lang": feed.language})
    self_url = feed.page_url + "atom.xml"
    _child(root, "id", self_url)
    _child(root, "title", feed.title)
    _child(root, "subtitle", feed.description)
    # The alternate link first: readers that take a feed's first link (feed-extractor) show it as the board's page.
    _child(root, "link", rel="alternate", type="text/html", href=feed.page_url)
    _child(root, "link", rel="self", type="application/atom+xml", href=self_url)
    _child(root, "updated", feed.updated.isoformat())
    person(root, feed.board, feed.board_url)
    _child(root, "generator", GENERATOR)
    for item in feed.items:
        entry = _child(root, "entry")
        _child(entry, "id", item.url)
        _child(entry, "title", item.title)
        _child(entry, "link", rel="alternate", type="text/html", href=item.url)
        _child(entry, "published", item.published.isoformat())
        _child(entry, "updated", item.updated.isoformat())
        person(entry, item.author, item.author_url)
        for category in item.tags:
            _child(entry, "category", term=category.name, scheme=category.scheme, label=category.name)
        _child(entry, "summary", item.summary, type="text")
        _child(entry, "content", item.content_html, type="html")
    return xml_document(root)


def json_feed(feed: Channel) -> bytes:
    """JSON Feed 1.1; JSON has no date type, so dates are RFC 3339 strings as the spec asks."""
    def person(name: str, url: str | None) -> dict[str, str]:
        return {"name": name, "url": url} if url else {"name": name}

    document = {
        "version": JSON_FEED_VERSION, "title": feed.title, "home_page_url": feed.page_url,
        "feed_url": feed.page_url + "feed.json", "description": feed.description, "language": feed.language,
        "authors": [person(feed.board, feed.board_url)],
        "items": [{
            "id": item.url, "url": item.url, "title": item.title, "summary": item.summary,
            "content_html": item.content_html, "date_published": item.published.isoformat(),
            "date_modified": item.updated.isoformat(), "authors": [person(item.author, item.author_url)],
            "tags": [tag.name for tag in item.tags],
        } for item in feed.items],
    }
    return (output_json(document, indent=2) + "\n").encode()


SERIALIZERS = {"feed.xml": rss, "atom.xml": atom, "feed.json": json_feed}  # by FeedFormat.file


def feed_files(config: SiteConfig, feed: Feed) -> list[OutputFile]:
    """One feed in every format."""
    described = channel(feed, config)
    return [OutputFile(feed.base + f.file, SERIALIZERS[f.file](described)) for f in FEED_FORMATS]


def feed_specs(site: Site) -> list[SiteFile]:
    """Every feed of the board, each made from its own projects alone: editing a brief redoes only its feeds."""
    return [SiteFile(tuple(feed.base + f.file for f in FEED_FORMATS), feed_files, (site.config, feed)) for feed in site.feeds()]
