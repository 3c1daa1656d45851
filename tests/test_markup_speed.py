"""The markup stage's speed-ups change nothing: the tuned converter renders exactly what stock
Python-Markdown renders with the same extensions and settings."""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path

import markdown
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown.treeprocessors import InlineProcessor

from site_builder import markup
from site_builder.frontyaml import split_front_matter

REPO = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("bench_generate", REPO / "bench" / "generate.py")
generate = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(generate)


def stock_converter() -> markdown.Markdown:
    """The board's converter with smarty's pass as Python-Markdown ships it."""
    converter = markdown.Markdown(extensions=[*markup.MARKDOWN_EXTENSIONS, markup._BriefExtension()],
                                  extension_configs=markup.MARKDOWN_CONFIG, output_format="html")
    converter.treeprocessors["smarty"].__class__ = InlineProcessor
    return converter


STOCK = stock_converter()


def assert_same(text: str) -> None:
    assert markup._markdown().convert(text) == STOCK.reset().convert(text)


def test_tuned_converter_skips_smarty_on_text_it_cannot_change() -> None:
    assert type(markup._markdown().treeprocessors["smarty"]) is not InlineProcessor


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
