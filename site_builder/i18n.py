"""The board's interface in its own language: the theme's gettext catalogs, overridden string by string
by the board's own `translations/` folder, the same rule as for layouts and static files.

Catalogs are kept as `.po` files (what translators edit) and compiled in memory when a build starts, so
a board never holds a stale `.mo`. A string left fuzzy or untranslated stays English: the build summary
lists it, so a half-translated board is never silent about it. `board check`'s messages stay English:
they are for maintainers and employers on GitHub, not for the board's visitors.
"""

from __future__ import annotations

import functools
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from babel.support import NullTranslations, Translations
from markupsafe import Markup

from .errors import BoardError, Problem
from .shipped import SHIPPED

TRANSLATIONS_DIR = Path("translations")
THEME_TRANSLATIONS = SHIPPED / TRANSLATIONS_DIR
TEMPLATE = "messages.pot"  # every string of the theme, as `make messages` extracts it
PLACEHOLDER = re.compile(r"%\((\w+)\)([sd])")  # how the theme's strings name what fills them in


@dataclass(frozen=True)
class Interface:
    """The translated interface of one board: gettext for the layouts and the build's own texts.

    Plain values only (the compiled catalog as bytes), so that every fingerprint of the build that
    covers the config covers the board's words too."""

    language: str
    compiled: bytes = b""  # the catalog as a .mo file; empty: English
    direction: str = "ltr"  # or "rtl", from CLDR's character order for the language
    left_in_english: tuple[str, ...] = ()  # msgids the catalogs leave untranslated or fuzzy
    catalog_found: bool = False

    @functools.cached_property
    def translations(self) -> NullTranslations:
        return Translations(io.BytesIO(self.compiled)) if self.compiled else NullTranslations()

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.translations.ngettext(singular, plural, n)

    def plural_forms(self, singular: str, plural: str) -> dict[str, str]:
        """The translation of a plural message for each CLDR plural category of the language, for
        `Intl.PluralRules` in the browser to pick from (search.js has no catalog of its own)."""
        return {category: self.ngettext(singular, plural, n) for category, n in _plural_samples(self.language).items()}

    def summary(self) -> str | None:
        """One line for the build summary when part of the interface stays English, else None."""
        if self.language.split("-")[0].split("_")[0] == "en":
            return None
        if not self.catalog_found:
            return f"interface in English: no translation catalog for language {self.language!r} (see translations/)"
        if not self.left_in_english:
            return None
        shown = "; ".join(f'"{text}"' for text in self.left_in_english[:3])
        more = f" and {len(self.left_in_english) - 3} more" if len(self.left_in_english) > 3 else ""
        return f"interface: {len(self.left_in_english)} strings left in English for {self.language!r} (fuzzy or untranslated): {shown}{more}"


def catalog_names(language: str) -> list[str]:
    """The catalog folders to look for, most specific first: `pt-BR` -> ["pt_BR", "pt"]."""
    name = language.replace("-", "_")
    return [name, name.split("_")[0]] if "_" in name else [name]


def install_translations(env: jinja2.Environment, translations: NullTranslations) -> None:
    """Point the layouts' gettext (`_`, `gettext`, `ngettext`, `{% trans %}`) at `translations`.

    Jinja's i18n extension makes each `_()` three calls through the context (`_` looks up `gettext`,
    which calls the catalog through `Context.call`); the pages of a 10,000-brief board make 400,000 of
    them, about 5% of their processor time. These do the extension's work (its "newstyle" gettext:
    escaped while autoescaping, always a format string) in one call, and keep each message without
    variables once made, since a build's catalog does not change."""
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]  # pgettext, npgettext
    plain: dict[str, Markup] = {}

    @jinja2.pass_context
    def gettext(context: jinja2.runtime.Context, string: str, **variables: Any) -> str:
        escaping = context.eval_ctx.autoescape
        if escaping and not variables:
            if (made := plain.get(string)) is None:
                made = plain[string] = Markup(translations.gettext(string)) % variables
            return made
        text = translations.gettext(string)
        return (Markup(text) if escaping else text) % variables

    @jinja2.pass_context
    def ngettext(context: jinja2.runtime.Context, singular: str, plural: str, num: int, **variables: Any) -> str:
        variables.setdefault("num", num)
        text = translations.ngettext(singular, plural, num)
        return (Markup(text) if context.eval_ctx.autoescape else text) % variables

    env.globals.update(_=gettext, gettext=gettext, ngettext=ngettext)


def load_interface(root: Path, language: str) -> Interface:
    """The interface of the board at `root` in `language`: the theme's catalog, then the board's own."""
    catalog: Catalog | None = None
    own = (root / TRANSLATIONS_DIR).resolve()
    for folder in (THEME_TRANSLATIONS, *([own] if own != THEME_TRANSLATIONS else [])):
        path = next((p for name in catalog_names(language)
                     if (p := folder / name / "LC_MESSAGES" / "messages.po").is_file()), None)
        if path is None:
            continue
        found = _read_catalog(path, root, language)
        if catalog is None:
            catalog = found
        else:  # the board's own strings replace the theme's, one by one
            for message in found:
                if message.id and message.string and not message.fuzzy:
                    catalog.delete(message.id)  # Catalog's own setter would keep the theme's string
                    catalog[message.id] = message
    if catalog is None:
        return Interface(language, direction=_direction(language))
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    return Interface(language, compiled.getvalue(), _direction(language), _left_in_english(catalog), True)


def _read_catalog(path: Path, root: Path, language: str) -> Catalog:
    """A .po file, refused with `file:line` where a translation would break the page that shows it: a
    placeholder the English string does not give, or a lone % (every translation is %-formatted)."""
    shown = path.relative_to(root.resolve()).as_posix() if path.is_relative_to(root.resolve()) else str(path)
    try:
        with path.open("rb") as file:
            catalog = read_po(file, locale=_locale(language), abort_invalid=True)
    except (UnicodeDecodeError, PoFileError, ValueError) as error:
        raise BoardError([Problem(shown, getattr(error, "lineno", 1) or 1, f"not a gettext catalog Babel can read: {error}")]) from None
    problems = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        given = {name: 0 if kind == "d" else "" for text in ids for name, kind in PLACEHOLDER.findall(text)}
        for translation in message.string if isinstance(message.string, tuple) else (message.string,):
            try:
                translation % given
            except (KeyError, ValueError, TypeError) as error:
                problems.append(Problem(shown, message.lineno or 1, f"the translation of {ids[0]!r} cannot be filled in "
                                        f"({type(error).__name__}: {error}): use only the placeholders of the English "
                                        "text, and write % as %%"))
    if problems:
        raise BoardError(problems)
    return catalog


def _left_in_english(catalog: Catalog) -> tuple[str, ...]:
    """Every msgid of the theme's template that `catalog` does not translate (missing, empty or fuzzy)."""
    template = THEME_TRANSLATIONS / TEMPLATE
    ids = [m.id for m in read_po(template.open("rb"))] if template.is_file() else [m.id for m in catalog]
    left = []
    for msgid in ids:
        if not msgid:
            continue
        message = catalog.get(msgid)
        strings = message.string if message else None
        translated = all(strings) if isinstance(strings, tuple) else bool(strings)
        if message is None or message.fuzzy or not translated:
            left.append(msgid if isinstance(msgid, str) else msgid[0])
    return tuple(left)


def _locale(language: str) -> Locale | None:
    try:
        return Locale.parse(language, sep="-" if "-" in language else "_")
    except (ValueError, UnknownLocaleError):
        return None


def _direction(language: str) -> str:
    locale = _locale(language)
    return "rtl" if locale is not None and locale.character_order == "right-to-left" else "ltr"


@functools.lru_cache(maxsize=8)
def _plural_samples(language: str) -> dict[str, int]:
    """A number in each CLDR plural category of `language` ("one": 1, "other": 0, ...)."""
    locale = _locale(language) or Locale("en")
    samples: dict[str, int] = {}
    for n in range(0, 1000):
        samples.setdefault(locale.plural_form(n), n)
    return samples


def search_page_words(interface: Interface) -> dict[str, str | dict[str, str]]:
    """What static/search.js writes on the page, in the board's language (it has no catalog of its own):
    plain messages with %(name)s placeholders, and plural ones as CLDR category -> form."""
    _, plural_forms = interface.gettext, interface.plural_forms
    return {
        "active": plural_forms("(%(num)d active)", "(%(num)d active)"),
        "show_all": plural_forms("Show all %(num)d", "Show all %(num)d"),
        "show_fewer": _("Show fewer"),
        "projects_open": plural_forms("%(num)d open project", "%(num)d open projects"),
        "projects_closed": plural_forms("%(num)d closed project", "%(num)d closed projects"),
        "projects_all": plural_forms("%(num)d project", "%(num)d projects"),
        "no_projects_open": _("No open projects"),
        "no_projects_closed": _("No closed projects"),
        "no_projects_all": _("No projects"),
        "match": _("%(projects)s match “%(text)s”"),
        "try_other_words": _("%(message)s. Try other words or fewer filters."),
        "showing": _("%(message)s, showing %(shown)d"),
    }
