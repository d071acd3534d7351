"""docs/data-dictionary.md describes every column of every warehouse table and analyst view."""

import re
from pathlib import Path

import pytest

from warehouse.schema import metadata
from warehouse.views import VIEWS

DICTIONARY = Path(__file__).resolve().parents[2] / "docs" / "data-dictionary.md"


def _documented() -> dict[str, set[str]]:
    sections = re.split(r"^### ", DICTIONARY.read_text(encoding="utf-8"), flags=re.MULTILINE)[1:]
    return {
        s.split("\n", 1)[0].strip(): set(re.findall(r"^\| `([a-z0-9_]+)` \|", s, flags=re.MULTILINE))
        for s in sections
    }


@pytest.mark.parametrize("table", sorted(metadata.tables))
def test_every_column_of_every_table_is_documented(table):
    assert _documented().get(table, set()) >= {c.name for c in metadata.tables[table].columns}


def test_every_column_of_every_view_is_documented(warehouse):
    from sqlalchemy import inspect

    inspector = inspect(warehouse.engine)
    for view in VIEWS:
        columns = {c["name"] for c in inspector.get_columns(view)}
        assert _documented().get(view, set()) == columns, view
