"""Spreadsheets (XLSX, XLS, ODS) as one grid per sheet, merged cells filled, rows numbered as Excel does."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tasks.standardise.errors import InputError
from tasks.standardise.readers.grid import Grid
from tasks.standardise.text import fold, is_missing


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


def read_excel(path: Path, sheet: str | None) -> Iterator[Grid]:
    """One grid per sheet (or the named one, matched as a person would), read as the caller asks."""
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
