"""Employer content is untrusted: nothing a brief says can run script on the board or break its markup."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from site_builder.build import build
from site_builder.cli import main
from tests.site_files import copy_example_board, parse_html

TODAY = date(2026, 11, 25)
EVIL = "\"'</script><!--<script>alert(1)</script>&amp;]]>"

HOSTILE_BRIEF = f"""---
title: '{EVIL.replace("'", "''")} title'
company:
  name: '{EVIL.replace("'", "''")} Inc'
  url: "https://evil.example/?a=1&b=\\"2\\""
category: data
skills: ['<img src=x onerror=alert(1)>', '"quoted"', "it's"]
hours: 20
compensation:
  amount: 600
  currency: USD
  type: fixed
remote: false
countries: ["US"]
location: '</script><b>Springfield, US'
posted: 2026-11-20
deadline: 2026-12-15
apply: "https://evil.example/apply?x=\\"><script>alert(1)</script>"
maintainers: [mallory]
summary: '{EVIL.replace("'", "''")} summary'
---

## Context <script>alert("body")</script>

<img src=x onerror="alert('img')"> <svg onload=alert(1)></svg> <iframe src="https://evil.example"></iframe>
<a href="javascript:alert('link')">js link</a> [md js](javascript:alert(1)) [data](data:text/html;base64,PHNjcmlwdD4=)
<a href="https://ok.example" onclick="alert(1)" style="color:red">ok</a> <form action="https://evil.example"><input></form>
![tracker](http://evil.example/pixel.gif) <object data="x"></object> <style>body{{display:none}}</style>

Real text after the attack.
"""


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    board = copy_example_board(tmp_path_factory.mktemp("hostile") / "board")
    (board / "content/projects/evil-brief.md").write_text(HOSTILE_BRIEF, encoding="utf-8")
    output = board / "public"
    build(board, output, TODAY)
    return output


def test_hostile_brief_builds_and_keeps_its_text(hostile_site):
    page = (hostile_site / "projects/evil-brief/index.html").read_text()
    assert "Real text after the attack." in page
    assert "&lt;/script&gt;" in page  # the title's markup is shown as text


def test_no_output_page_carries_anything_active(hostile_site):
    for path in sorted(hostile_site.rglob("*.html")):
        where = path.relative_to(hostile_site).as_posix()
        parsed = parse_html(path.read_text(encoding="utf-8"))
        for tag, attrs in parsed.elements:
            assert tag not in ("iframe", "object", "embed", "svg", "style"), f"<{tag}> in {where}"
            if tag == "form":
                assert attrs.get("role") == "search", f"a form that is not the board's search in {where}"
            assert not [a for a in attrs if a.startswith("on")], f"event handler on <{tag}> in {where}"
            assert "style" not in attrs, f"style attribute on <{tag}> in {where}"
            for name in ("href", "src", "action"):
                value = (attrs.get(name) or "").strip().lower()
                assert not value.startswith(("javascript:", "data:", "vbscript:")), f"{name}={value} in {where}"
            if tag == "script":
                # Data blocks (JSON-LD, the search page's words) are never run by a browser.
                assert attrs.get("src") or attrs.get("type") in ("application/ld+json", "application/json"), f"inline script in {where}"
            if tag == "img":
                assert attrs["src"].startswith(("https://", "/")), f"img {attrs['src']} in {where}"


def test_json_ld_cannot_be_broken_out_of_and_round_trips(hostile_site):
    page = (hostile_site / "projects/evil-brief/index.html").read_text()
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert len(blocks) == 1
    assert "<" not in blocks[0] and ">" not in blocks[0]
    posting = json.loads(blocks[0])
    assert posting["title"] == EVIL + " title"
    assert posting["hiringOrganization"]["name"] == EVIL + " Inc"
    assert "<script" not in posting["description"] and "onerror" not in posting["description"]


def test_external_links_in_a_brief_are_nofollow_ugc(hostile_site):
    page = (hostile_site / "projects/evil-brief/index.html").read_text()
    brief = page[page.index("data-pagefind-body"):page.index("</article>")]
    links = [attrs for tag, attrs in parse_html(brief).elements if tag == "a"]
    assert links and all(attrs.get("rel") == "nofollow noopener ugc" for attrs in links)


@pytest.mark.parametrize("apply", ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>",
                                   "http://evil.example/apply", "//evil.example/apply", "JaVaScRiPt:alert(1)"])
def test_an_unsafe_apply_link_fails_the_build(tmp_path, capsys, apply):
    board = copy_example_board(tmp_path / "board")
    brief = board / "content/projects/acme-crm-cleanup.md"
    brief.write_text(re.sub(r"^apply: .*$", f'apply: "{apply}"', brief.read_text(), flags=re.M))
    assert main(["--root", str(board), "build", "--now", "2026-11-25"]) == 1
    assert "content/projects/acme-crm-cleanup.md:" in capsys.readouterr().err
    assert not (board / "public").exists()
