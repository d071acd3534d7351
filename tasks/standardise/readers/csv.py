"""CSV files as grids: the head through the csv module, a regular body as Arrow text columns."""

from __future__ import annotations

import csv
import io
import itertools
import re
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from malux.settings import get_settings
from tasks.standardise.errors import InputError
from tasks.standardise.readers.grid import Grid, TextColumns
from tasks.standardise.readers.lines import refuse_long_lines
from tasks.standardise.readers.text import TextSource, open_text, transcoded

_DELIMITERS = (",", ";", "\t", "|")
_HEAD_ROWS = 100  # rows read by the csv module before pyarrow takes over
_LINE_END = re.compile(r"\r\n|\r|\n")


def _sniff(text: str) -> str:
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    counts = {d: sum(line.count(d) for line in lines) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _line_count(data: bytes, start: int, end: int) -> int:
    """Physical lines in data[start:end] as the csv module ends them: LF, CR LF or a lone CR."""
    ends = data.count(b"\n", start, end)
    if (returns := data.count(b"\r", start, end)) > 0:  # most files have LF or CR LF only: one pass less
        ends += returns - data.count(b"\r\n", start, end)
    return ends + (0 if end <= start or data[end - 1] in b"\r\n" else 1)


def _line_start(text: str, line: int) -> int:
    """Offset of a physical line (1-based) in the text."""
    if line == 1:
        return 0
    ends = _LINE_END.finditer(text)
    return next(itertools.islice(ends, line - 2, None)).end()


def _read_csv_columns(source: TextSource, delimiter: str) -> Grid | None:
    """The CSV as Arrow text columns, or None when only the csv module can number its rows faithfully.

    The first rows (titles, the header, notes of other widths) go through the csv module; from the first of
    them that starts a run of equally wide rows, pyarrow reads the rest, which must then be that wide too.
    """
    head = source.head
    reader = csv.reader(io.StringIO(head, newline=""), delimiter=delimiter)
    lines: list[tuple[int, list[str]]] = []  # (first physical line, cells)
    previous = 0
    try:
        for cells in itertools.islice(reader, _HEAD_ROWS):
            lines.append((previous + 1, cells))
            previous = reader.line_num
    except csv.Error:
        return None
    if source.truncated and len(lines) < _HEAD_ROWS and lines:
        lines.pop()  # cut short by the head's end
    while lines and not lines[-1][1]:
        lines.pop()  # empty lines at the end of a short file
    if not lines:
        return None
    width = len(lines[-1][1])
    k = len(lines) - 1
    while k > 0 and len(lines[k - 1][1]) == width:
        k -= 1
    first_line = lines[k][0]
    data = source.body()  # pyarrow reads a view into these bytes, never a copy
    start, end = source.offset(head, _line_start(head, first_line)), len(data)
    while end > start and data[end - 1] in b"\r\n":
        end -= 1  # trailing empty lines are no rows
    text_type = pa.binary() if source.single_byte else pa.string()
    try:
        table = pacsv.read_csv(
            pa.py_buffer(data).slice(start, end - start),
            read_options=pacsv.ReadOptions(column_names=[f"c{i}" for i in range(width)]),
            # a body without a quote has no quoted line break: pyarrow may then split it and parse in parallel
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, newlines_in_values=data.find(b'"', start, end) >= 0
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={f"c{i}": text_type for i in range(width)}, strings_can_be_null=False
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None  # ragged rows further down and the like: the csv module reads them
    # one record per physical line (no empty line dropped, no quoted line break): line k is record k
    if table.num_rows != _line_count(data, start, end):
        return None
    del data
    columns = list(table.columns)  # chunked as pyarrow read them: no copy into one buffer per column
    if source.single_byte:
        columns = [transcoded(column, source.codec) for column in columns]
    filled = None
    for column in columns:  # blank = empty or only whitespace, as is_missing says; no trimmed copy made
        has_text = pc.invert(pc.or_(pc.equal(pc.binary_length(column), 0), pc.utf8_is_space(column)))
        filled = has_text if filled is None else pc.or_(filled, has_text)
    numbers = np.arange(first_line, first_line + table.num_rows)
    if filled is not None and not pc.all(filled).as_py():
        numbers = numbers[filled.to_numpy(zero_copy_only=False)]
        columns = [column.filter(filled) for column in columns]
    head = [(number, cells) for number, cells in lines[:k] if any(cell.strip() for cell in cells)]
    return Grid(TextColumns(head, columns, numbers))


def read_csv(path: Path, encoding: str | None, delimiter: str | None) -> Grid:
    """The CSV's non-empty rows numbered by physical line; the csv module reads what pyarrow cannot."""
    refuse_long_lines(path, get_settings().lake.max_line_bytes)  # before the bytes are read whole
    source = open_text(path, path.read_bytes(), encoding)
    delimiter = delimiter or _sniff(source.head)
    fast = _read_csv_columns(source, delimiter)
    if fast is not None:
        return fast
    reader = csv.reader(io.StringIO(source.text(), newline=""), delimiter=delimiter)
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
