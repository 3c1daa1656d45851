"""Markup stage: a brief's Markdown body -> sanitized HTML and a plain-text summary.

Employer text is untrusted. Python-Markdown renders it (raw HTML included), then nh3 keeps only an
allowlist of tags, attributes and URL schemes; whatever survives cannot run script on the board.
Python-Markdown is also slow on some shapes of text (20 KB of `[](` takes 5 s; a 30 KB run of `[` took
minutes before 3.11.4) and recurses once per level of nesting, so a body is measured before it is
rendered and stopped when it takes too long: a description is refused, never a build hung.
"""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass
from urllib.parse import urljoin
from xml.etree.ElementTree import Element

import markdown
import nh3
from markdown.inlinepatterns import LinkInlineProcessor
from markdown.treeprocessors import InlineProcessor, Treeprocessor
from markdown.util import AtomicString

from .timelimit import OutOfTime, time_limit

SUMMARY_LENGTH = 200
MAX_BODY_CHARACTERS = 20_000  # about 3,000 words; the example briefs have 300 to 600
MAX_NESTING = 8  # lists and quotes inside each other; Python-Markdown's stack runs out a few dozen levels down
RENDER_SECONDS = 2.0  # processor time one description may take to render; a long brief takes 0.02 s

MARKDOWN_EXTENSIONS = ("tables", "fenced_code", "sane_lists", "smarty")
MARKDOWN_CONFIG = {"tables": {"use_align_attribute": True}}

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "del", "sup", "sub",
    "ul", "ol", "li", "blockquote", "pre", "code", "a", "img",
    "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"}, "img": {"src", "alt", "title", "width", "height"},
    "th": {"class"}, "td": {"class"}, "ol": {"start"}, "code": {"class"},
}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow noopener ugc"

# Together these decide what the markup stage produces; caches key on them.
MARKUP_FINGERPRINT = repr((markdown.__version__, MARKDOWN_EXTENSIONS, MARKDOWN_CONFIG, nh3.__version__,
                           sorted(ALLOWED_TAGS), sorted((k, sorted(v)) for k, v in ALLOWED_ATTRIBUTES.items()),
                           sorted(URL_SCHEMES), LINK_REL, SUMMARY_LENGTH))


class UnrenderableBody(ValueError):
    """A description the board will not render (too long, nested too deeply, too slow): the message says
    which and what to do, `line` is where in the body (0 for its first line)."""

    def __init__(self, message: str, line: int = 0):
        super().__init__(message)
        self.message, self.line = message, line

    def __reduce__(self) -> tuple[type[UnrenderableBody], tuple[str, int]]:
        return UnrenderableBody, (self.message, self.line)


@dataclass(frozen=True)
class RenderedBody:
    html: str  # safe to place in a page as it is
    summary: str  # plain text, not escaped: templates and feeds escape it for their format


class _BriefTree(Treeprocessor):
    """Lower the body's headings so the highest is <h2> (the page's only <h1> is the project title),
    and turn table alignment into classes: `align` is obsolete HTML and the CSP forbids style attributes."""

    def run(self, root: Element) -> None:
        for cell in (el for el in root.iter() if el.tag in ("th", "td")):
            align = cell.attrib.pop("align", None)
            if align:
                cell.set("class", f"align-{align}")
        headings = [el for el in root.iter() if re.fullmatch(r"h[1-6]", el.tag)]
        if not headings:
            return
        shift = max(0, 2 - min(int(el.tag[1]) for el in headings))
        for element in headings:
            element.tag = f"h{min(6, int(element.tag[1]) + shift)}"


class _SkippingPass(InlineProcessor):
    """An inline pass that leaves alone the text none of its patterns can match: every pattern needs one
    of the marks in `can_change`, so text without them comes out as it went in. Most of a brief is
    such text; skipping it halves the time of a body's rendering. tests/test_markup_speed.py checks the
    output is the same as Python-Markdown's own."""

    can_change: re.Pattern[str]

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:  # noqa: N802, N803
        if not self.can_change.search(data):
            return data
        return super()._InlineProcessor__handleInline(data, patternIndex)


class _InlinePass(_SkippingPass):
    """Python-Markdown's inline pass: code, escapes, links and images, autolinks, line breaks, HTML,
    entities and emphasis each need one of these marks (STX and ETX surround text a pattern stashed).
    Within text that has some, a pattern is tried only when what it needs is there: each one searches the
    whole text, fourteen times per paragraph."""

    can_change = re.compile(r"[`\\\[<&*_\x02\x03]|  \n")

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:  # noqa: N802, N803
        if isinstance(data, AtomicString) or not self.can_change.search(data):
            return data
        patterns, needs = self.inlinePatterns, self._needs
        start = 0
        while patternIndex < len(needs):  # Python-Markdown's own loop, with the patterns that cannot match skipped
            pattern_needs = needs[patternIndex]
            matched = False
            if pattern_needs is None or any(mark in data for mark in pattern_needs):
                data, matched, start = self._InlineProcessor__applyPattern(patterns[patternIndex], data, patternIndex, start)
            if not matched:
                patternIndex, start = patternIndex + 1, 0
        return data

    @functools.cached_property
    def _needs(self) -> list[tuple[str, ...] | None]:
        """What each pattern needs, in the order the pass tries them (fixed once the converter is built)."""
        needs: list[tuple[str, ...] | None] = [None] * len(self.inlinePatterns)
        for name, marks in _PATTERN_NEEDS.items():
            if name in self.inlinePatterns:
                needs[self.inlinePatterns.get_index_for_name(name)] = marks
        return needs


# What each of Python-Markdown's inline patterns needs in a text to match it; one not named is always tried.
_PATTERN_NEEDS = {
    "backtick": ("`",), "escape": ("\\",), "reference": ("[",), "link": ("[",), "image_link": ("![",),
    "image_reference": ("![",), "short_reference": ("[",), "short_image_ref": ("![",), "autolink": ("<",),
    "automail": ("<",), "linebreak": ("  \n",), "html": ("<",), "entity": ("&",), "em_strong": ("*", "_"),
}


class _SmartyPass(_SkippingPass):
    """Smarty's pass: each of its patterns needs a quote, two dashes or three dots."""

    can_change = re.compile(r"['\"]|--|\.\.\.")


_BRACKET = re.compile(r"[\[\]]")


def _bracket_ends(data: str) -> list[int | None]:
    """Python-Markdown 3.11.4's `LinkInlineProcessor._findBracketEnds`, the same list made a run of text at a
    time: for each index of `data`, the index just past the `]` that closes a bracket opened before it, or
    None. Its loop visits every character, again each time a link's text changes: 0.2 to 0.3 ms of a 2 ms body.
    Between two brackets the depth holds, so each index of such a run has the same end (a slice, not a loop)."""
    ends: list[int | None] = [None] * (len(data) + 1)
    starts = [0, *(match.end() for match in _BRACKET.finditer(data))]  # where the depth may change
    depth, waiting = 0, []  # the runs whose bracket has not closed, each with its depth, deepest on top
    for number, start in enumerate(starts):
        if number:
            depth += 1 if data[start - 1] == "[" else -1
        while waiting and depth < waiting[-1][2]:
            first, stop, _ = waiting.pop()
            ends[first:stop] = [start] * (stop - first)
        waiting.append((start, starts[number + 1] if number + 1 < len(starts) else len(data) + 1, depth))
    return ends


class _BriefExtension(markdown.Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        md.treeprocessors.register(_BriefTree(md), "brief_tree", 5)
        for name, tuned in (("inline", _InlinePass), ("smarty", _SmartyPass)):
            if name in md.treeprocessors and type(md.treeprocessors[name]) is InlineProcessor:
                md.treeprocessors[name].__class__ = tuned
        for pattern in md.inlinePatterns:  # links and images, where Python-Markdown finds their brackets so
            if isinstance(pattern, LinkInlineProcessor) and hasattr(LinkInlineProcessor, "_findBracketEnds"):
                pattern._findBracketEnds = _bracket_ends


def _keep_safe_image_sources(tag: str, attribute: str, value: str) -> str | None:
    """Images load only over https or from the board itself; links keep the allowed schemes."""
    if tag == "img" and attribute == "src" and not (value.startswith("https://") or value.startswith("/")):
        return None
    return value


# An image whose source the sanitizer removed would be invalid HTML and show a broken icon.
_IMAGE_WITHOUT_SOURCE = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")
_converter: markdown.Markdown | None = None
_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES, link_rel=LINK_REL,
    attribute_filter=_keep_safe_image_sources, strip_comments=True, clean_content_tags={"script", "style"},
)


def _markdown() -> markdown.Markdown:
    """One converter per process, reset between documents: building one costs more than a short brief."""
    global _converter
    if _converter is None:
        _converter = markdown.Markdown(extensions=[*MARKDOWN_EXTENSIONS, _BriefExtension()],
                                       extension_configs=MARKDOWN_CONFIG, output_format="html")
    return _converter.reset()


def plain_text(fragment: str) -> str:
    """The text of an HTML fragment with its tags dropped and its whitespace folded."""
    text = html.unescape(nh3.clean(fragment, tags=set(), clean_content_tags={"script", "style"}))
    return " ".join(text.split())


def shorten(text: str, length: int = SUMMARY_LENGTH) -> str:
    """Cut text on a word boundary, with an ellipsis when anything was cut."""
    if len(text) <= length:
        return text
    cut = text[: length + 1].rsplit(" ", 1)[0] if " " in text[:length] else text[:length]
    return cut.rstrip(" ,;:.-–—") + "…"


@functools.lru_cache(maxsize=4096)
def absolute_links(fragment: str, page_url: str) -> str:
    """The sanitized fragment with every link and image resolved against the page it was written for,
    as a feed needs: a feed reader shows it away from the board, where a relative URL leads nowhere.
    Remembered: a project is an item of several feeds (its category's, its skills', the newest...)."""
    def resolve(tag: str, attribute: str, value: str) -> str | None:
        return urljoin(page_url, value) if attribute in ("href", "src") else value

    return nh3.clean(fragment, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel=LINK_REL, attribute_filter=resolve)


def render_markdown(body: str, summary: str | None = None) -> RenderedBody:
    """Render and sanitize a body; the summary is the given one, else the first paragraph's text.

    Raises UnrenderableBody for a body over the limits or one that takes over RENDER_SECONDS."""
    check_body_shape(body)
    safe_html = _IMAGE_WITHOUT_SOURCE.sub("", _cleaner.clean(_convert_in_time(body)))
    if summary is None:
        first = re.search(r"<p>(.*?)</p>", safe_html, re.S)
        summary = plain_text(first.group(1) if first else safe_html)
    return RenderedBody(safe_html, shorten(" ".join(summary.split())))


_FENCE = re.compile(r"[ \t]*(```|~~~)")
_BLOCK_MARKERS = re.compile(r"(?:[ \t]*(?:>|[-*+](?=[ \t])|[0-9]{1,9}[.)](?=[ \t])))+")


def check_body_shape(body: str) -> None:
    """Raise UnrenderableBody for a body too big or too deeply nested to render, before rendering it."""
    if len(body) > MAX_BODY_CHARACTERS:
        raise UnrenderableBody(f"the description is {len(body):,} characters long; a brief's description may have at most "
                               f"{MAX_BODY_CHARACTERS:,}: shorten it, or link to a longer document")
    in_fence = False
    for number, line in enumerate(body.split("\n")):
        if _FENCE.match(line):
            in_fence = not in_fence
        markers = None if in_fence else _BLOCK_MARKERS.match(line)
        if markers:
            indent = len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip(" "))
            depth = indent // 4 + len(re.findall(r">|[-*+]|[0-9]+[.)]", markers.group()))
            if depth > MAX_NESTING:
                raise UnrenderableBody(f"the description nests lists or quotes {depth} levels deep on this line; "
                                       f"at most {MAX_NESTING} are allowed: flatten it", number)


def _convert_in_time(body: str) -> str:
    """Python-Markdown's HTML for `body`, or UnrenderableBody when it runs out of time or stack."""
    global _converter
    try:
        with time_limit(RENDER_SECONDS):
            return _markdown().convert(body)
    except OutOfTime:
        _converter = None  # stopped halfway, the converter's state is not to be trusted
        raise UnrenderableBody(f"the description takes more than {RENDER_SECONDS:g} seconds to render, so it was "
                               "stopped: simplify its Markdown (long runs of [, ! or other marks, deep nesting)") from None
    except RecursionError:
        _converter = None
        raise UnrenderableBody("the description is nested too deeply to render: flatten its lists and quotes") from None
    except Exception as error:  # a Python-Markdown bug some text trips: that brief is refused, the build goes on
        _converter = None
        raise UnrenderableBody(f"the description could not be rendered (Python-Markdown failed with {type(error).__name__}): "
                               "simplify its Markdown around unusual marks") from None
