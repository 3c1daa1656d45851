"""The board in its own language: the example board built in German, French and Spanish shows no English
interface string, the catalogs cover every string the theme uses, and a right-to-left board reads so."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import feedparser
import jinja2
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.catalog import Catalog
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from site_builder.build import BuildResult, build
from site_builder.i18n import THEME_TRANSLATIONS, TEMPLATE, install_translations, load_interface
from site_builder.layouts import layout_environment
from site_builder.theme import Theme
from tests.site_files import EXAMPLE_DATE, copy_example_board, parse_html

LANGUAGES = ("de", "fr", "es")
TODAY = date.fromisoformat(EXAMPLE_DATE)
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|<[^>]+>")


def board_in(language: str, root: Path) -> Path:
    board = copy_example_board(root)
    config = board / "site.toml"
    config.write_text(re.sub(r'(?m)^language = .*$', f'language = "{language}"', config.read_text()))
    return board


@pytest.fixture(scope="module")
def translated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, BuildResult]]:
    """The example board built in each shipped language (without search: the browser test has its own)."""
    built = {}
    for language in LANGUAGES:
        board = board_in(language, tmp_path_factory.mktemp(language))
        built[language] = board / "public", build(board, board / "public", TODAY, search=False)
    return built


def catalog(language: str):
    return read_po((THEME_TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb"), locale=language)


def template_ids() -> list[str | tuple[str, str]]:
    return [message.id for message in read_po((THEME_TRANSLATIONS / TEMPLATE).open("rb")) if message.id]


def english_fragments(msgid: str | tuple[str, str], translations: tuple[str, ...]) -> list[str]:
    """The runs of English words of a msgid a page would show, leaving out those its translation keeps
    ("Status" is German too): what must not be left on a translated page."""
    ids = msgid if isinstance(msgid, tuple) else (msgid,)
    runs = {run.strip(" .,:;()–·“”") for text in ids for run in PLACEHOLDER.split(text)}
    return sorted(run for run in runs if len(re.sub(r"[^A-Za-z]", "", run)) >= 3
                  and not any(run.casefold() in t.casefold() for t in translations))


def board_texts(result: BuildResult) -> set[str]:
    """What the board's owners and employers wrote (titles, names, skills, site.toml's texts): English
    on the example board, and no part of the interface."""
    site = result.site
    texts = {site.config.title, site.config.description}
    texts |= {text for c in site.config.categories for text in (c.title, c.description)}
    for project in site.projects:
        brief = project.brief
        texts |= {brief.title, brief.company.name, project.summary, brief.location or "", *brief.skills}
    texts |= {page.title for page in site.pages}
    return {text for text in texts if text}


def interface_text(html: str, owners: set[str]) -> str:
    """A page's visible text and labels, without the employer's brief, content pages and owners' texts."""
    html = re.sub(r'(?s)<div class="brief"[^>]*>.*?</div>\s*</div>', "", html)
    html = re.sub(r'(?s)<article class="prose">.*?</article>', "", html)
    html = re.sub(r"(?s)<script.*?</script>|<template.*?</template>", "", html)
    parsed = parse_html(html)
    parts = [data for _, data in parsed.data]
    parts += [value or "" for _, attrs in parsed.elements for name, value in attrs.items()
              if name in ("aria-label", "placeholder", "alt")]
    text = "\n".join(parts)
    for owned in sorted(owners, key=len, reverse=True):
        text = text.replace(owned, " ")
    return text


def test_the_message_template_holds_every_string_the_layouts_and_the_build_use():
    """A string wrapped in _() but missing from messages.pot would reach no translator: `make messages`."""
    repo = THEME_TRANSLATIONS.parent
    method_map, options_map = parse_mapping_cfg((repo / "babel.cfg").open())
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "plural_forms": (1, 2)}
    used = {message for folder in ("layouts", "site_builder")
            for _, _, message, _, _ in extract_from_dir(repo / folder, method_map, options_map, keywords=keywords)}
    assert used == set(template_ids()), "translations/messages.pot is out of date: run `make messages`"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_of_the_theme_is_translated_or_fuzzy_and_listed_in_the_summary(translated, language):
    entries = {message.id: message for message in catalog(language) if message.id}
    _, result = translated[language]
    words = result.site.config.words
    left = words.left_in_english
    compiled = words.translations._catalog  # what the build compiled: translated, non-fuzzy strings only
    for msgid in template_ids():
        english, key = (msgid, msgid) if isinstance(msgid, str) else (msgid[0], (msgid[0], 0))
        message = entries.get(msgid)
        strings = message.string if message else ""
        done = message is not None and not message.fuzzy and (all(strings) if isinstance(strings, tuple) else bool(strings))
        assert done or english in left, f"{language}: {msgid!r} is neither translated nor listed as left in English"
        assert (key in compiled) == done, f"{language}: {msgid!r} compiled differently from its catalog entry"
    summary = result.summary()
    assert all(f'"{text}"' in summary for text in left[:3]), summary


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_english_interface_string_is_left_on_a_translated_board(translated, language):
    output, result = translated[language]
    owners = board_texts(result)
    translations = {message.id: message.string for message in catalog(language) if message.id and not message.fuzzy}
    fragments = {}
    for msgid, translation in translations.items():
        shown = translation if isinstance(translation, tuple) else (translation,)
        for fragment in english_fragments(msgid, shown):
            fragments.setdefault(fragment, msgid)
    assert len(fragments) > 80  # the check below looks for every one of them
    pattern = re.compile("|".join(rf"(?<![\w-]){re.escape(f)}(?![\w-])" for f in sorted(fragments, key=len, reverse=True)))
    found = {}
    for page in sorted(output.rglob("*.html")):
        for match in pattern.finditer(interface_text(page.read_text(encoding="utf-8"), owners)):
            found.setdefault(match.group(0), page.relative_to(output).as_posix())
    assert found == {}, f"English left on the {language} board (string: first page): {found}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_feeds_and_calendar_speak_the_boards_language(translated, language):
    output, result = translated[language]
    words = result.site.config.words
    skill = result.site.skills[0]
    parsed = feedparser.parse((output / f"skills/{skill.key}/feed.xml").read_bytes())
    assert not parsed.bozo
    expected = words.gettext("%(board)s: projects that need %(skill)s") % {"board": result.site.config.title, "skill": skill.name}
    assert parsed.feed.title == expected and "projects that need" not in expected
    entry = parsed.entries[0]
    assert words.gettext("Deadline") in entry.content[0].value and "Deadline" not in entry.content[0].value
    calendar = (output / "deadlines.ics").read_text(encoding="utf-8")
    assert "Last day to apply" not in calendar and words.gettext("Last day to apply: %(title)s (%(company)s)").split(":")[0] in calendar


def test_the_search_page_carries_its_words_in_the_boards_language(translated):
    output, _ = translated["de"]
    page = (output / "search/index.html").read_text(encoding="utf-8")
    words = json.loads(re.search(r'<script type="application/json" id="search-strings">(.*?)</script>', page).group(1))
    assert words["projects_open"] == {"one": "%(num)d offenes Projekt", "other": "%(num)d offene Projekte"}
    assert words["no_projects_open"] == "Keine offenen Projekte"


def test_a_boards_own_translation_replaces_the_themes_string(tmp_path):
    board = board_in("de", tmp_path)
    own = board / "translations/de/LC_MESSAGES"
    own.mkdir(parents=True)
    (own / "messages.po").write_text('msgid ""\nmsgstr ""\n"Language: de\\n"\n\nmsgid "Skills"\nmsgstr "Kenntnisse"\n', encoding="utf-8")
    words = load_interface(board, "de")
    assert words.gettext("Skills") == "Kenntnisse" and words.gettext("Categories") == "Kategorien"


def test_a_language_without_a_catalog_says_so_in_the_summary_and_reads_right_to_left(tmp_path):
    board = board_in("ar", tmp_path)
    result = build(board, board / "public", TODAY, search=False)
    assert "no translation catalog for language 'ar'" in result.summary()
    html = (board / "public/projects/acme-crm-cleanup/index.html").read_text(encoding="utf-8")
    assert html.splitlines()[1] == '<html lang="ar" dir="rtl">'
    english = (board / "public/index.html").read_text(encoding="utf-8")
    assert 'dir="rtl"' in english


def test_english_boards_have_no_dir_attribute_and_no_summary_line(example_build):
    output, result = example_build
    assert '<html lang="en">' in (output / "index.html").read_text(encoding="utf-8")
    assert "interface" not in result.summary()


def test_the_layout_uses_logical_properties_so_right_to_left_mirrors_it():
    """Physical left/right in the theme's CSS would not mirror in a right-to-left board."""
    for sheet in ("style.css", "search.css"):
        css = (THEME_TRANSLATIONS.parent / "static" / sheet).read_text(encoding="utf-8")
        physical = re.findall(r"(?m)^[^/*]*\b(?:margin|padding|border)-(?:left|right)\b[^;]*;|\b(?:left|right)\s*:", css)
        assert physical == [], f"{sheet}: {physical}"


def test_a_translation_that_would_break_its_page_is_refused_by_check_and_build_with_its_line(tmp_path):
    board = board_in("de", tmp_path)
    own = board / "translations/de/LC_MESSAGES"
    own.mkdir(parents=True)
    (own / "messages.po").write_text('msgid ""\nmsgstr ""\n"Language: de\\n"\n\n'
                                     'msgid "Closes in %(num)d day"\nmsgid_plural "Closes in %(num)d days"\n'
                                     'msgstr[0] "Endet in %(tage)d Tag"\nmsgstr[1] "Endet in %(num)d Tagen"\n\n'
                                     'msgid "Skills"\nmsgstr "100% Kenntnisse"\n', encoding="utf-8")
    expected = [
        "translations/de/LC_MESSAGES/messages.po:5: the translation of 'Closes in %(num)d day' cannot be filled in "
        "(KeyError: 'tage'): use only the placeholders of the English text, and write % as %%",
        "translations/de/LC_MESSAGES/messages.po:10: the translation of 'Skills' cannot be filled in "
        "(ValueError: unsupported format character 'K' (0x4b) at index 5): use only the placeholders of the English "
        "text, and write % as %%",
    ]
    for command in ("check", "build"):
        done = subprocess.run([sys.executable, "-m", "site_builder", "--root", str(board), command, "--now", EXAMPLE_DATE],
                              capture_output=True, text=True)
        # check prints problems on stdout, as a report; build on stderr, as why it stopped
        assert done.returncode == 1 and (done.stdout + done.stderr).splitlines()[:2] == expected, done.stdout + done.stderr



def test_the_layouts_gettext_gives_what_jinjas_own_gives(tmp_path):
    """`_`, `gettext`, `ngettext` and `{% trans %}` are made in one call each (layouts.install_translations),
    not the i18n extension's three: each gives the extension's text, escaped or not, translated or not (a message
    is markup, as in Jinja: its own "&" stays)."""
    catalog = Catalog(locale="fr")
    catalog.add("Closed", "Fermé")
    catalog.add("Apply by %(day)s.", "Postulez avant le <b>%(day)s</b>.")
    catalog.add("100%% remote", "100%% à distance")
    catalog.add(("%(num)d hour", "%(num)d hours"), ("%(num)d heure", "%(num)d millions d'heures", "%(num)d heures"))  # CLDR's three forms
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    layout = (
        "{{ _('Closed') }}|{{ gettext('Apply by %(day)s.', day='<i>1 mai</i>') }}|{{ _('100%% remote') }}|{{ _('Kept & untranslated') }}"
        "|{{ ngettext('%(num)d hour', '%(num)d hours', n) }}|{{ ngettext('%(num)d hour', '%(num)d hours', 1) }}"
        "|{% trans %}Closed{% endtrans %}|{% trans count=n %}{{ count }} hour{% pluralize %}{{ count }} hours{% endtrans %}"
        "|{% autoescape false %}{{ _('Apply by %(day)s.', day='<i>') }}|{{ _('100%% remote') }}{% endautoescape %}"
    )
    rendered = {}
    for language, translations in (("fr", Translations(io.BytesIO(compiled.getvalue()))), ("en", NullTranslations())):
        stock = jinja2.Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
        stock.install_gettext_translations(translations, newstyle=True)
        ours = layout_environment(Theme(tmp_path))
        install_translations(ours, translations)
        twice = [ours.from_string(layout).render(n=3) for _ in range(2)]  # the second from messages kept by the first
        assert twice == [stock.from_string(layout).render(n=3)] * 2
        rendered[language] = twice[0]
    assert rendered["fr"] == ("Fermé|Postulez avant le <b>&lt;i&gt;1 mai&lt;/i&gt;</b>.|100% à distance|Kept & untranslated"
                              "|3 heures|1 heure|Fermé|3 hours|Postulez avant le <b><i></b>.|100% à distance")
    assert rendered["en"].startswith("Closed|Apply by &lt;i&gt;1 mai&lt;/i&gt;.|100% remote|")
