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
from program_builder import REPO_CONFIG

from tasks.report import charts
from tasks.report.labels import TEXT, check_label, reason_label, value_label
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


def test_every_check_the_validation_can_store_has_french_words():
    checks = {entry["type"] for entry in _suite_expectations()} | _reader_checks()
    assert {"expect_column_values_to_not_be_null", "parse_date", "known_reference"} <= checks
    for check in checks:
        label = check_label(check, "fr")
        assert label != check and "_" not in label, f"{check} has no French name"


def test_every_reason_a_suite_or_a_reader_stores_is_translated():
    reasons = {entry["meta"]["reason"] for entry in _suite_expectations()} | set(EXPECTED.values())
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
