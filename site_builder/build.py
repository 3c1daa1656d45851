"""The pipeline, top to bottom. `check` is the same chain as `build`, minus rendering and writing."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .config import SiteConfig, load_config
from .content import Brief, load_briefs, load_pages
from .crawl import render_crawl_files
from .errors import BoardError
from .feeds import render_feeds
from .history import last_commit_times
from .markup import render_markdown
from .model import ContentPage, Site, Status, build_model, status_of
from .ownership import ownership_problems
from .pages import render_pages, static_files
from .search import index_search
from .writer import staged_output, write_files


@dataclass(frozen=True)
class CheckResult:
    config: SiteConfig
    briefs: list[Brief]
    open_count: int


@dataclass(frozen=True)
class BuildResult:
    site: Site
    page_count: int
    feed_count: int
    file_count: int
    search_records: int | None  # None when the build skipped search
    seconds: float

    def summary(self) -> str:
        site = self.site
        lines = [
            f"built {len(site.projects) + len(site.scheduled)} projects ({len(site.open)} open, {len(site.archive)} closed, "
            f"{len(site.scheduled)} scheduled) -> {self.page_count} pages, {self.feed_count} feeds in {self.seconds:.2f} s",
        ]
        lines.append(f"search {self.search_records} records" if self.search_records is not None
                     else "search skipped (--no-search)")
        if site.drafts_left_out:
            lines.append(f"left out {site.drafts_left_out} draft{'s' * (site.drafts_left_out != 1)} (build with --drafts to see them)")
        lines.append(f"next change: {site.next_change}" if site.next_change else "next change: none scheduled")
        return "\n".join(lines)


def check_board(root: Path, today: date, files: list[Path] | None = None,
                base: str | None = None, author: str | None = None) -> CheckResult:
    """Validate config and briefs (all, or only `files`) and, given `base`, `author`'s right to every change since it."""
    config = load_config(root)
    briefs, problems = load_briefs(root, config, files)
    if files is None:
        problems += load_pages(root)[1]
    if base is not None and author is not None:
        problems += ownership_problems(root, base, author)
    if problems:
        raise BoardError(problems)
    open_count = sum(status_of(brief, today) is Status.OPEN for brief in briefs)
    return CheckResult(config, briefs, open_count)


def build(root: Path, output: Path, today: date, base_url: str | None = None, drafts: bool = False,
          search: bool = True) -> BuildResult:
    """Build the whole board into `output`, replacing it only if every stage succeeds."""
    started = time.perf_counter()
    config = load_config(root, base_url)
    briefs, problems = load_briefs(root, config)
    page_sources, page_problems = load_pages(root)
    if problems or page_problems:
        raise BoardError(problems + page_problems)
    shown = [b for b in briefs if status_of(b, today, drafts) in (Status.OPEN, Status.CLOSED)]
    bodies = {brief.slug: render_markdown(brief.body, brief.summary) for brief in shown}
    pages = tuple(ContentPage(p.slug, p.title, p.description, render_markdown(p.body).html) for p in page_sources)
    site = build_model(config, briefs, bodies, today, pages, drafts, changed=last_commit_times(root))
    html_pages = render_pages(root, site)
    feeds = render_feeds(site)
    outputs = html_pages + feeds + render_crawl_files(site) + static_files(root)
    with staged_output(output, root) as staging:
        write_files(staging, outputs)
        search_records = index_search(site, html_pages, staging) if search else None
    return BuildResult(site, len(html_pages), len(feeds), len(outputs), search_records, time.perf_counter() - started)
