"""The theme in a real browser (Debian's Chromium through Playwright), on the example board as of 2026-11-25:
phones never scroll sideways, every piece of text meets WCAG AA contrast in the light and the dark theme,
keyboard focus is visible, the apply button comes early on a phone, and motion follows the reader's setting."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from site_builder.build import build
from tests.browser import chromium
from tests.site_files import REPO

BASE_URL = "http://board.test/"
PHONE, WIDE = 360, 1280

# One page of every layout and every state: closing soon, closed, on site, a table, a code block.
PAGES = [
    "", "page/2/", "projects/tidewater-newsletter-series/", "projects/fjord-press-kit/",
    "projects/cafe-mueller-menu-redesign/", "projects/tidewater-seo-audit/", "projects/kestrel-sensor-log-parser/",
    "categories/", "categories/data/", "skills/", "skills/excel/", "companies/", "companies/acme-analytics/",
    "archive/", "about/", "search/", "404.html",
]
OPEN_PROJECT = "projects/tidewater-newsletter-series/"

# Every element with text of its own, against the first opaque background behind it, by the WCAG formula.
CONTRAST_FAILURES_JS = """() => {
  const rgba = c => { const p = c.match(/[\\d.]+/g).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const over = (top, under) => top.slice(0, 3).map((v, i) => v * top[3] + under[i] * (1 - top[3])).concat(1);
  const background = el => {
    const layers = [];
    for (let node = el; node; node = node.parentElement) {
      const c = rgba(getComputedStyle(node).backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] === 1) break;
    }
    return layers.reverse().reduce((under, top) => over(top, under), [255, 255, 255, 1]);
  };
  const luminance = c => c.slice(0, 3).map(v => v / 255).map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const ratio = (a, b) => { const [x, y] = [luminance(a), luminance(b)].sort((m, n) => n - m); return (x + 0.05) / (y + 0.05); };
  const failures = [];
  for (const el of document.body.querySelectorAll('*')) {
    const text = [...el.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join('').trim();
    if (!text || !el.checkVisibility() || el.closest('.visually-hidden, script')) continue;
    const style = getComputedStyle(el);
    const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight) >= 700;
    const needed = size >= 24 || (size >= 18.66 && bold) ? 3 : 4.5;
    const bg = background(el), fg = over(rgba(style.color), bg), r = ratio(fg, bg);
    if (r < needed) failures.push(`${el.tagName.toLowerCase()}.${el.className} "${text.slice(0, 30)}" ${r.toFixed(2)} < ${needed}`);
  }
  return failures;
}"""


@pytest.fixture(scope="module")
def board(tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("theme") / "public"
    build(REPO, output, date(2026, 11, 25), base_url=BASE_URL)
    return output


@pytest.fixture(scope="module")
def browser():
    with chromium("the theme's browser tests") as browser:
        yield browser


@pytest.fixture(scope="module")
def open_page(browser, board):
    """Open a page of the built board, served straight from disk; one tab per viewport and preference, reused."""
    tabs = {}

    def serve(route) -> None:
        path = unquote(urlsplit(route.request.url).path).lstrip("/")
        file = board / (path + "index.html" if path.endswith("/") or not path else path)
        route.fulfill(status=200 if file.is_file() else 404, path=file if file.is_file() else board / "404.html")

    def open_(path: str, width: int = WIDE, scheme: str = "light", reduced_motion: str = "no-preference"):
        key = (width, scheme, reduced_motion)
        if key not in tabs:
            context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme,
                                          reduced_motion=reduced_motion)
            context.route(BASE_URL + "**", serve)
            tabs[key] = context.new_page()
        page = tabs[key]
        page.goto(BASE_URL + path)
        return page

    yield open_
    for page in tabs.values():
        page.context.close()


def test_the_stylesheet_is_served_and_applied(open_page):
    page = open_page("")
    assert page.evaluate("getComputedStyle(document.querySelector('.card')).borderTopStyle") == "solid"


@pytest.mark.parametrize("path", PAGES)
def test_no_page_scrolls_sideways_on_a_360px_phone(open_page, path):
    page = open_page(path, width=PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_text_meets_wcag_aa_contrast(open_page, scheme):
    failures = []
    for path in PAGES:
        page = open_page(path, scheme=scheme)
        failures += [f"/{path}: {failure}" for failure in page.evaluate(CONTRAST_FAILURES_JS)]
    assert failures == []


@pytest.mark.parametrize(("scheme", "dark"), [("light", False), ("dark", True)])
def test_the_theme_follows_the_readers_colour_scheme(open_page, scheme, dark):
    page = open_page("", scheme=scheme)
    red, green, blue = page.evaluate("getComputedStyle(document.body).backgroundColor.match(/\\d+/g).map(Number)")
    assert (red + green + blue < 3 * 64) == dark


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_keyboard_focus_draws_a_visible_ring_on_every_stop(open_page, scheme):
    page = open_page(OPEN_PROJECT, scheme=scheme)
    stops = page.evaluate("document.querySelectorAll('a[href], input, button').length")
    seen = set()
    for _ in range(stops):
        page.keyboard.press("Tab")
        ring = page.evaluate("""() => { const el = document.activeElement, s = getComputedStyle(el);
            return [el.outerHTML.slice(0, 60), s.outlineStyle, parseFloat(s.outlineWidth)]; }""")
        seen.add(ring[0])
        assert ring[1] != "none" and ring[2] >= 2, ring
    assert len(seen) > 20  # the walk really went through the page: header, facts, skills, brief, footer


def test_apply_button_sits_above_the_brief_on_a_phone_and_beside_it_on_a_wide_screen(open_page):
    phone = open_page(OPEN_PROJECT, width=PHONE)
    apply, brief = (phone.locator(selector).first.bounding_box() for selector in (".project-facts .apply", ".brief"))
    assert apply["y"] + apply["height"] <= brief["y"]
    wide = open_page(OPEN_PROJECT, width=WIDE)
    apply, brief = (wide.locator(selector).first.bounding_box() for selector in (".project-facts .apply", ".brief"))
    assert apply["x"] >= brief["x"] + brief["width"]
    assert apply["y"] + apply["height"] <= 900  # in the first screenful, without scrolling


@pytest.mark.parametrize(("reduced_motion", "animated"), [("reduce", False), ("no-preference", True)])
def test_transitions_follow_the_readers_motion_setting(open_page, reduced_motion, animated):
    page = open_page("", reduced_motion=reduced_motion)
    duration = page.evaluate("getComputedStyle(document.querySelector('.card-title a')).transitionDuration")
    assert (duration != "0s") == animated
