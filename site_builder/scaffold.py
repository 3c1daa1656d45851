"""`board new SLUG`: a brief with every field present, commented, and dated from today; and the same
brief filled in, as the example a new board starts with (`board init`)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from .config import SLUG_PATTERN, SiteConfig
from .contentfiles import PROJECTS_DIR
from .errors import BoardError, Problem
from .frontyaml import PLACEHOLDER

DEADLINE_AFTER_DAYS = 14

TEMPLATE = """\
---
{intro}
title: {title}
company:
  name: {company}
  # url: https://your-company.example      # optional: your website, https only
  # logo: your-company.svg                 # optional: a file you add to static/logos/
category: {category}                        # one of: {categories}
skills: {skills}                        # 0 to 10 skills, each at most 40 characters
hours: 20                                   # your estimate of the effort: a whole number from 5 to 40
compensation:
  amount: 600                               # every project is paid: more than 0
  currency: {currency}                             # ISO 4217 code, one of: {currencies}
  type: fixed                               # fixed (for the deliverable) or hourly (per hour)
remote: true                                # false if applicants must come on site
countries: ["US"]                           # where applicants may be based, in quotes: "US", "EU", "150" (Europe), or anywhere
# location: "Berlin, DE"                    # required when remote is false: "City, CC"
posted: {posted}                         # the day the listing goes up (a future date schedules it)
deadline: {deadline}                       # last day to apply: at most 180 days after posted
apply: {apply}
maintainers: [{maintainer}]  # GitHub handles allowed to edit this brief later
# summary: One sentence for cards and feeds.  # optional; otherwise the start of the description
# draft: true                               # optional: builds only with `board build --drafts`
---

{body}"""

# What `board new` leaves for the employer to fill in.
BLANK = {
    "intro": '# Your project brief. Replace every "{fill} …" value, delete the optional lines you do not need,\n'
             "# then run `board check` to see anything left to fix. Quote text that contains a colon or a #.",
    "title": '"{fill}: a short title that says what will be delivered"',
    "company": '"{fill}: your company or organisation"',
    "apply": '"{fill}: https://your-company.example/jobs/123 or mailto:jobs@your-company.example"',
    "maintainer": '"{fill}: your-github-handle"',
    "skills": "[Excel, SQL]",
    "body": "{fill}: describe the project. Employers who get the best applicants cover:\n\n## Context\n\n"
            "Who you are and why this project exists.\n\n## The deliverable\n\nThe one thing the student hands over "
            "at the end.\n\n## What success looks like\n\nHow you will evaluate the work.\n\n## Skills you'll use\n\n## Timeline\n",
}
# A new board's first brief: valid as it stands, so the board builds at once, and an example to copy.
EXAMPLE = {
    "intro": "# An example brief, so the board has a project to show: edit it into a real one, or delete it\n"
             "# once the first employer has posted. `board new SLUG` writes a blank brief like it.",
    "title": '"Find out why volunteers stop coming to our garden"',
    "company": '"Example Community Garden"',
    "apply": '"mailto:projects@example.org"',
    "maintainer": '"{maintainer}"',
    "skills": "[Interviewing, Excel]",
    "body": "A community garden wants to know why most volunteers come once and never again.\n\n"
            "## Context\n\nA hundred people signed up last year; twenty still come. Nobody has asked the other "
            "eighty why, and the garden would rather change than guess.\n\n"
            "## The deliverable\n\nA four-page report: what ten former volunteers said in short phone interviews, "
            "and the three changes they would most likely come back for.\n\n## What success looks like\n\n"
            "Ten interviews, notes the garden may keep, and recommendations it can act on this spring.\n\n"
            "## Skills you'll use\n\nListening, asking open questions, and a spreadsheet to sort what you hear.\n\n"
            "## Timeline\n\nThree weeks, at your own pace.\n",
}


def _is_slug(slug: str) -> bool:
    return 3 <= len(slug) <= 80 and bool(SLUG_PATTERN.fullmatch(slug))


def new_brief(root: Path, config: SiteConfig, slug: str, today: date) -> Path:
    """Write content/projects/SLUG.md from the template; refuse a bad or taken slug."""
    where = f"{PROJECTS_DIR.as_posix()}/{slug}.md"
    if slug.endswith(".md") and _is_slug(slug[:-3]):
        raise BoardError([Problem(where, 1, f"give the slug without .md: board new {slug[:-3]}")])
    if not _is_slug(slug):
        raise BoardError([Problem(where, 1, f"'{slug}' is not a valid slug: use 3 to 80 lowercase letters, digits and single hyphens, "
                                            "like acme-crm-cleanup")])
    path = root / PROJECTS_DIR / f"{slug}.md"
    if path.exists():
        example = f", like {slug}-2" if _is_slug(f"{slug}-2") else ""
        raise BoardError([Problem(where, 1, f"this slug is taken by an existing brief: choose another name for yours{example}")])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(brief_text(config, today, {key: text.format(fill=PLACEHOLDER) for key, text in BLANK.items()}), encoding="utf-8")
    return path


def example_brief(config: SiteConfig, today: date) -> str:
    """The example brief of a new board, posted today, kept by its first board maintainer (if any)."""
    maintainer = config.board_maintainers[0] if config.board_maintainers else "your-github-handle"
    return brief_text(config, today, {key: text.format(maintainer=maintainer) for key, text in EXAMPLE.items()})


def brief_text(config: SiteConfig, today: date, values: dict[str, str]) -> str:
    """The template with `values`, the board's categories, and dates from `today`."""
    return TEMPLATE.format(
        **values,
        category=config.categories[0].key,
        categories=", ".join(c.key for c in config.categories),
        currency="USD" if "USD" in config.min_hourly_rate else next(iter(config.min_hourly_rate), "USD"),
        currencies=", ".join(config.min_hourly_rate) or "none yet (site.toml sets no [policy] min_hourly_rate)",
        posted=today.isoformat(),
        deadline=(today + timedelta(days=DEADLINE_AFTER_DAYS)).isoformat(),
    )
