"""Content pages (content/pages/*.md) are read as briefs are: every mistake reported on its own line."""

from __future__ import annotations

import pytest

from site_builder.cli import main

PAGES = "content/pages"


def check_pages(board, capsys: pytest.CaptureFixture[str], **pages: str) -> list[str]:
    """Write content/pages/NAME.md for each keyword (underscores as hyphens) and return `board check`'s lines."""
    folder = board.root / PAGES
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in pages.items():
        (folder / f"{name.replace('_', '-')}.md").write_text(text, encoding="utf-8")
    main(["--root", str(board.root), "check", "--now", "2026-11-25"])
    return capsys.readouterr().out.splitlines()


def test_good_page_passes_check(board, capsys) -> None:
    assert check_pages(board, capsys, about='---\ntitle: "About"\ndescription: "Who runs the board."\n---\n\n# Hello\n') == ["ok: 0 briefs, 0 open on 2026-11-25"]


def test_page_mistakes_are_reported_on_their_own_lines(board, capsys) -> None:
    assert check_pages(
        board, capsys,
        about='---\ntitle: "About"\nsubtitle: "x"\n---\nText.\n',
        how_to_post='---\ndescription: "How to post."\n---\nText.\n',
        faq="---\ntitle: yes\n---\nText.\n",
        rules='---\ntitle: "Rules"\ndescription: [a, b]\n---\nText.\n',
        terms='---\ntitle: "Terms\n---\nText.\n',
    ) == [
        "content/pages/about.md:3: unknown field 'subtitle' (did you mean 'title'?); expected one of: title, description",
        'content/pages/faq.md:2: title must be text, but YAML reads yes as a yes/no value; put it in quotes: "yes"',
        'content/pages/how-to-post.md:3: a page needs a title in its front matter: title: "About this board"',
        "content/pages/rules.md:3: description must be a single piece of text, not a list or a set of fields",
        "content/pages/terms.md:3: the front matter is not valid YAML: found unexpected end of stream "
        "(in the value that starts on line 2)",
    ]


def test_page_without_front_matter_or_with_a_reserved_name_is_reported(board, capsys) -> None:
    assert check_pages(board, capsys, notes="Just text.\n", search='---\ntitle: "Search"\n---\nText.\n') == [
        'content/pages/notes.md:1: a page starts with its fields between two lines of ---: title: "About this board", then the Markdown',
        "content/pages/search.md:1: 'search' cannot be a page's file name: use lowercase letters, digits and hyphens, "
        "and none of archive, categories, companies, page, pagefind, projects, search, skills, static",
    ]
