"""The speed-ups change nothing: the tuned converter renders exactly what stock Python-Markdown renders
with the same extensions and settings, and documents checked whole for forbidden characters are the
documents cleaned text by text."""

from __future__ import annotations

import copy
import importlib.util
import json
import random
import signal
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import markdown
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown.inlinepatterns import LinkInlineProcessor
from markdown.treeprocessors import InlineProcessor

from site_builder import markup, text, wording
from site_builder.frontyaml import split_front_matter

REPO = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("bench_generate", REPO / "bench" / "generate.py")
generate = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(generate)


def stock_converter() -> markdown.Markdown:
    """The board's converter with the inline and smarty passes as Python-Markdown ships them."""
    converter = markdown.Markdown(extensions=[*markup.MARKDOWN_EXTENSIONS, markup._BriefExtension()],
                                  extension_configs=markup.MARKDOWN_CONFIG, output_format="html")
    converter.treeprocessors["inline"].__class__ = InlineProcessor
    converter.treeprocessors["smarty"].__class__ = InlineProcessor
    for pattern in converter.inlinePatterns:  # and links' brackets found as Python-Markdown finds them
        pattern.__dict__.pop("_findBracketEnds", None)
    return converter


STOCK = stock_converter()


def assert_same(text: str) -> None:
    assert markup._markdown().convert(text) == STOCK.reset().convert(text)


def test_tuned_converter_skips_the_inline_and_smarty_passes_on_text_they_cannot_change() -> None:
    assert {type(markup._markdown().treeprocessors[name]) for name in ("inline", "smarty")} == {markup._InlinePass, markup._SmartyPass}


def test_example_briefs_render_as_with_stock_markdown() -> None:
    for path in sorted((REPO / "content").rglob("*.md")):
        parts = split_front_matter(path.read_text())
        assert_same(parts[2] if parts else path.read_text())


def test_generated_bodies_render_as_with_stock_markdown() -> None:
    rng = random.Random(11)
    for _ in range(60):
        assert_same(generate.body(rng, rng.sample(generate.SKILLS, 3)))


PIECES = [*"ab '\"-.`*_[]()!<>&\\\n#|:", "--", "...", "'s", "\n\n", "  \n", "1. ", "- ", "```\n", "word"]
PUNCTUATION_HEAVY = st.lists(st.sampled_from(PIECES), max_size=80).map("".join)


@settings(max_examples=400, deadline=None)
@given(PUNCTUATION_HEAVY)
def test_any_text_renders_as_with_stock_markdown(text: str) -> None:
    assert_same(text)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="[]a(\\`!\n", max_size=60))
def test_the_ends_of_links_brackets_are_those_python_markdown_finds(text: str) -> None:
    """Python-Markdown 3.11.4 finds where each link's brackets close by a loop over every character; the
    board's converter finds the same a run of text at a time."""
    patterns = [pattern for pattern in markup._markdown().inlinePatterns if isinstance(pattern, LinkInlineProcessor)]
    if not hasattr(LinkInlineProcessor, "_findBracketEnds"):  # before 3.11.4 it scanned from each bracket: nothing to replace
        assert not any("_findBracketEnds" in vars(pattern) for pattern in patterns)
        return
    assert patterns and all(pattern._findBracketEnds is markup._bracket_ends for pattern in patterns)
    assert markup._bracket_ends(text) == LinkInlineProcessor._findBracketEnds(text)


def test_a_slow_body_is_stopped_in_the_main_thread_and_in_any_other_and_the_next_body_renders() -> None:
    """The render budget holds where a build renders: its processes' main threads (a timer signal) and
    `board serve`'s background thread (a watchdog thread); neither leaves anything behind."""
    slow = "[](" * 6600 + "\n"  # 5 s of processor time at Python-Markdown 3.11
    outcomes: list[str] = []

    def render_slow_then_fast() -> None:
        started = time.process_time()
        try:
            markup.render_markdown(slow)
            outcomes.append("rendered")
        except markup.UnrenderableBody as error:
            outcomes.append(f"{error.message.split(',')[0]} after {time.process_time() - started:.0f} s")
        outcomes.append(markup.render_markdown("*fine*").html)

    render_slow_then_fast()
    thread = threading.Thread(target=render_slow_then_fast)
    thread.start()
    thread.join()
    stopped = f"the description takes more than {markup.RENDER_SECONDS:g} seconds to render after 2 s"
    assert outcomes == [stopped, "<p><em>fine</em></p>"] * 2
    assert signal.getsignal(signal.SIGPROF) == signal.SIG_DFL and signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0)
    assert threading.active_count() == 1  # no watchdog outlives its render: parallel.py may still fork


def _cleaned_text_by_text(value):
    if isinstance(value, str):
        return text.without_forbidden(value)
    if isinstance(value, dict):
        return {_cleaned_text_by_text(k): _cleaned_text_by_text(v) for k, v in value.items()}
    return [_cleaned_text_by_text(item) for item in value] if isinstance(value, list) else value


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(st.text(max_size=5), st.lists(st.text(max_size=12), max_size=3), max_size=3), st.text(max_size=12))
def test_documents_checked_whole_are_written_as_if_cleaned_text_by_text(value, extra: str) -> None:
    """JSON and XML are written first and searched whole for the characters no output may carry: the same
    bytes as cleaning every text and attribute before writing."""
    assert text.output_json(value, indent=1) == json.dumps(_cleaned_text_by_text(value), ensure_ascii=False, indent=1)
    root = ET.Element("feed", {"title": extra})
    for key, values in value.items():
        ET.SubElement(root, "entry", {"term": key}).text = "".join(values)
    expected = copy.deepcopy(root)
    for element in expected.iter():
        element.text = text.without_forbidden(element.text) if element.text else element.text
        element.attrib = {name: text.without_forbidden(v) for name, v in element.attrib.items()}
    ET.indent(expected)
    assert wording.xml_document(root) == ET.tostring(expected, encoding="utf-8", xml_declaration=True) + b"\n"
