"""The files a build makes, as the render stages hand them to the cache and the writer.

Its own module because every render stage (pages, feeds, crawl, search, statics) and everything after
them (buildstate, cache, writer, build) passes these, while none of them needs the board's model for it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FeedFormat:
    file: str  # the file's name beside the listing it follows
    media_type: str
    name: str  # what a reader calls the format


FEED_FORMATS = (
    FeedFormat("feed.xml", "application/rss+xml", "RSS"),
    FeedFormat("atom.xml", "application/atom+xml", "Atom"),
    FeedFormat("feed.json", "application/feed+json", "JSON Feed"),
)


@dataclass(frozen=True)
class OutputFile:
    """One file of the built board, as a stage makes it, before it is staged for the writer (see writer.Staging)."""

    path: str  # relative to the output folder, with forward slashes
    data: bytes


@dataclass(frozen=True)
class SiteFile:
    """Files made from the whole board (a feed, the sitemap), as a pure function and its arguments: the
    arguments are all such files are made from, so a rebuild compares their fingerprint to skip them."""

    paths: tuple[str, ...]  # what `render` returns, in order
    render: Callable[..., list[OutputFile]]
    inputs: tuple[Any, ...]
    grows: bool = False  # its work grows with the number of projects (a feed's stops at [feeds] items)

    def files(self) -> list[OutputFile]:
        return self.render(*self.inputs)

