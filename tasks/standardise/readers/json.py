"""JSON files (a list of flat records, or one under "data"/"results"/...) as grids numbered by record."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tasks.standardise.errors import InputError
from tasks.standardise.readers.grid import Grid
from tasks.standardise.readers.text import open_text
from tasks.standardise.text import is_missing

_JSON_LISTS = ("data", "results", "records", "rows")


def _records_of(path: Path, document: Any) -> list[Any]:
    if isinstance(document, dict):
        found = next((document[k] for k in _JSON_LISTS if isinstance(document.get(k), list)), None)
        if found is None:
            raise InputError(
                f"{path.name}: a JSON object needs a list of records under one of {list(_JSON_LISTS)}"
            )
        document = found
    if not isinstance(document, list):
        raise InputError(f'{path.name}: expected a JSON list of objects, or {{"data": [...]}}')
    return document


def read_json(path: Path, encoding: str | None) -> Grid:
    """A JSON list of flat objects as a grid: the first row holds every key met, in order of first sight."""
    try:
        document = json.loads(open_text(path, path.read_bytes(), encoding).text())
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{path.name}: not valid JSON: line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from exc
    records = _records_of(path, document)
    keys: dict[str, None] = {}
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            raise InputError(f"{path.name}: record {number} is not an object: {str(record)[:60]!r}")
        keys.update(dict.fromkeys(record))
    header = list(keys)
    rows: list[tuple[int, list[Any]]] = [(0, header)] if records else []
    for number, record in enumerate(records, start=1):
        cells = [_json_cell(record.get(k)) for k in header]
        if not all(is_missing(c) for c in cells):
            rows.append((number, cells))  # JSON rows are numbered by record: the first record is 1
    return Grid(rows)


def _json_cell(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value
