"""Partner files as grids of cells with the row numbers a person sees: CSV, XLSX or JSON, as typed."""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import itertools
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, overload

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from tasks.standardise.errors import InputError
from tasks.standardise.text import fold, is_missing

_EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"}
_DELIMITERS = (",", ";", "\t", "|")
_JSON_LISTS = ("data", "results", "records", "rows")
_HEAD_ROWS = 100  # rows read by the csv module before pyarrow takes over
_LINE_END = re.compile(r"\r\n|\r|\n")


class TextColumns(Sequence[tuple[int, list[Any]]]):
    """A CSV's rows: the first few as the csv module read them, the body as Arrow text columns."""

    def __init__(
        self, head: list[tuple[int, list[Any]]], columns: list[pa.ChunkedArray], numbers: np.ndarray
    ) -> None:
        self.head = head
        self.columns = columns
        self.body_numbers = numbers

    def __len__(self) -> int:
        return len(self.head) + len(self.body_numbers)

    @overload
    def __getitem__(self, index: int) -> tuple[int, list[Any]]: ...

    @overload
    def __getitem__(self, index: slice) -> list[tuple[int, list[Any]]]: ...

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        if index < len(self.head):
            return self.head[index]
        at = index - len(self.head)
        return int(self.body_numbers[at]), [column[at].as_py() for column in self.columns]

    def numbers(self, start: int, stop: int) -> np.ndarray:
        """Line numbers of rows[start:stop]."""
        n = len(self.head)
        head = np.array([number for number, _ in self.head[start:stop]], dtype=np.int64)
        return np.concatenate([head, self.body_numbers[max(start - n, 0) : max(stop - n, 0)]])

    def column(self, index: int | None, start: int, stop: int) -> pa.ChunkedArray | list[Any]:
        """Cells of one column in rows[start:stop]; the body's stay Arrow, so no Python object per cell."""
        n = len(self.head)
        head = [c[index] if index is not None and index < len(c) else None for _, c in self.head[start:stop]]
        body_start, body_stop = max(start - n, 0), max(stop - n, 0)
        if index is None or index >= len(self.columns):
            return head + [None] * (body_stop - body_start)
        body = self.columns[index].slice(body_start, body_stop - body_start)
        return pa.chunked_array([pa.array(head, pa.string()), *body.chunks], pa.string()) if head else body


@dataclass
class Grid:
    """The non-empty rows of a file, each with its spreadsheet row, CSV line or JSON record number."""

    rows: Sequence[tuple[int, list[Any]]]
    sheet: str | None = None

    def numbers(self, start: int, stop: int) -> np.ndarray:
        """The row numbers of rows[start:stop], as a person sees them (int64)."""
        if isinstance(self.rows, TextColumns):
            return self.rows.numbers(start, stop)
        return np.array([number for number, _ in self.rows[start:stop]], dtype=np.int64)

    def column(self, index: int | None, start: int, stop: int) -> Sequence[Any] | pa.ChunkedArray:
        """One column of rows[start:stop], None where a row is short; Arrow text stays Arrow, for speed."""
        if isinstance(self.rows, TextColumns):
            return self.rows.column(index, start, stop)
        return [
            cells[index] if index is not None and index < len(cells) else None
            for _, cells in self.rows[start:stop]
        ]


def _is_excel(path: Path, head: bytes) -> bool:
    return (
        path.suffix.lower() in _EXCEL_SUFFIXES
        or head.startswith(b"PK\x03\x04")
        or head.startswith(b"\xd0\xcf")
    )


def _is_json(path: Path, head: bytes) -> bool:
    return path.suffix.lower() == ".json" or head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"[", b"{")


_HEAD_CHARS = 1 << 20  # the text the csv module reads: titles, the header, the first rows


@lru_cache(maxsize=8)
def _undecodable(codec: str) -> bytes | None:
    """The bytes a single-byte codec cannot decode (b"" for latin-1), or None for other codecs."""
    try:
        if len("\u00e9".encode(codec)) != 1 or b"a".decode(codec) != "a":
            return None  # not a single-byte, ASCII-compatible codec
    except (UnicodeError, LookupError):
        return None
    failing = bytearray()
    for byte in range(256):
        try:
            bytes([byte]).decode(codec)
        except UnicodeDecodeError:
            failing.append(byte)
    return bytes(failing)


@dataclass
class _Source:
    """A text file's bytes in their encoding: the head decoded for the csv module, the body left to pyarrow.

    A UTF-8 body goes to pyarrow as it is; a cp1252 or latin-1 body is read as bytes, and only the column
    chunks holding non-ASCII bytes are decoded (`_transcoded`), so a million rows are not decoded into one
    Python string and encoded back. Any other codec decodes the whole text and re-encodes it.
    """

    data: bytes
    codec: str
    single_byte: bool
    bom: int = 0
    decoded: str | None = None

    def text(self) -> str:
        if self.decoded is None:
            self.decoded = self.data[self.bom :].decode(self.codec)
        return self.decoded

    @cached_property
    def head(self) -> str:
        return self.data[:_HEAD_CHARS].decode(self.codec) if self.single_byte else self.text()[:_HEAD_CHARS]

    @property
    def truncated(self) -> bool:
        return len(self.data) > _HEAD_CHARS if self.single_byte else len(self.text()) > _HEAD_CHARS

    def body(self) -> bytes:
        """Bytes pyarrow reads: the file's own, unless its codec is neither UTF-8 nor single-byte."""
        return self.data if self.single_byte or self.codec == "utf-8" else self.text().encode("utf-8")

    def offset(self, head: str, chars: int) -> int:
        """Where the first `chars` characters of the head end in body()."""
        if self.single_byte:
            return chars
        return (self.bom if self.codec == "utf-8" else 0) + len(head[:chars].encode("utf-8"))


def _open_text(path: Path, data: bytes, encoding: str | None) -> _Source:
    """A text file with its encoding: the mapping's, else UTF-8 (with or without BOM), else cp1252.

    A single-byte body is not decoded here; `.text()` decodes the whole file when a reader needs it."""
    if b"\x00" in data[:4096]:
        raise InputError(f"{path.name}: not a text file (binary content); expected CSV, XLSX or JSON")
    for candidate in [encoding] if encoding else ["utf-8-sig", "cp1252"]:
        try:
            codec = codecs.lookup(candidate).name
        except LookupError:
            continue
        failing = _undecodable(codec)
        if failing is not None:
            if any(data.find(bytes([byte])) >= 0 for byte in failing):
                continue
            source = _Source(data, codec, single_byte=True)
        elif codec in ("utf-8", "utf-8-sig"):
            bom = 3 if codec == "utf-8-sig" and data.startswith(codecs.BOM_UTF8) else 0
            try:
                text = data[bom:].decode("utf-8")
            except UnicodeDecodeError:
                continue
            source = _Source(data, "utf-8", single_byte=False, bom=bom, decoded=text)
        else:
            try:
                source = _Source(data, codec, single_byte=False, decoded=data.decode(codec))
            except UnicodeDecodeError:
                continue
        _refuse_control_characters(path, source.head)
        return source
    tried = encoding or "UTF-8 or cp1252"
    raise InputError(f"{path.name}: cannot be decoded as {tried}; set file.encoding in the partner mapping")


def _refuse_control_characters(path: Path, text: str) -> None:
    controls = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\t\r\n")
    if controls > max(2, len(text[:65536]) // 200):
        raise InputError(f"{path.name}: not a text file (control characters); expected CSV, XLSX or JSON")


@lru_cache(maxsize=8)
def _utf8_growth(codec: str) -> np.ndarray:
    """Bytes each byte of a single-byte codec gains in UTF-8: 0 for ASCII, 1 for é, 2 for the – of cp1252."""
    growth = np.zeros(256, dtype=np.int64)
    for byte in range(0x80, 256):
        with contextlib.suppress(UnicodeDecodeError):  # _open_text refused a file holding such a byte
            growth[byte] = len(bytes([byte]).decode(codec).encode("utf-8")) - 1
    return growth


def _utf8_chunk(chunk: pa.Array, codec: str) -> pa.Array:
    """One chunk of single-byte text as UTF-8, decoded in one call: its cell offsets move by what the
    non-ASCII bytes before them grew (a few thousand in a file that is mostly ASCII)."""
    if chunk.null_count or chunk.buffers()[2] is None:
        return pa.array([None if b is None else b.decode(codec) for b in chunk.to_pylist()], pa.string())
    offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int32)[chunk.offset : chunk.offset + len(chunk) + 1]
    raw = np.frombuffer(chunk.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    high = np.flatnonzero(raw >= 0x80)
    if not len(high):
        return chunk.view(pa.string())  # ASCII is UTF-8 already
    grown = np.concatenate([[0], np.cumsum(_utf8_growth(codec)[raw[high]])])
    shifted = offsets.astype(np.int64) - offsets[0]
    moved = shifted + grown[np.searchsorted(high, shifted)]  # the growth of the high bytes before each cell
    text = raw.tobytes().decode(codec).encode("utf-8")
    # read_csv's chunks are about a megabyte: their UTF-8 offsets stay far inside int32
    return pa.StringArray.from_buffers(len(chunk), pa.py_buffer(moved.astype(np.int32)), pa.py_buffer(text))


def _transcoded(column: pa.ChunkedArray, codec: str) -> pa.ChunkedArray:
    """A column of single-byte text (cp1252, latin-1) as UTF-8 strings, a chunk at a time."""
    return pa.chunked_array([_utf8_chunk(chunk, codec) for chunk in column.chunks], pa.string())


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


def _read_csv_columns(source: _Source, delimiter: str) -> Grid | None:
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
        columns = [_transcoded(column, source.codec) for column in columns]
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


def _read_csv(path: Path, encoding: str | None, delimiter: str | None) -> Grid:
    source = _open_text(path, path.read_bytes(), encoding)
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
        document = json.loads(_open_text(path, path.read_bytes(), encoding).text())
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
