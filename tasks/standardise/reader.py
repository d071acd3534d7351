"""Partner files as grids of cells with the row numbers a person sees: CSV, XLSX or JSON, as typed."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tasks.standardise.errors import InputError
from tasks.standardise.text import fold, is_missing

_EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"}
_DELIMITERS = (",", ";", "\t", "|")
_JSON_LISTS = ("data", "results", "records", "rows")


@dataclass
class Grid:
    """The non-empty rows of a file, each with its spreadsheet row, CSV line or JSON record number."""

    rows: list[tuple[int, list[Any]]]
    sheet: str | None = None


def _is_excel(path: Path, head: bytes) -> bool:
    return (
        path.suffix.lower() in _EXCEL_SUFFIXES
        or head.startswith(b"PK\x03\x04")
        or head.startswith(b"\xd0\xcf")
    )


def _is_json(path: Path, head: bytes) -> bool:
    return path.suffix.lower() == ".json" or head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"[", b"{")


def _decode(path: Path, data: bytes, encoding: str | None) -> str:
    if b"\x00" in data[:4096]:
        raise InputError(f"{path.name}: not a text file (binary content); expected CSV, XLSX or JSON")
    for candidate in [encoding] if encoding else ["utf-8-sig", "cp1252"]:
        try:
            text = data.decode(candidate)
        except (UnicodeDecodeError, LookupError):
            continue
        controls = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\t\r\n")
        if controls > max(2, len(text[:65536]) // 200):
            raise InputError(f"{path.name}: not a text file (control characters); expected CSV, XLSX or JSON")
        return text
    tried = encoding or "UTF-8 or cp1252"
    raise InputError(f"{path.name}: cannot be decoded as {tried}; set file.encoding in the partner mapping")


def _sniff(text: str) -> str:
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    counts = {d: sum(line.count(d) for line in lines) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_csv(path: Path, encoding: str | None, delimiter: str | None) -> Grid:
    text = _decode(path, path.read_bytes(), encoding)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter or _sniff(text))
    rows: list[tuple[int, list[Any]]] = []
    previous = 0
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                rows.append((previous + 1, cells))
            previous = reader.line_num
    except csv.Error as exc:
        raise InputError(f"{path.name}: line {previous + 1}: not readable as CSV: {exc}") from exc
    return Grid(rows)


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


def _read_json(path: Path, encoding: str | None) -> Grid:
    """A JSON list of flat objects as a grid: the first row holds every key met, in order of first sight."""
    try:
        document = json.loads(_decode(path, path.read_bytes(), encoding))
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


def _sheet_rows(sheet: Any) -> list[tuple[int, list[Any]]]:
    """Rows of a sheet with merged cells filled from their top-left cell, numbered as Excel shows them."""
    cells = [list(row) for row in sheet.to_python(skip_empty_area=False)]
    for (top, left), (bottom, right) in sheet.merged_cell_ranges or []:
        if top >= len(cells) or left >= len(cells[top]):
            continue
        value = cells[top][left]
        for r in range(top, min(bottom, len(cells) - 1) + 1):
            for c in range(left, min(right, len(cells[r]) - 1) + 1):
                cells[r][c] = value
    return [(i + 1, row) for i, row in enumerate(cells) if not all(is_missing(c) for c in row)]


def _read_excel(path: Path, sheet: str | None) -> Iterator[Grid]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        names = list(book.sheet_names)
    except Exception as exc:  # calamine raises its own types for every kind of broken workbook
        raise InputError(f"{path.name}: not a readable spreadsheet: {exc}") from exc
    if sheet is not None:
        chosen = next((n for n in names if fold(n) == fold(sheet)), None)
        if chosen is None:
            raise InputError(f"{path.name}: no sheet {sheet!r}; sheets found: {names}")
        names = [chosen]
    for name in names:
        try:
            rows = _sheet_rows(book.get_sheet_by_name(name))
        except Exception as exc:
            raise InputError(f"{path.name}, sheet {name!r}: not readable: {exc}") from exc
        yield Grid(rows, sheet=name)


def read_grids(
    path: Path, encoding: str | None = None, delimiter: str | None = None, sheet: str | None = None
) -> Iterator[Grid]:
    """One grid per sheet (read lazily), or one for a CSV or JSON file; InputError when unreadable."""
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    with path.open("rb") as handle:
        head = handle.read(64)
    if not head:
        raise InputError(f"{path.name}: empty file (0 bytes)")
    if _is_excel(path, head):
        yield from _read_excel(path, sheet)
    elif _is_json(path, head):
        yield _read_json(path, encoding)
    else:
        yield _read_csv(path, encoding, delimiter)


def read_grid(
    path: Path, encoding: str | None = None, delimiter: str | None = None, sheet: str | None = None
) -> Grid:
    """The first (or the named) sheet, or the whole CSV or JSON file, as raw cells."""
    return next(read_grids(path, encoding, delimiter, sheet))
