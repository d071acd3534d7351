"""Every note an indicator stores when its value is empty reads in French in the French note."""

from __future__ import annotations

import ast
from pathlib import Path

from tasks.report.labels import empty_note

INDICATORS = Path(__file__).resolve().parents[2] / "tasks" / "indicators"


def _empty_notes() -> set[str]:
    """The `empty_note=` strings of the indicator families, read from their source."""
    found: set[str] = set()
    for path in INDICATORS.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            constant = isinstance(node, ast.keyword) and isinstance(node.value, ast.Constant)
            if constant and node.arg == "empty_note" and isinstance(node.value.value, str):
                found.add(node.value.value)
    return found


def test_every_empty_note_an_indicator_can_store_has_french_words():
    notes = _empty_notes()
    assert len(notes) >= 5  # the families' own notes were found, so the loop below checks something
    for note in notes:
        assert empty_note(note, "fr") != note, f"no French for {note!r}"
        assert empty_note(note, "en") == note
