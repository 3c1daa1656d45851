"""Making archive months (months.py): each month over whose projects a build placed one by one becomes a
part, for the builds after to take whole."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime

from .cache import TRUSTED_AGE_NS
from .content import Identity
from .model import Project, Site
from .brief import Brief, Company
from .fingerprint import digest_of
from .monthstore import rest_file
from .months import TALLIES, MonthPart, MonthRest, MonthSums, month_of
from .text import same_name_key

Source = tuple[str, tuple[int, int, int], str, str, str]  # a brief's file, stat, bytes' hash, key and Markdown's key (briefstate.py)


def month_parts(site: Site, sources: Mapping[str, Source], digest_of: Callable[[Project], bytes | None],
                changed: Mapping[str, datetime], settings: str, body_code: str) -> Iterator[tuple[MonthPart, bytes]]:
    """A part for each archive month the site placed one by one (its projects are `site.placed`'s closed
    before this month), with its rest as the store writes it, when all it is made of is known: each brief's
    `sources`, each project's digest (as the plan took it), and files old enough that their stats tell a
    change (cache.TRUSTED_AGE_NS)."""
    this_month, trusted = month_of(site.today), time.time_ns() - TRUSTED_AGE_NS
    by_month: defaultdict[str, list[Project]] = defaultdict(list)
    for project in site.placed:
        if not project.is_open and (name := month_of(project.brief.deadline)) < this_month:
            by_month[name].append(project)
    for name, projects in by_month.items():  # one at a time: the store writes each rest at once
        facts = [sources.get(project.brief.slug) for project in projects]
        digests = [digest_of(project) for project in projects]
        if all(facts) and all(digests) and all(fact[1][1] < trusted for fact in facts):  # type: ignore[index]  # none is None
            yield _part(name, projects, facts, digests, changed, settings, body_code)  # type: ignore[arg-type]


def _part(name: str, projects: list[Project], sources: list[Source], digests: list[bytes], changed: Mapping[str, datetime],
          settings: str, body_code: str) -> tuple[MonthPart, bytes]:
    """The part of one month, its `projects` by slug, and its rest."""
    slugs = tuple(project.brief.slug for project in projects)
    order = tuple(sorted(range(len(projects)), key=lambda i: (projects[i].brief.deadline, slugs[i]), reverse=True))
    groups: defaultdict[tuple[str, str], list[int]] = defaultdict(list)
    for index in order:  # as the model groups them (model._by_group)
        project = projects[index]
        for slug in project.skill_slugs:
            groups["skill", slug].append(index)
        groups["company", project.company_slug].append(index)
        groups["category", project.brief.category].append(index)
    latest: dict[str, tuple[date, str, Company]] = {}
    by_company: defaultdict[str, list[Brief]] = defaultdict(list)
    for project in projects:
        brief = project.brief
        known = latest.get(brief.company.name)
        if known is None or (brief.posted, brief.slug) > known[:2]:
            latest[brief.company.name] = (brief.posted, brief.slug, brief.company)
        by_company[same_name_key(brief.company.name)].append(brief)
    _, stats, file_digests, keys, markdowns = zip(*sources)
    sums = MonthSums(Counter(skill for project in projects for skill in project.brief.skills), latest,
                     {key: Identity.of(briefs) for key, briefs in by_company.items()},
                     {tally: Counter(map(getter, projects)) for tally, getter in TALLIES.items()})
    token = digest_of(*(key.encode() for key in keys))  # the briefs' keys: their bytes, the settings and the code, so all the rest
    part = MonthPart(
        name=name, settings=settings, body_code=body_code, slugs=slugs, stats=stats, body_keys=tuple(project.body.key for project in projects),
        order=order, digests=tuple(digests), changed=tuple(map(changed.get, slugs)),
        skill_slugs={skill: slug for project in projects for skill, slug in zip(project.brief.skills, project.skill_slugs)},
        company_slugs={project.brief.company.name: project.company_slug for project in projects},
        groups={group: tuple(members) for group, members in groups.items()},
        logos=frozenset(project.brief.company.logo for project in projects if project.brief.company.logo), token=token)
    return part, rest_file(MonthRest(file_digests, keys, markdowns, sums, [(project.brief, project.summary) for project in projects]), token)
