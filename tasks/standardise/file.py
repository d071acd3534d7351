"""One partner file onto its dataset's canonical columns, keeping every data row and each unreadable value."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from sqlalchemy import Table

from malux.settings import get_settings
from tasks.standardise.cercles import resolve_cercle
from tasks.standardise.errors import InputError
from tasks.standardise.mapping import ColumnSpec, Mapping, load_mapping
from tasks.standardise.nul_cells import without_nul_cells
from tasks.standardise.phones import normalise_phones
from tasks.standardise.reader import Grid, read_grids
from tasks.standardise.result import Layout, RowIssue, Standardised
from tasks.standardise.text import as_text, fold
from tasks.standardise.values import as_python_list, check_name, read_column_array
from warehouse.schema import DATASET_TABLES

_PHONE_HEADERS = ("phone", "phone_raw")


def _headers_of(spec: ColumnSpec) -> tuple[str, ...]:
    return _PHONE_HEADERS if spec.headers == ("phone",) else spec.headers


def _header_index(grid: Grid, mapping: Mapping) -> int | None:
    """Grid index of the header row: the configured marker, else the first row naming a known column."""
    if mapping.header_row_contains:
        marker = fold(mapping.header_row_contains)
        for index, (_, cells) in enumerate(grid.rows):
            if any(marker in fold(as_text(cell) or "") for cell in cells):
                return index
        return None
    known = {fold(h) for spec in mapping.columns.values() for h in _headers_of(spec)}
    for index, (_, cells) in enumerate(grid.rows[:50]):
        if any(fold(as_text(cell) or "") in known for cell in cells):
            return index
    return None


def _is_hxl(cells: list[Any]) -> bool:
    """An HDX file's second header row of hashtags (#date, #adm1+name): metadata, not data."""
    texts = [t for t in (as_text(c) for c in cells) if t]
    return bool(texts) and all(t.startswith("#") for t in texts)


def _is_total(cells: list[Any]) -> bool:
    texts = [fold(t) for t in (as_text(c) for c in cells) if t]
    return any(t.startswith("total") for t in texts)


@dataclass
class _Found:
    grid: Grid
    sheets: list[str]
    header_index: int
    where: str


def _find(path: Path, mapping: Mapping) -> _Found:
    """The sheet and header row to read: the configured sheet, else the first sheet with a known header."""
    first: Grid | None = None
    sheets: list[str] = []
    for grid in read_grids(path, mapping.encoding, mapping.delimiter, mapping.sheet):
        sheets += [grid.sheet] if grid.sheet else []
        first = first or grid
        index = _header_index(grid, mapping) if grid.rows else None
        if index is not None:
            return _Found(grid, sheets, index, _where(path, grid))
    assert first is not None  # read_grids yields at least one grid or raises
    where = _where(path, first)
    if not first.rows:
        raise InputError(f"{where}: empty, no header and no data rows")
    if mapping.header_row_contains:
        raise InputError(f"{where}: no header row containing {mapping.header_row_contains!r}")
    return _Found(first, sheets, 0, where)


def _where(path: Path, grid: Grid) -> str:
    return path.name + (f", sheet {grid.sheet!r}" if grid.sheet else "")


def _column_label(index: int, spreadsheet: bool) -> str:
    if spreadsheet:
        from openpyxl.utils import get_column_letter

        return f"column {get_column_letter(index + 1)}"
    return f"column {index + 1}"


def _layout(path: Path, dataset: str, partner: str | None, mapping: Mapping, found: _Found) -> Layout:
    header_row, header = found.grid.rows[found.header_index]
    positions: dict[str, list[int]] = {}
    for index, cell in enumerate(header):
        if as_text(cell):
            positions.setdefault(fold(as_text(cell) or ""), []).append(index)
    mapped, missing, absent, used = {}, {}, [], set()
    for name, spec in mapping.columns.items():
        header_name = next((h for h in _headers_of(spec) if fold(h) in positions), None)
        if header_name is not None:
            mapped[name] = as_text(header[positions[fold(header_name)][0]]) or header_name
            used.add(fold(header_name))
            if spec.per_header and fold(spec.per_header) in positions:
                used.add(fold(spec.per_header))
        elif spec.required:
            missing[name] = list(spec.headers)
        else:
            absent.append(name)
    texts = [as_text(c) for c in header if as_text(c)]
    after = found.grid.rows[found.header_index + 1 : found.header_index + 2]
    return Layout(
        file=path.name,
        dataset=dataset,
        partner=partner,
        sheet=found.grid.sheet,
        sheets=found.sheets,
        header_row=header_row,
        mapped=mapped,
        missing=missing,
        absent_optional=absent,
        ignored=[t for t in texts if fold(t) not in used],
        duplicated=sorted({t for t in texts if len(positions[fold(t)]) > 1}),
        skipped_rows=[n for n, cells in after if _is_hxl(cells)],
    )


def _mapping_for(dataset: str, partner: str | None, config_dir: Path, name: str) -> tuple[Table, Mapping]:
    table = DATASET_TABLES.get(dataset)
    if table is None:
        raise InputError(f"{name}: unknown dataset {dataset!r}; expected one of {sorted(DATASET_TABLES)}")
    return table, load_mapping(config_dir, partner, dataset, table)


def inspect_file(
    path: Path, dataset: str, partner: str | None = None, config_dir: Path | None = None
) -> Layout:
    """How a file's headers meet the partner's mapping, so a data engineer can fix it before any load."""
    path = Path(path)
    config_dir = Path(config_dir) if config_dir is not None else get_settings().config_dir
    _, mapping = _mapping_for(dataset, partner, config_dir, path.name)
    return _layout(path, dataset, partner, mapping, _find(path, mapping))


def _positions(layout: Layout, header: list[Any], mapping: Mapping, where: str) -> dict[str, int]:
    """Column index of every canonical column found; InputError when one is missing or ambiguous."""
    if layout.missing:
        wanted = [f"{n} (header {' or '.join(repr(h) for h in hs)})" for n, hs in layout.missing.items()]
        seen = [as_text(cell) for cell in header if as_text(cell)]
        raise InputError(f"{where}: missing required column(s) {', '.join(wanted)}; headers found: {seen}")
    spreadsheet = layout.sheet is not None
    folded = [fold(as_text(cell) or "") for cell in header]
    found = {}
    for name, text in layout.mapped.items():
        indexes = [i for i, h in enumerate(folded) if h == fold(text)]
        if len(indexes) > 1:
            labels = " and ".join(_column_label(i, spreadsheet) for i in indexes)
            raise InputError(
                f"{where}: header {text!r} ({name}) appears in {labels}; keep one, or rename the other"
            )
        found[name] = indexes[0]
    return found


def _read_column(
    spec: ColumnSpec,
    raws: Sequence[Any] | pa.ChunkedArray,
    numbers: list[int],
    mapping: Mapping,
    issues: list[RowIssue],
) -> np.ndarray | pa.ChunkedArray:
    # each distinct cell is read once, dates and amounts a column at a time (tasks/standardise/values.py)
    out, problems = read_column_array(
        spec,
        mapping.values.get(spec.canonical),
        raws,
        mapping.defaults.get(spec.canonical),
        mapping.aliases.get(spec.canonical),
    )
    for i, text, reason in problems:
        issues.append(RowIssue(numbers[i], spec.canonical, text, check_name(spec), reason))
    return out


def _per_unit(
    spec: ColumnSpec, values: list[Any], units: list[Any], numbers: list[int], issues: list[RowIssue]
) -> list[Any]:
    """Divide each value by its row's unit factor (a price per 100 KG becomes a price per kg)."""
    factors = dict(spec.per_units)
    out = []
    for row, value, unit in zip(numbers, values, units, strict=True):
        factor = factors.get(fold(as_text(unit) or ""))
        if factor is None:
            known = ", ".join(repr(u) for u, _ in spec.per_units)
            issues.append(
                RowIssue(row, spec.canonical, as_text(unit), "parse_unit", f"expected a unit: {known}")
            )
            out.append(None)
        else:
            out.append(None if value is None else value / factor)
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
        phones = normalise_phones(raw_phones or [None] * len(numbers))
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


def _as_list(cells: Sequence[Any] | np.ndarray | pa.ChunkedArray) -> list[Any]:
    if isinstance(cells, pa.Array | pa.ChunkedArray):
        return cells.to_pylist()
    if isinstance(cells, np.ndarray):
        return as_python_list(cells)
    return list(cells)


def _staged_type(name: str, table: Table) -> pa.DataType:
    """The Arrow type a canonical column is staged in: what validation reads, the same in every batch."""
    if name == "source_row":
        return pa.int64()
    kind = type(table.c[name].type).__name__
    if kind in ("Date", "DateTime"):
        return pa.timestamp("ns")
    if kind in ("Float", "Integer"):
        return pa.float64()
    if kind == "Boolean":
        return pa.bool_()
    return pa.string()


def _arrow(name: str, values: Sequence[Any] | np.ndarray | pa.ChunkedArray, table: Table) -> pa.ChunkedArray:
    """One column as Arrow, straight from the arrays the readers made: no pandas frame in between."""
    target = _staged_type(name, table)
    if isinstance(values, pa.Array | pa.ChunkedArray):
        array = values
    elif pa.types.is_timestamp(target):
        dates = values if isinstance(values, np.ndarray) else pd.Series(values, dtype="datetime64[ns]").array
        array = pa.array(np.asarray(dates, dtype="datetime64[ns]"), from_pandas=True)
    elif isinstance(values, np.ndarray) and values.dtype.kind in "iuf":
        array = pa.array(
            values.astype(np.float64 if target == pa.float64() else values.dtype), from_pandas=True
        )
    else:  # an object array converts in C, a list of Python values too
        array = pa.array(values if isinstance(values, np.ndarray) else list(values), from_pandas=True)
    array = array if array.type == target else array.cast(target)
    return array if isinstance(array, pa.ChunkedArray) else pa.chunked_array([array], target)


def standardise_file(
    path: Path, dataset: str, partner: str | None = None, config_dir: Path | None = None
) -> Standardised:
    """A partner's file on the dataset's canonical columns: every data row, every value it could not read."""
    path = Path(path)
    config_dir = Path(config_dir) if config_dir is not None else get_settings().config_dir
    table, mapping = _mapping_for(dataset, partner, config_dir, path.name)
    found = _find(path, mapping)
    layout = _layout(path, dataset, partner, mapping, found)
    header_row, header = found.grid.rows[found.header_index]
    positions = _positions(layout, header, mapping, f"{found.where}, header row {header_row}")
    grid = found.grid
    start, stop = found.header_index + 1 + len(layout.skipped_rows), len(grid.rows)
    while stop > start and _is_total(grid.rows[stop - 1][1]):
        stop -= 1  # a spreadsheet's TOTAL line(s) at the bottom are not data
    if stop <= start:
        raise InputError(f"{found.where}: header only (row {header_row}), no data rows")
    row_numbers = grid.numbers(start, stop)
    numbers = row_numbers.tolist()  # Python ints: each value that cannot be read names its row
    folded = [fold(as_text(cell) or "") for cell in header]
    issues: list[RowIssue] = []
    columns: dict[str, Any] = {"source_row": row_numbers}
    raw_phones = None
    for name, spec in mapping.columns.items():
        index = positions.get(name)
        raws = without_nul_cells(grid.column(index, start, stop), numbers, name, issues)
        if name == "phone" and "phone_raw" in table.c:
            raw_phones = _as_list(raws)
            continue
        columns[name] = _read_column(spec, raws, numbers, mapping, issues)
        if spec.per_header or name == "cercle":  # read value by value below
            columns[name] = _as_list(columns[name])
        if spec.per_header and index is not None:
            unit_at = folded.index(fold(spec.per_header)) if fold(spec.per_header) in folded else None
            units = _as_list(without_nul_cells(grid.column(unit_at, start, stop), numbers, name, issues))
            columns[name] = _per_unit(spec, columns[name], units, numbers, issues)
    _derive(columns, raw_phones, numbers, config_dir, table, issues)
    order = [c.name for c in table.columns if c.name != "batch_id"]
    rows = pa.table([_arrow(name, columns[name], table) for name in order], names=order)
    issues.sort(key=lambda issue: (issue.source_row, order.index(issue.column)))
    return Standardised(
        table=rows, issues=issues, sheet=found.grid.sheet, rows_in=rows.num_rows, ignored=layout.ignored
    )
