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


# --- What a pull request adds to static/ or content/ is judged by what it is, never by its name ------------

SCRIPTED_SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" onload="alert(1)" '
                b'width="64" height="64"><script>document.title="owned"</script><rect width="64" height="64" fill="#123456"/>'
                b'<a xlink:href="javascript:alert(2)"><circle r="5" onclick="alert(3)"/></a>'
                b'<foreignObject><iframe xmlns="http://www.w3.org/1999/xhtml" src="https://evil.example"/></foreignObject>'
                b'<image href="https://evil.example/track.png"/></svg>')
NOT_A_LOGO = ("only logos belong in static/logos/, each a PNG, JPEG, WebP, GIF or SVG image: this file would be served "
              "from the board's own address, so remove it from the pull request")
UNREADABLE = ("this is not a PNG, JPEG, WebP, GIF or SVG image the board can read: open it in an image editor and save it "
              "again as a PNG")
LINKED = ("this is a symbolic link, which the board never follows (it could publish a file from outside the repository): "
          "put the file itself here instead")


def image_bytes(size: tuple[int, int], kind: str = "PNG", mode: str = "RGB", **options) -> bytes:
    from io import BytesIO

    from PIL import Image

    data = BytesIO()
    Image.new(mode, size, "#2a6").save(data, kind, **options)
    return data.getvalue()


def _secret(board: Path) -> Path:
    """A file outside the board's repository, as /etc/passwd or the deploy job's environment would be."""
    secret = board.parent / "secret.txt"
    secret.write_text("GITHUB_TOKEN=ghs_secret\n")
    return secret


HOSTILE_FILES = {
    # name: (files to add, as path -> bytes or a function of the board giving a symlink target; expected lines)
    "html-page": ({"static/logos/page.html": b"<script>alert(document.cookie)</script>"}, [f"static/logos/page.html:1: {NOT_A_LOGO}"]),
    "script-file": ({"static/logos/x.js": b"alert(1)"}, [f"static/logos/x.js:1: {NOT_A_LOGO}"]),
    "subfolder": ({"static/logos/more/acme.svg": b"<svg xmlns='http://www.w3.org/2000/svg'/>"},
                  ["static/logos/more/acme.svg:1: static/logos/ holds logos only, each a file directly in it: "
                   "move the logo up into that folder"]),
    "html-named-png": ({"static/logos/fake.png": b"<html><script>alert(1)</script></html>"}, [f"static/logos/fake.png:1: {UNREADABLE}"]),
    "xhtml-named-svg": ({"static/logos/fake.svg": b'<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>'},
                        ['static/logos/fake.svg:1: this is not a PNG, JPEG, WebP, GIF or SVG image the board can read (XML '
                         'encoding error): an SVG logo is an XML file whose root is <svg xmlns="http://www.w3.org/2000/svg">; '
                         'export it again, or use a PNG']),
    "jpeg-named-png": ({"static/logos/photo.png": image_bytes((40, 40), "JPEG")},
                       ["static/logos/photo.png:1: this file is a JPEG image but its name ends in .png: name it with .jpg"]),
    "decompression-bomb": ({"static/logos/bomb.png": image_bytes((5000, 5000), mode="1")},
                           ["static/logos/bomb.png:1: the logo is 5000 x 5000 pixels; a logo must have at most 16,777,216 "
                            "pixels (it is shown at most 64 pixels wide)"]),
    "oversized": ({"static/logos/huge.png": image_bytes((8, 8)) + b"\0" * (3 * 1024 * 1024 // 2)},
                  ["static/logos/huge.png:1: the logo is 1.5 MB; a logo must be under 1 MB (it is shown at most 64 pixels wide)"]),
    "odd-name": ({"static/logos/our logo.png": image_bytes((8, 8))},
                 ["static/logos/our logo.png:1: a logo's file name is letters, digits, hyphens and underscores, then .png, "
                  ".jpg, .webp, .gif or .svg, like acme-analytics.png: rename our logo.png"]),
    "logo-linked-to-a-secret": ({"static/logos/passwd.svg": _secret}, [f"static/logos/passwd.svg:1: {LINKED}"]),
    "logo-linked-to-the-environment": ({"static/logos/env.png": lambda board: Path("/proc/self/environ")},
                                       [f"static/logos/env.png:1: {LINKED}"]),
    "static-folder-linked-outside": ({"static/etc": lambda board: Path("/etc")}, [f"static/etc:1: {LINKED}"]),
    "brief-linked-to-git-config": ({"content/projects/acme-token.md": lambda board: board / ".git/config"},
                                   [f"content/projects/acme-token.md:1: {LINKED}"]),
    "page-linked-to-a-secret": ({"content/pages/secret.md": _secret}, [f"content/pages/secret.md:1: {LINKED}"]),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_FILES))
def test_a_file_the_board_would_publish_is_refused_by_check_and_build_alike(tmp_path, capsys, case):
    files, expected = HOSTILE_FILES[case]
    board = copy_example_board(tmp_path / "board")
    (board / ".git").mkdir()
    (board / ".git/config").write_text('[http]\n\textraheader = AUTHORIZATION: basic c2VjcmV0\n')
    for name, data in files.items():
        (board / name).parent.mkdir(parents=True, exist_ok=True)
        if callable(data):
            (board / name).symlink_to(data(board))
        else:
            (board / name).write_bytes(data)
    assert main(["--root", str(board), "check", "--now", "2026-11-25"]) == 1
    assert capsys.readouterr().out == "".join(f"{line}\n" for line in expected)
    assert main(["--root", str(board), "build", "--now", "2026-11-25", "--no-search"]) == 1
    assert capsys.readouterr().err == "".join(f"{line}\n" for line in expected)
    assert not (board / "public").exists()


def test_a_brief_may_not_name_a_hidden_file_as_its_logo(tmp_path, capsys):
    board = copy_example_board(tmp_path / "board")
    (board / "static/logos/.evil.svg").write_bytes(SCRIPTED_SVG)  # never published: the board skips hidden files
    brief = board / "content/projects/acme-crm-cleanup.md"
    brief.write_text(brief.read_text().replace("logo: acme.svg", "logo: .evil.svg"))
    assert main(["--root", str(board), "check", "--now", "2026-11-25"]) == 1
    assert capsys.readouterr().out == (
        "content/projects/acme-crm-cleanup.md:6: company.logo must be a file name of letters, digits, hyphens and "
        "underscores ending in .png, .jpg, .webp, .gif or .svg, like acme.svg, got .evil.svg\n")


@pytest.fixture(scope="module")
def published_logos(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    """The example board with a scripted SVG logo and a big photo-like PNG full of metadata, built; and what was added."""
    from PIL import PngImagePlugin

    board = copy_example_board(tmp_path_factory.mktemp("logos") / "board")
    metadata = PngImagePlugin.PngInfo()
    metadata.add_text("Comment", "<script>alert(1)</script> taken at 52.5200 N, 13.4050 E")
    added = {"static/logos/evil.svg": SCRIPTED_SVG, "static/logos/big.png": image_bytes((2000, 1000), pnginfo=metadata)}
    for name, data in added.items():
        (board / name).write_bytes(data)
    brief = board / "content/projects/acme-crm-cleanup.md"
    brief.write_text(brief.read_text().replace("logo: acme.svg", "logo: evil.svg").replace("Acme Analytics", "Mallory Widgets"))
    build(board, board / "public", TODAY, search=False)
    return board, added


def test_an_svg_logo_is_published_without_script_handlers_or_outside_references(published_logos):
    board, _ = published_logos
    published = (board / "public/static/logos/evil.svg").read_bytes()
    assert b"<rect" in published and b"#123456" in published  # the drawing is kept
    for active in (b"script", b"onload", b"onclick", b"javascript:", b"foreignObject", b"iframe", b"evil.example"):
        assert active not in published


def test_a_raster_logo_is_published_at_the_size_pages_show_it_without_its_metadata(published_logos):
    from io import BytesIO

    from PIL import Image

    from site_builder.statics import _published

    board, added = published_logos
    published = (board / "public/static/logos/big.png").read_bytes()
    image = Image.open(BytesIO(published))
    assert (image.format, image.size) == ("PNG", (128, 64))  # twice the 64 CSS pixels a logo is shown at
    assert len(published) < len(added["static/logos/big.png"]) and b"script" not in published and b"52.5200" not in published
    _published.cache_clear()
    assert _published(added["static/logos/big.png"], ".png")[0] == published  # the same bytes in, the same bytes out


# --- A company belongs to someone: one name, one website, one logo ----------------------------------------

LOOKS_THE_SAME = ("content/projects/zz-takeover.md:3: company.name {name} reads the same as Acme Analytics, the company of "
                  "content/projects/acme-churn-analysis-notebook.md, but is written differently (case, spacing or look-alike "
                  "letters): write it exactly as there if it is the same company, or choose a name that reads differently")
INVISIBLE = ("content/projects/zz-takeover.md:{line}: {field} contains the character {point}, an invisible character (zero-width "
             "or a text-direction control) that can make one name look like another: delete it")
TAKEOVERS = {
    "case": ({"name: Acme Analytics": "name: ACME analytics"}, [LOOKS_THE_SAME.format(name="ACME analytics")]),
    "cyrillic-a": ({"name: Acme Analytics": "name: \u0410cme Analytics"}, [LOOKS_THE_SAME.format(name="\u0410cme Analytics")]),
    "fullwidth": ({"name: Acme Analytics": "name: \uff21cme Analytics"}, [LOOKS_THE_SAME.format(name="\uff21cme Analytics")]),
    "one-for-l": ({"name: Acme Analytics": "name: Acme Ana1ytics"}, [LOOKS_THE_SAME.format(name="Acme Ana1ytics")]),
    "grapheme-joiner": ({"name: Acme Analytics": "name: \"Acme\\u034f Analytics\""}, [LOOKS_THE_SAME.format(name="Acme\u034f Analytics")]),
    "double-space": ({"name: Acme Analytics": "name: Acme  Analytics"}, [LOOKS_THE_SAME.format(name="Acme  Analytics")]),
    "zero-width-space": ({"name: Acme Analytics": "name: \"Acme\\u200b Analytics\""},
                         [INVISIBLE.format(line=4, field="company.name", point="U+200B")]),
    "bidi-override-title": ({"title: Clean": "title: \"\\u202eClean"}, [INVISIBLE.format(line=2, field="title", point="U+202E")]),
    "another-website": ({"url: https://acme.example": "url: https://acme-payments.example"},
                        ["content/projects/zz-takeover.md:3: company.url https://acme-payments.example differs from "
                         "https://acme.example in content/projects/acme-churn-analysis-notebook.md: every brief of Acme "
                         "Analytics gives the same website; write https://acme.example, or change it in every brief of "
                         "Acme Analytics at once"]),
    "another-logo": ({"logo: acme.svg": "logo: fjord.svg"},
                     ["content/projects/zz-takeover.md:3: company.logo fjord.svg differs from acme.svg in "
                      "content/projects/acme-churn-analysis-notebook.md: every brief of Acme Analytics gives the same logo; "
                      "write acme.svg, or change it in every brief of Acme Analytics at once"]),
}


@pytest.mark.parametrize("case", sorted(TAKEOVERS))
def test_a_brief_cannot_pass_for_another_company_or_give_it_another_face(tmp_path, capsys, case):
    edits, expected = TAKEOVERS[case]
    board = copy_example_board(tmp_path / "board")
    text = (board / "content/projects/acme-crm-cleanup.md").read_text(encoding="utf-8")
    for old, new in edits.items():
        assert old in text
        text = text.replace(old, new, 1)
    if case == "bidi-override-title":
        text = text.replace("CRM migration\n", 'CRM migration"\n', 1)
    (board / "content/projects/zz-takeover.md").write_text(text, encoding="utf-8")
    assert main(["--root", str(board), "check", "--now", "2026-11-25"]) == 1
    assert capsys.readouterr().out == "".join(f"{line}\n" for line in expected)
    assert main(["--root", str(board), "build", "--now", "2026-11-25", "--no-search"]) == 1
    assert capsys.readouterr().err == "".join(f"{line}\n" for line in expected)


@pytest.mark.parametrize(("kind", "suffix"), [("PNG", ".png"), ("JPEG", ".jpg"), ("WEBP", ".webp"), ("GIF", ".gif")])
def test_every_raster_logo_is_published_in_its_own_format_at_most_128_pixels_and_the_same_each_time(tmp_path, kind, suffix):
    from io import BytesIO

    from PIL import Image

    from site_builder.statics import _published, publish_logo

    logo = tmp_path / f"logo{suffix}"
    logo.write_bytes(image_bytes((900, 300), kind))
    published, problem = publish_logo(logo)
    _published.cache_clear()
    assert problem is None and publish_logo(logo)[0] == published
    image = Image.open(BytesIO(published))
    assert (image.format, image.size) == (kind, (128, 43))
