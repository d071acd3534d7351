"""The report's gettext catalogues, read at runtime with Babel: no compile step, a fresh clone just works.

English is the source language: `locale/messages.pot` holds every message's English text (msgid) and
what it is (msgctxt: `note:title`, `crop:sesame`, `check:parse_date`, `reason`…);
`locale/<lang>/LC_MESSAGES/messages.po` translates it (msgstr).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
SOURCE_LANGUAGE = "en"


@cache
def catalogue(lang: str) -> Catalog:
    """The template for English, else the language's catalogue (a missing file raises)."""
    path = (
        LOCALE_DIR / "messages.pot"
        if lang == SOURCE_LANGUAGE
        else LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    )
    with path.open("rb") as po:
        return read_po(po, locale=None if lang == SOURCE_LANGUAGE else lang)


def languages() -> list[str]:
    """English and every language with a catalogue."""
    found = {p.name for p in LOCALE_DIR.iterdir() if (p / "LC_MESSAGES" / "messages.po").is_file()}
    return sorted(found | {SOURCE_LANGUAGE})


def _text(message, lang: str) -> str:
    """English is the msgid; an untranslated message falls back to it rather than to nothing."""
    return message.id if lang == SOURCE_LANGUAGE else (message.string or message.id)


@cache
def keyed(kind: str, lang: str) -> dict[str, str]:
    """`{key: text}` of the messages whose context is `<kind>:<key>` (`keyed("crop", "fr")["sesame"]`)."""
    prefix = f"{kind}:"
    return {
        message.context[len(prefix) :]: _text(message, lang)
        for message in catalogue(lang)
        if message.id and message.context and message.context.startswith(prefix)
    }


@cache
def by_english(context: str, lang: str) -> dict[str, str]:
    """`{English text: text}` of the messages of one context (`by_english("reason", "fr")`)."""
    return {
        message.id: _text(message, lang)
        for message in catalogue(lang)
        if message.id and message.context == context
    }
