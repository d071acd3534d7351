"""Partner files as grids of cells with the row numbers a person sees: CSV, XLSX or JSON, as typed.

This picks the format from the file's name and first bytes; each format's reader is in `readers/`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from tasks.standardise.errors import InputError
from tasks.standardise.readers.csv import read_csv
from tasks.standardise.readers.excel import read_excel
from tasks.standardise.readers.grid import Grid
from tasks.standardise.readers.json import read_json

_EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"}


def _is_excel(path: Path, head: bytes) -> bool:
    return (
        path.suffix.lower() in _EXCEL_SUFFIXES
        or head.startswith(b"PK\x03\x04")
        or head.startswith(b"\xd0\xcf")
    )


def _is_json(path: Path, head: bytes) -> bool:
    return path.suffix.lower() == ".json" or head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"[", b"{")


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
        yield from read_excel(path, sheet)
    elif _is_json(path, head):
        yield read_json(path, encoding)
    else:
        yield read_csv(path, encoding, delimiter)


def read_grid(
    path: Path, encoding: str | None = None, delimiter: str | None = None, sheet: str | None = None
) -> Grid:
    """The first (or the named) sheet, or the whole CSV or JSON file, as raw cells."""
    return next(read_grids(path, encoding, delimiter, sheet))
