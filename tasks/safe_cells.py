"""Cells a spreadsheet cannot execute: OWASP's CSV-injection rule for every XLSX and CSV that MALUX writes.

A partner's name, a quarantined value or an analyst's query result may begin with `=`, `+`, `-`, `@`, a
tab or a carriage return; Excel and LibreOffice read such a cell as a formula. Text that starts so is
prefixed with a single quote (CSV) or stored as an explicit string (XLSX); numbers, dates and booleans pass
as they are.
"""

from __future__ import annotations

from typing import Any

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet would take this text for a formula."""
    return text.startswith(FORMULA_LEADS)


def safe_csv_cell(value: Any) -> Any:
    """The value for a CSV cell: formula-like text gets a leading `'`; anything not text is unchanged."""
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value


def safe_xlsx_cell(cell: Any) -> None:
    """Make an openpyxl cell holding formula-like text a plain string cell (data type `s`), not a formula."""
    if isinstance(cell.value, str) and (is_formula_like(cell.value) or cell.data_type == "f"):
        cell.data_type = "s"
