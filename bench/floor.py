"""The floor any build of these briefs must pay: read each file, render its body with Python-Markdown
(the board's extensions and settings, one reused converter per process), put it in a trivial Jinja page
and write it, over N processes. No validation, no sanitizer, no listings, no cache.

    python bench/floor.py BOARD OUTPUT PROCESSES
"""

from __future__ import annotations

import multiprocessing
import shutil
import sys
from pathlib import Path

import jinja2
import markdown

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from site_builder.markup import MARKDOWN_CONFIG, MARKDOWN_EXTENSIONS  # noqa: E402

PAGE = jinja2.Template("<!DOCTYPE html>\n<title>{{ title }}</title>\n<main>{{ body | safe }}</main>\n", autoescape=True)
_converter: markdown.Markdown | None = None


def render(job: tuple[Path, Path]) -> None:
    global _converter
    source, output = job
    if _converter is None:
        _converter = markdown.Markdown(extensions=list(MARKDOWN_EXTENSIONS), extension_configs=MARKDOWN_CONFIG, output_format="html")
    _, front, body = source.read_text().split("---\n", 2)
    title = next(line[7:] for line in front.splitlines() if line.startswith("title: "))
    page = output / source.stem / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text(PAGE.render(title=title, body=_converter.reset().convert(body)))


def main() -> None:
    board, output, processes = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    shutil.rmtree(output, ignore_errors=True)
    jobs = [(path, output) for path in sorted((board / "content" / "projects").glob("*.md"))]
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        pool.map(render, jobs, chunksize=max(1, len(jobs) // (processes * 4)))


if __name__ == "__main__":
    main()
