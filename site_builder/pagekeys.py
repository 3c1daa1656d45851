"""What a page's fingerprint is made of: its layouts, the data every layout sees, its context (for a
project page: the project and what else of the board `pages.project_spec` reads), and the versions of
the static files it links. `buildstate` compares it with the one the page was written with.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from .cache import ProjectDigest
from .fingerprint import Digester, entry_key, keyed
from .model import Project
from .pages import PageSpec, Renderer
from .parallel import in_background


def project_identity(digest: Digester, project: Project) -> str | None:
    """What a project's digest is made of, written out in a few microseconds where the digest takes 15: the
    keys of its brief (the hash of its file's bytes, the settings and the code, `digest` knows it) and of its
    body, and what the model sets besides (its path, summary and publication time follow from those). None
    when its brief has no key (the cache is off)."""
    brief = digest.known(project.brief)
    if brief is None:
        return None
    updated = "" if project.updated is project.published else repr(project.updated)  # a commit's time, or the posted day's start
    return "\0".join((brief.decode(), project.body.key, project.status.value, str(project.closing_soon), str(project.days_left),
                      project.company_slug, updated, *project.skill_slugs))


def digest_projects(digest: Digester, projects: Sequence[Project], known: Mapping[str, ProjectDigest]) -> dict[str, ProjectDigest]:
    """Hash every project once, taking the digest the last build made of a project made of the same
    (`known`, by `project_identity`), hashing the others, half of them in another process, on a core that
    is idle meanwhile (15 µs each: 1.5 s at 100,000 briefs); the fingerprints of the pages then find each
    one in `digest`. Returns each project's digest by its identity, for the next build."""
    identities = [project_identity(digest, project) for project in projects]
    found = [known.get(identity) if identity else None for identity in identities]
    digest.remember([project for project, kept in zip(projects, found) if kept], [kept.digest for kept in found if kept])
    new = [project for project, kept in zip(projects, found) if kept is None]
    half = len(new) // 2
    theirs = in_background(digest.digests, new[half:], items=half)
    mine, theirs_made = digest.digests(new[:half]), theirs()
    digest.remember(new[half:], theirs_made)
    made = iter(mine + theirs_made)  # in the order of `new`, the projects of `projects` found in no earlier build
    digests = [kept or ProjectDigest(next(made)) for kept in found]
    return {identity: kept for identity, kept in zip(identities, digests) if identity}


def layout_key(renderer: Renderer, code: str, template: str) -> str:
    """A page layout's fingerprint: of the layouts it uses (all of them, when that cannot be told before
    rendering), each by the file it resolves to: the board's override or the theme's. Editing, adding or
    removing an override, or a new version of the theme, redoes only the pages it changes."""
    files = renderer.theme.layouts
    used = renderer.layouts.used(template)
    return entry_key(code, template, *(name.encode() + files[name].read_bytes() for name in (used or files) if name in files))


@dataclass(frozen=True)
class PageKeys:
    """A page's fingerprint, in four parts that say why it changed: its layouts', the data every layout
    sees (settings, navigation), its context's, and the versions of the static files it links. A project
    page's context part is taken from the project and what else its context is made of (`projects`)."""

    layout: Callable[[str], str]  # a page layout's `layout_key`, taken once per layout
    shared: str
    digest: Digester
    static_version: Callable[[str], str | None]
    projects: str  # the fingerprint of `Renderer.project_inputs()`
    # The last build's project digests, read when the rest of the board is planned, beside the index (0.13 s at
    # 100,000 briefs): the projects planned first, an edit's open bundle, are hashed at once (20 ms).
    last_projects: Callable[[], Mapping[str, ProjectDigest]]
    keep_projects: Callable[[dict[str, ProjectDigest]], None]  # keeps `digested` for the next build
    digested: dict[str, ProjectDigest] = field(default_factory=dict, compare=False)  # this build's, for the next (`digest_projects`)
    _statics: dict[tuple[str, ...], str] = field(default_factory=dict, compare=False)  # links -> their versions' fingerprint

    def prepare(self, templates: set[str], projects: Sequence[Project]) -> None:
        """Take what the fingerprints of pages of `templates` and of `projects` will ask for, before any worker
        forks: each layout's key (else every worker would read the layouts again, later than they were
        compiled) and each project's digest."""
        for template in templates:
            self.layout(template)
        known = self.last_projects() if self.digested else {}  # the first planned (an edit's open bundle) are hashed at once
        self.digested.update(digest_projects(self.digest, projects, known))

    def planned(self) -> None:
        """Every page planned: keep this build's project digests for the next build, and let go of them."""
        self.keep_projects(self.digested)
        self.digested.clear()

    def context(self, spec: PageSpec) -> str:
        """The context part of a page's fingerprint."""
        project = spec.context.project
        return self.digest(spec.context) if project is None else self.project(project)

    def project(self, project: Project) -> str:
        """The context part of a project page's fingerprint (see `pages.project_spec`): of the project's
        digest as `prepare` took it, not hashed again (100,000 times at a board's history)."""
        return self._project_key(self.digest.of(project))

    def project_of(self, digest: bytes) -> str:
        """`project` of a project whose digest is known without it (an archive month's taken whole)."""
        return self._project_key(digest)

    @functools.cached_property
    def _project_key(self) -> Callable[..., str]:
        return keyed(self.projects)

    def page(self, template: str, context: str, links: tuple[str, ...]) -> str:
        return self.page_of(template)(context, links)

    def page_of(self, template: str) -> Callable[[str, tuple[str, ...]], str]:
        """`page` for the pages of one layout, its parts that all share put together once."""
        start = f"{self.layout(template)}:{self.shared}:"

        def page(context: str, links: tuple[str, ...]) -> str:
            statics = self._statics.get(links)  # most pages link the same few files
            if statics is None:
                statics = self._statics[links] = entry_key("", *(f"{path}\0{self.static_version(path)}" for path in links))
            return f"{start}{context}:{statics}"
        return page
