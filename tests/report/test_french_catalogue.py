"""The French catalogue covers what the warehouse can hold: every message of the English template, every
check and reason the validation can store, every code of the suites' value sets; and the chart axes
write numbers the French way."""

from __future__ import annotations

import ast
import json
import re
import string
from pathlib import Path

import pandas as pd
import pytest
from babel.messages.pofile import read_po
from jinja2 import Environment, nodes
from program_builder import REPO_CONFIG

from tasks.loans import arrears_xlsx
from tasks.report import charts, evaluation_words, loans_section
from tasks.report.labels import KIND_WORDS, TEXT, check_label, reason_label, value_label
from tasks.standardise import nul_cells
from tasks.standardise.values import EXPECTED
from tasks.validate.references import check_references

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "tasks" / "report" / "locale"
# the suites' columns whose values the note shows, each the dimension it is labelled under
LABELLED_COLUMNS = {"category", "crop", "module", "audience", "gender"}


def _catalogue(path: Path):
    with path.open("rb") as po:
        return {(m.context, m.id): m for m in read_po(po) if m.id}


def _suite_expectations() -> list[dict]:
    return [
        entry
        for suite in sorted((ROOT / "expectations").glob("*.json"))
        for entry in json.loads(suite.read_text(encoding="utf-8"))["expectations"]
    ]


def _reader_checks() -> set[str]:
    """The checks the readers and the reference check store, found in their source (`parse_date`, …)."""
    found = {f"parse_{kind}" for kind in EXPECTED}
    sources = [*(ROOT / "tasks" / "standardise").glob("*.py"), ROOT / "tasks" / "validate" / "references.py"]
    for source in sources:
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            text = node.value if isinstance(node, ast.Constant) else None
            if isinstance(text, str) and re.fullmatch(r"parse_[a-z]+|known_reference", text):
                found.add(text)
    return found


def _fields(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def test_the_french_catalogue_translates_every_message_of_the_english_template():
    template = _catalogue(LOCALE / "messages.pot")
    french = _catalogue(LOCALE / "fr" / "LC_MESSAGES" / "messages.po")
    assert len(template) > 100
    assert set(french) == set(template)
    for key, message in french.items():
        assert message.string, f"{key} has no French"
        assert _fields(message.string) == _fields(message.id), f"{key}: the placeholders differ"


def test_the_note_has_the_same_words_in_both_languages():
    assert set(TEXT["fr"]) == set(TEXT["en"]) and len(TEXT["fr"]) > 30
    assert all(TEXT["fr"][key] != TEXT["en"][key] for key in ("title", "headline", "quality"))


# the report's other word lists, each a view over one context of the catalogues
VIEWS = {
    "evaluation": evaluation_words.WORDS,
    "evaluation-kind": evaluation_words.KINDS,
    "loans": loans_section.WORDS,
}


def _context(context: str) -> dict[str, dict[str, str]]:
    """`{lang: {key: text}}` of the messages `<context>:<key>`, read from the files themselves."""
    prefix = f"{context}:"
    template = _catalogue(LOCALE / "messages.pot")
    french = _catalogue(LOCALE / "fr" / "LC_MESSAGES" / "messages.po")
    return {
        "en": {c[len(prefix) :]: m.id for (c, _), m in template.items() if c and c.startswith(prefix)},
        "fr": {c[len(prefix) :]: m.string for (c, _), m in french.items() if c and c.startswith(prefix)},
    }


@pytest.mark.parametrize("context", sorted(VIEWS))
def test_the_report_word_lists_are_the_catalogue_with_the_same_keys_and_placeholders(context):
    expected = _context(context)
    assert expected["en"], f"no {context}: message in the template"
    assert VIEWS[context] == expected
    assert set(expected["fr"]) == set(expected["en"])
    for key, english in expected["en"].items():
        french = expected["fr"][key]
        assert french, f"{context}:{key} has no French"
        assert _fields(french) == _fields(english), f"{context}:{key}: the placeholders differ"


def test_the_evaluation_names_the_same_kinds_of_number_as_the_note():
    assert set(evaluation_words.KINDS["fr"]) == set(KIND_WORDS["fr"])


def _used_keys(source: Path, names: set[str]) -> set[str]:
    """The constant keys a module reads from `words[...]` or `WORDS[lang][...]`."""
    keys = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant)):
            continue
        target = node.value.value if isinstance(node.value, ast.Subscript) else node.value
        if isinstance(target, ast.Name) and target.id in names and isinstance(node.slice.value, str):
            keys.add(node.slice.value)
    return keys


def _template_keys(name: str, *path: str) -> set[str]:
    """The attributes a template reads from the word dict at `path` (`w`, or `loans.t`)."""
    source = (ROOT / "tasks" / "report" / "templates" / name).read_text(encoding="utf-8")
    keys = set()
    for node in Environment().parse(source).find_all(nodes.Getattr):
        inner, chain = node.node, []
        while isinstance(inner, nodes.Getattr):
            chain.insert(0, inner.attr)
            inner = inner.node
        if isinstance(inner, nodes.Name) and (inner.name, *chain) == path:
            keys.add(node.attr)
    return keys


def test_every_word_the_evaluation_and_loans_block_read_is_in_both_languages():
    report = ROOT / "tasks" / "report"
    evaluation_keys = _used_keys(report / "evaluation.py", {"words", "WORDS"}) | _template_keys(
        "evaluation.html.j2", "w"
    )
    loans_keys = _used_keys(report / "loans_section.py", {"words", "WORDS"}) | _template_keys(
        "_loans.html.j2", "loans", "t"
    )
    assert {"title", "unknown", "then", "computed"} <= evaluation_keys and {"title", "note"} <= loans_keys
    for lang in ("fr", "en"):
        assert evaluation_keys <= set(evaluation_words.WORDS[lang]), evaluation_keys - set(
            evaluation_words.WORDS[lang]
        )
        assert loans_keys <= set(loans_section.WORDS[lang]), loans_keys - set(loans_section.WORDS[lang])


def _language_dicts(source: Path) -> list[int]:
    """Lines of dict literals keyed by `"fr"` and `"en"` with literal dicts as values: words kept in code."""
    found = []
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Dict):
            keyed = {
                k.value: v for k, v in zip(node.keys, node.values, strict=True) if isinstance(k, ast.Constant)
            }
            if {"fr", "en"} <= set(keyed) and any(isinstance(keyed[lang], ast.Dict) for lang in ("fr", "en")):
                found.append(node.lineno)
    return found


def test_no_report_module_keeps_its_words_in_a_language_dictionary():
    sources = [*(ROOT / "tasks" / "report").glob("*.py"), *(ROOT / "tasks" / "loans").glob("*.py")]
    assert len(sources) > 10
    held = {source.name: lines for source in sources if (lines := _language_dicts(source))}
    assert held == {}


def test_the_arrears_list_names_crops_as_the_french_catalogue_does():
    assert _context("crop")["fr"] == arrears_xlsx.CROPS_FR and "sesame" in arrears_xlsx.CROPS_FR


def test_every_check_the_validation_can_store_has_french_words():
    checks = {entry["type"] for entry in _suite_expectations()} | _reader_checks()
    assert {"expect_column_values_to_not_be_null", "parse_date", "known_reference"} <= checks
    for check in checks:
        label = check_label(check, "fr")
        assert label != check and "_" not in label, f"{check} has no French name"


def test_every_reason_a_suite_or_a_reader_stores_is_translated():
    reasons = {entry["meta"]["reason"] for entry in _suite_expectations()} | {
        *EXPECTED.values(),
        nul_cells.REASON,
    }
    assert len(reasons) > 40
    for reason in reasons:
        assert reason_label(reason, "fr") != reason, f"no French for {reason!r}"
        assert reason_label(reason, "en") == reason


def test_every_code_of_the_labelled_value_sets_has_a_french_label():
    codes = {
        (entry["kwargs"]["column"], value)
        for entry in _suite_expectations()
        for value in entry["kwargs"].get("value_set", [])
        if entry["type"] == "expect_column_values_to_be_in_set"
        and entry["kwargs"]["column"] in LABELLED_COLUMNS
    }
    assert {column for column, _ in codes} == LABELLED_COLUMNS
    for column, value in codes:
        assert value_label(column, value, "fr") not in ("", value), (column, value)


def test_a_reference_reason_is_translated_with_its_categories_and_keeps_the_value(program):
    frame = pd.DataFrame({"source_row": [4], "borrower_id": ["OP9"], "mfi_id": [None]})
    (issue,) = check_references(program.engine, "loans", frame, REPO_CONFIG)
    french = reason_label(issue.reason, "fr", issue.column)
    assert french != issue.reason and "OP9" in french and "borrower_id" in french
    assert "producer_org" not in french and "Organisation de producteurs" in french


def test_the_codes_listed_by_a_value_reason_are_named_after_their_column():
    french = reason_label("expected one of: rice, sesame", "fr", "crop")
    assert "Riz, Sésame" in french and "sesame" not in french


def test_an_unknown_reason_is_shown_as_stored():
    assert reason_label("31/02/2019 is not a date", "fr") == "31/02/2019 is not a date"


@pytest.mark.parametrize(
    ("lang", "value", "shown"),
    [("fr", 1_250_000, "1\u202f250\u202f000"), ("fr", 0.25, "0,25"), ("en", 1_250_000, "1,250,000")],
)
def test_chart_axes_write_numbers_in_the_note_language(lang, value, shown):
    assert charts.axis_numbers(lang)(value, 0) == shown


def _tick_labels(monkeypatch, draw) -> list[str]:
    """The tick labels of every axis of the chart `draw` makes, read from the drawn figure."""
    labels: list[str] = []

    def keep(figure) -> str:
        figure.canvas.draw()
        for axis in figure.axes:
            labels.extend(t.get_text() for t in axis.get_xticklabels() + axis.get_yticklabels())
        return ""

    monkeypatch.setattr(charts, "_data_uri", keep)
    draw()
    return [label for label in labels if label]


def test_the_french_portfolio_chart_groups_thousands_with_a_narrow_no_break_space(monkeypatch):
    groups = [("IMF", ["A", "B"], [1_250.0, 2_500.0]), ("Filière", ["Sésame"], [3_750.0])]  # millions
    french = _tick_labels(monkeypatch, lambda: charts.portfolio(groups, "millions FCFA", "fr"))
    english = _tick_labels(monkeypatch, lambda: charts.portfolio(groups, "XOF millions", "en"))
    big = [label for label in french if label.replace("\u202f", "").isdigit() and len(label) > 4]
    assert big and all("\u202f" in label for label in big)  # 1 000, 2 000, 3 000…
    assert any("," in label for label in english) and not any("," in label for label in french)
