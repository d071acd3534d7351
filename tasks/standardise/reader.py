"""Partner files as a grid of cells with the row numbers a person sees, CSV or XLSX, never type-guessed."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from tasks.standardise.errors import InputError
from tasks.standardise.text import fold, is_missing

_EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"}
_DELIMITERS = (",", ";", "\t")


@dataclass
class Grid:
    """The non-empty rows of a file, each with its spreadsheet row or CSV line number."""

    rows: list[tuple[int, list[Any]]]
    sheet: str | None = None


def _is_excel(path: Path, head: bytes) -> bool:
    return (
        path.suffix.lower() in _EXCEL_SUFFIXES
        or head.startswith(b"PK\x03\x04")
        or head.startswith(b"\xd0\xcf")
    )


def _decode(path: Path, data: bytes, encoding: str | None) -> str:
    if b"\x00" in data[:4096]:
        raise InputError(f"{path.name}: not a text file (binary content); expected CSV or XLSX")
    for candidate in [encoding] if encoding else ["utf-8-sig", "cp1252"]:
        try:
            text = data.decode(candidate)
        except (UnicodeDecodeError, LookupError):
            continue
        controls = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\t\r\n")
        if controls > max(2, len(text[:65536]) // 200):
            raise InputError(f"{path.name}: not a text file (control characters); expected CSV or XLSX")
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


def _read_excel(path: Path, sheet: str | None) -> Grid:
    try:
        book = pd.ExcelFile(path, engine="calamine")
        names = list(book.sheet_names)
        chosen = names[0] if names else None
        if sheet is not None:
            chosen = next((n for n in names if fold(n) == fold(sheet)), None)
            if chosen is None:
                raise InputError(f"{path.name}: no sheet {sheet!r}; sheets found: {names}")
        frame = pd.read_excel(book, sheet_name=chosen, header=None, dtype=object)
    except InputError:
        raise
    except Exception as exc:  # calamine raises its own types for every kind of broken workbook
        raise InputError(f"{path.name}: not a readable spreadsheet: {exc}") from exc
    rows = [
        (index + 1, cells)
        for index, cells in enumerate(frame.itertuples(index=False, name=None))
        if not all(is_missing(cell) for cell in cells)
    ]
    return Grid([(n, list(cells)) for n, cells in rows], sheet=chosen)


def read_grid(
    path: Path, encoding: str | None = None, delimiter: str | None = None, sheet: str | None = None
) -> Grid:
    """Every non-empty row of the file as raw cells; InputError when the file cannot be read at all."""
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    with path.open("rb") as handle:
        head = handle.read(8)
    if not head:
        raise InputError(f"{path.name}: empty file")
    if _is_excel(path, head):
        return _read_excel(path, sheet)
    return _read_csv(path, encoding, delimiter)
