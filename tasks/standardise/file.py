"""One partner file onto its dataset's canonical columns, keeping every data row and each unreadable value."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Table

from malux.settings import get_settings
from tasks.standardise.cercles import resolve_cercle
from tasks.standardise.errors import InputError
from tasks.standardise.mapping import ColumnSpec, Mapping, load_mapping
from tasks.standardise.phones import normalise_phone
from tasks.standardise.reader import Grid, read_grid
from tasks.standardise.result import RowIssue, Standardised
from tasks.standardise.text import as_text, fold, is_missing
from tasks.standardise.values import check_name, make_reader
from warehouse.schema import DATASET_TABLES

_PHONE_HEADERS = ("phone", "phone_raw")


def _headers_of(spec: ColumnSpec) -> tuple[str, ...]:
    return _PHONE_HEADERS if spec.headers == ("phone",) else spec.headers


def _find_header(grid: Grid, mapping: Mapping, where: str) -> int:
    """Grid index of the header row: the configured marker, else the first row naming a known column."""
    if mapping.header_row_contains:
        marker = fold(mapping.header_row_contains)
        for index, (_, cells) in enumerate(grid.rows):
            if any(marker in fold(as_text(cell) or "") for cell in cells):
                return index
        raise InputError(f"{where}: no header row containing {mapping.header_row_contains!r}")
    known = {fold(h) for spec in mapping.columns.values() for h in _headers_of(spec)}
    for index, (_, cells) in enumerate(grid.rows[:50]):
        if any(fold(as_text(cell) or "") in known for cell in cells):
            return index
    return 0


def _locate(header: list[Any], mapping: Mapping, where: str) -> dict[str, int]:
    """Column index of every canonical column found; InputError listing required ones that are missing."""
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        positions.setdefault(fold(as_text(cell) or ""), index)
    found, missing = {}, []
    for name, spec in mapping.columns.items():
        index = next((positions[fold(h)] for h in _headers_of(spec) if fold(h) in positions), None)
        if index is not None:
            found[name] = index
        elif spec.required:
            missing.append(f"{name} (header {' or '.join(repr(h) for h in spec.headers)})")
    if missing:
        seen = [as_text(cell) for cell in header if as_text(cell)]
        raise InputError(f"{where}: missing required column(s) {', '.join(missing)}; headers found: {seen}")
    return found


def _is_total(cells: list[Any]) -> bool:
    texts = [fold(t) for t in (as_text(c) for c in cells) if t]
    return any(t.startswith("total") for t in texts)


def _data_rows(grid: Grid, header_index: int) -> list[tuple[int, list[Any]]]:
    rows = grid.rows[header_index + 1 :]
    while rows and _is_total(rows[-1][1]):
        rows = rows[:-1]  # a spreadsheet's TOTAL line(s) at the bottom are not data
    return rows


def _read_column(
    spec: ColumnSpec, raws: list[Any], numbers: list[int], mapping: Mapping, issues: list[RowIssue]
) -> list[Any]:
    reader = make_reader(spec, mapping.values.get(spec.canonical))
    default = mapping.defaults.get(spec.canonical)
    cache: dict[Any, tuple[Any, str | None]] = {}
    out = []
    for row, raw in zip(numbers, raws, strict=True):
        if default is not None and is_missing(raw):
            raw = default
        key = (type(raw), raw) if not is_missing(raw) else None
        try:
            value, reason = cache[key]
        except (KeyError, TypeError):
            value, reason = reader(raw)
            with contextlib.suppress(TypeError):
                cache[key] = (value, reason)
        if reason:
            issues.append(RowIssue(row, spec.canonical, as_text(raw), check_name(spec), reason))
        out.append(value)
    return out


def _derive(
    columns: dict[str, list[Any]],
    raw_phones: list[Any] | None,
    numbers: list[int],
    config_dir: Path,
    table: Table,
    issues: list[RowIssue],
) -> None:
    """Fill the columns computed from others: the phone triple and the cercle's P-code."""
    if "phone_raw" in table.c:
        phones = [normalise_phone(raw) for raw in (raw_phones or [None] * len(numbers))]
        columns["phone_raw"] = [p.raw for p in phones]
        columns["phone"] = [p.e164 for p in phones]
        columns["phone_valid"] = [p.valid for p in phones]
        columns["operator"] = [p.operator for p in phones]
    if "cercle_pcode" in table.c:
        names, pcodes = [], []
        for row, name in zip(numbers, columns["cercle"], strict=True):
            resolved = resolve_cercle(name, config_dir)
            if resolved is None and name is not None:
                issues.append(
                    RowIssue(
                        row,
                        "cercle",
                        name,
                        "parse_cercle",
                        "expected the name of a cercle of Mali, such as San, Tominian or Segou",
                    )
                )
            names.append(resolved[0] if resolved else name)
            pcodes.append(resolved[1] if resolved else None)
        columns["cercle"], columns["cercle_pcode"] = names, pcodes


def _series(name: str, values: list[Any], table: Table) -> pd.Series:
    if name == "source_row":
        return pd.Series(values, dtype="int64", name=name)
    kind = type(table.c[name].type).__name__
    if kind in ("Date", "DateTime"):
        return pd.Series(values, dtype="datetime64[ns]", name=name)
    if kind in ("Float", "Integer"):
        return pd.Series([float("nan") if v is None else v for v in values], dtype="float64", name=name)
    if kind == "Boolean":
        return pd.Series(values, dtype=bool, name=name)
    return pd.Series(values, dtype=object, name=name)


def standardise_file(
    path: Path, dataset: str, partner: str | None = None, config_dir: Path | None = None
) -> Standardised:
    """A partner's file on the dataset's canonical columns: every data row, every value it could not read."""
    path = Path(path)
    config_dir = Path(config_dir) if config_dir is not None else get_settings().config_dir
    table = DATASET_TABLES.get(dataset)
    if table is None:
        raise InputError(
            f"{path.name}: unknown dataset {dataset!r}; expected one of {sorted(DATASET_TABLES)}"
        )
    mapping = load_mapping(config_dir, partner, dataset, table)
    grid = read_grid(path, mapping.encoding, mapping.delimiter, mapping.sheet)
    where = path.name + (f", sheet {grid.sheet!r}" if grid.sheet else "")
    if not grid.rows:
        raise InputError(f"{where}: empty file, no header and no data rows")
    header_index = _find_header(grid, mapping, where)
    header_row, header = grid.rows[header_index]
    positions = _locate(header, mapping, f"{where}, header row {header_row}")
    rows = _data_rows(grid, header_index)
    if not rows:
        raise InputError(f"{where}: header only (row {header_row}), no data rows")
    numbers = [number for number, _ in rows]
    issues: list[RowIssue] = []
    columns: dict[str, list[Any]] = {"source_row": numbers}
    raw_phones = None
    for name, spec in mapping.columns.items():
        index = positions.get(name)
        raws = [cells[index] if index is not None and index < len(cells) else None for _, cells in rows]
        if name == "phone" and "phone_raw" in table.c:
            raw_phones = raws
            continue
        columns[name] = _read_column(spec, raws, numbers, mapping, issues)
    _derive(columns, raw_phones, numbers, config_dir, table, issues)
    order = [c.name for c in table.columns if c.name != "batch_id"]
    frame = pd.concat([_series(name, columns[name], table) for name in order], axis=1)
    issues.sort(key=lambda issue: (issue.source_row, order.index(issue.column)))
    return Standardised(frame=frame, issues=issues, sheet=grid.sheet, rows_in=len(frame))
