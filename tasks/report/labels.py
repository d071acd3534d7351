"""The note's words and number formats in French (default) and English, kept out of the template's logic.

The words come from the gettext catalogues (tasks/report/translations.py, English as the source language);
month names and number separators from Babel's CLDR data. These functions are the API the report code
calls: the codes stored in the warehouse (`producer_org`, `sesame`, `expect_…`) never reach a page as is.
"""

from __future__ import annotations

import re
import string
from decimal import Decimal
from functools import cache
from typing import Any

from babel.dates import get_month_names
from babel.numbers import format_decimal

from tasks.indicators.periods import Period
from tasks.report.translations import by_english, keyed, languages

LANGUAGES = languages()

MONTHS = {lang: [get_month_names("wide", locale=lang)[m] for m in range(1, 13)] for lang in LANGUAGES}
# CLDR's abbreviations without their full stop (`janv`, `Jan`): an axis label, not a sentence
SHORT_MONTHS = {
    lang: [get_month_names("abbreviated", locale=lang)[m].rstrip(".") for m in range(1, 13)]
    for lang in LANGUAGES
}

# The note's fixed words, `TEXT[lang][key]` (context `note:<key>` in the catalogues).
TEXT = {lang: keyed("note", lang) for lang in LANGUAGES}

# Why a value is empty: stored in English with the value (tasks/indicators), shown in the note's language.
EMPTY_NOTES_FR = by_english("empty-note", "fr")

# What kind of number a value is (indicator_value.aggregation), shown next to each figure.
KIND_WORDS = {lang: keyed("kind", lang) for lang in LANGUAGES}


def empty_note(note: str | None, lang: str) -> str:
    """Why a value is empty, in the note's language (a note with no translation is shown as stored)."""
    if not note:
        return ""
    return by_english("empty-note", lang).get(note, note)


def kind_words(aggregation: str | None, period: Period, lang: str) -> str:
    """`à date`, `sur la période` or `au 30/06` (the period's last day): so a reader never sums stocks."""
    words = KIND_WORDS[lang].get(aggregation or "")
    return words.format(day=period.end.strftime("%d/%m")) if words else ""


def period_label(period: Period, lang: str) -> str:
    """`mai–juin 2019` / `May–June 2019`: how people name a bi-month."""
    months = MONTHS[lang]
    return f"{months[period.start.month - 1]}–{months[period.end.month - 1]} {period.start.year}"


def short_period(period: Period, lang: str) -> str:
    """A compact axis label such as `mai-juin 19`."""
    months = SHORT_MONTHS[lang]
    first, last = months[period.start.month - 1], months[period.end.month - 1]
    return f"{first}-{last} {period.start.year % 100:02d}"


def number(value: float | None, lang: str, decimals: int = 0) -> str:
    """A number with the language's thousands and decimal separators (`1 250 000,5` with narrow no-break
    spaces in French, `1,250,000.5` in English); an en dash when missing."""
    if value is None:
        return "–"
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    # rounded as Python rounds the float (54.55 → 54.5, as the stored value really is 54.5499…), so the page
    # agrees with any figure computed from the same value; Babel only places the separators
    return format_decimal(Decimal(f"{value:.{decimals}f}"), format=pattern, locale=lang)


def percent(fraction: float | None, lang: str) -> str:
    """A stored fraction (0.125) as the page shows it (12,5 % / 12.5%)."""
    if fraction is None:
        return "–"
    return (
        f"{number(fraction * 100, lang, 1)}\u00a0%" if lang == "fr" else f"{number(fraction * 100, lang, 1)}%"
    )


def formatted(value: float | None, unit: str, lang: str) -> str:
    """A stored value in its unit's form: a percentage for ratios, an amount in FCFA/XOF, else a count."""
    if unit == "ratio":
        return percent(value, lang)
    if unit == "xof" and value is not None:
        return f"{number(value, lang)} {keyed('unit', lang)['xof']}"
    return number(value, lang)


def value_label(dimension: str, value: Any, lang: str) -> str:
    """A stored code as a reader names it: `producer_org` → `Organisation de producteurs`, `sesame` →
    `Sésame`; a value with no entry (a cercle, a campaign, an MFI's name) is shown as stored."""
    return keyed(dimension, lang).get(str(value), str(value))


def dimension_label(dimension: str, lang: str) -> str:
    """A disaggregation's name (`category` → `Catégorie`)."""
    return keyed("dimension", lang).get(dimension, dimension)


def breakdown(disaggregation: dict[str, Any], lang: str, named: bool = False) -> str:
    """A disaggregation's values for a table cell: `Organisation de producteurs`, `San, Femmes`; `named`
    puts each dimension's name before its value (`Catégorie : Organisation de producteurs`)."""
    colon = "\u00a0: " if lang == "fr" else ": "
    return ", ".join(
        f"{dimension_label(k, lang)}{colon}{value_label(k, v, lang)}" if named else value_label(k, v, lang)
        for k, v in disaggregation.items()
    )


def check_label(check: str, lang: str) -> str:
    """A validation check (GX expectation type or MALUX reader check) in words, not its code name."""
    return keyed("check", lang).get(check, check)


@cache
def _pattern_regex(source: str) -> re.Pattern[str]:
    """`expected a unit: {units}` → a regex capturing `units` (the English template, read backwards)."""
    parts = []
    for literal, field, _spec, _conversion in string.Formatter().parse(source):
        parts.append(re.escape(literal))
        if field:
            parts.append(f"(?P<{field}>.+?)")
    return re.compile("".join(parts) + r"\Z")


def _codes(text: str, dimension: str | None, lang: str) -> str:
    """`producer_org, mse` → each code's label when `dimension` has labels, else the text unchanged."""
    if not dimension or not keyed(dimension, lang):
        return text
    return ", ".join(value_label(dimension, code.strip(" '\""), lang) for code in text.split(","))


def reason_label(reason: str | None, lang: str, column: str | None = None) -> str:
    """A quarantine reason (stored in English) in the note's language: an exact message of the catalogue,
    else the most specific `reason-pattern` that matches, its fields filled from the stored text (the codes
    in a field named after a dimension, such as `{category}`, or in `{values}` of a column such as
    `crop`, translated too); else the reason as stored."""
    if not reason:
        return ""
    exact = by_english("reason", lang)
    if reason in exact:
        return exact[reason]
    patterns = by_english("reason-pattern", lang)
    for source in sorted(patterns, key=len, reverse=True):
        found = _pattern_regex(source).match(reason)
        if found:
            fields = {
                name: _codes(text, column if name == "values" else name, lang)
                for name, text in found.groupdict().items()
            }
            return patterns[source].format(**fields)
    return reason
