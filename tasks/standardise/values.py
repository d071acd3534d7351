"""Cell readers by kind: each turns one raw cell into a canonical value, or says what was expected."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from tasks.standardise.amounts import parse_amount, parse_amounts
from tasks.standardise.dates import parse_date, parse_dates, parse_datetime, parse_datetimes
from tasks.standardise.mapping import ColumnSpec
from tasks.standardise.phones import normalise_phone
from tasks.standardise.text import as_text, fold, is_missing

_TRUE = {"oui", "o", "yes", "y", "true", "vrai", "1", "x"}
_FALSE = {"non", "n", "no", "false", "faux", "0"}
# What a reader returns: the canonical value, and the reason when the cell could not be read.
Reader = Callable[[Any], tuple[Any, str | None]]

ARROW = (pa.Array, pa.ChunkedArray)  # a CSV body read by pyarrow

EXPECTED = {
    "date": "expected a date such as 31/12/2019, 2019-12-31 or an Excel date",
    "datetime": "expected a date and time such as 2019-12-31 08:00:00 or 31/12/2019 08:00",
    "amount": "expected a number such as 1 250 000, 1250000 or 12,5",
    "bool": "expected yes or no (Oui/Non)",
}


def _text_reader(translate: dict[str, Any] | None) -> Reader:
    targets = {fold(str(v)): v for v in (translate or {}).values()}

    def read(raw: Any) -> tuple[Any, str | None]:
        text = as_text(raw)
        if text is None or translate is None:
            return text, None
        key = fold(text)
        if key in translate:
            return translate[key], None
        if key in targets:
            return targets[key], None
        return text, "expected one of: " + ", ".join(sorted({str(v) for v in translate.values()}))

    return read


def _bool_reader(translate: dict[str, Any] | None) -> Reader:
    def read(raw: Any) -> tuple[Any, str | None]:
        if is_missing(raw):
            return False, None
        if isinstance(raw, bool):
            return raw, None
        key = fold(as_text(raw) or "")
        if translate and key in translate:
            return bool(translate[key]), None
        if key in _TRUE or key in _FALSE:
            return key in _TRUE, None
        return False, EXPECTED["bool"]

    return read


def make_reader(spec: ColumnSpec, translate: dict[str, Any] | None) -> Reader:
    """The reader for one column: its kind from the schema or the mapping, its values map if any."""
    if spec.kind == "bool":
        return _bool_reader(translate)
    if spec.kind == "date":
        return lambda raw: _checked(parse_date(raw, spec.fmt), raw, "date")
    if spec.kind == "datetime":
        return lambda raw: _checked(parse_datetime(raw, spec.fmt), raw, "datetime")
    if spec.kind in ("amount", "number"):
        return lambda raw: _checked(parse_amount(raw, spec.decimal), raw, "amount")
    if spec.kind == "phone":
        return lambda raw: (normalise_phone(raw).e164 or as_text(raw), None)
    return _text_reader(translate)


def _checked(value: Any, raw: Any, kind: str) -> tuple[Any, str | None]:
    if value is None and not is_missing(raw):
        return None, EXPECTED[kind]
    return value, None


def check_name(spec: ColumnSpec) -> str:
    """The RowIssue check of a column: parse_<kind>, or parse_value for a values map."""
    return {"text": "parse_value", "number": "parse_amount"}.get(spec.kind, f"parse_{spec.kind}")


def _distinct(raws: Sequence[Any] | pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, list[Any]]:
    """Codes into the distinct cells: a 1 M-row column holds a few thousand, so each is read once."""
    if isinstance(raws, ARROW) and pa.types.is_string(raws.type) and not raws.null_count:
        encoded = pc.dictionary_encode(raws)  # a CSV's text column, read by pyarrow: no Python per row
        parts = encoded.chunks if isinstance(encoded, pa.ChunkedArray) else [encoded]
        # the chunks of one encoding share its dictionary (the hash table runs on across chunks)
        if parts and all(len(part.dictionary) == len(parts[-1].dictionary) for part in parts):
            codes = [part.indices.to_numpy(zero_copy_only=False) for part in parts]
            return np.concatenate(codes).astype(np.intp), parts[-1].dictionary.to_pylist()
    if isinstance(raws, ARROW):
        raws = raws.to_pylist()
    cells = np.empty(len(raws), dtype=object)
    cells[:] = raws
    if pd.api.types.infer_dtype(cells, skipna=True) in ("string", "empty"):
        codes, uniques = pd.factorize(cells)
        uniques = list(uniques)
    else:  # mixed spreadsheet cells: 1, 1.0 and True are equal in Python but not the same cell
        keyed = np.empty(len(raws), dtype=object)
        keyed[:] = [(type(v), v) for v in raws]
        codes, keys = pd.factorize(keyed)
        uniques = [value for _, value in keys]
    missing = codes < 0  # None and NaN
    if missing.any():
        codes = np.where(missing, len(uniques), codes)
        uniques.append(None)
    return codes, uniques


def _plain_arrow_text(
    spec: ColumnSpec,
    translate: Any,
    raws: Sequence[Any] | pa.Array | pa.ChunkedArray,
    default: Any,
    aliases: Any,
) -> bool:
    return (
        isinstance(raws, ARROW)
        and pa.types.is_string(raws.type)
        and spec.kind == "text"
        and translate is None
        and default is None
        and not aliases
    )


def read_column(
    spec: ColumnSpec,
    translate: dict[str, Any] | None,
    raws: Sequence[Any] | pa.Array | pa.ChunkedArray,
    default: Any = None,
    aliases: dict[str, Any] | None = None,
) -> tuple[list[Any], list[tuple[int, str | None, str]]]:
    """A whole column's values, and (row index, text as typed, reason) for each cell that cannot be read."""
    values, problems = read_column_array(spec, translate, raws, default, aliases)
    if isinstance(values, ARROW):
        return values.to_pylist(), problems
    return as_python_list(values), problems


def as_python_list(values: np.ndarray) -> list[Any]:
    """A typed column back as Python values: datetimes, floats, None for NaT and NaN."""
    if values.dtype.kind == "M":
        return [None if pd.isna(v) else v.to_pydatetime() for v in pd.Series(values)]
    if values.dtype.kind == "f":
        return [None if np.isnan(v) else v for v in values.tolist()]
    return values.tolist()


def read_column_array(
    spec: ColumnSpec,
    translate: dict[str, Any] | None,
    raws: Sequence[Any] | pa.Array | pa.ChunkedArray,
    default: Any = None,
    aliases: dict[str, Any] | None = None,
) -> tuple[np.ndarray | pa.ChunkedArray, list[tuple[int, str | None, str]]]:
    """`read_column` for a million rows: values as one typed array, never a Python object per row.

    Dates and times come as datetime64[ns] (NaT when missing), amounts as float64 (NaN), free text read by
    pyarrow (ids, names: mostly distinct cells) as an Arrow string array trimmed in Arrow, the rest as an
    object array."""
    if _plain_arrow_text(spec, translate, raws, default, aliases):
        trimmed = pc.utf8_trim_whitespace(raws)
        return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed), []  # = as_text
    codes, uniques = _distinct(raws)
    prepared = [default if default is not None and is_missing(u) else u for u in uniques]
    if aliases:
        prepared = [u if is_missing(u) else aliases.get(fold(as_text(u) or ""), u) for u in prepared]
    if spec.kind in ("date", "datetime", "amount", "number"):
        kind = "amount" if spec.kind == "number" else spec.kind
        parse = {"date": parse_dates, "datetime": parse_datetimes}.get(kind)
        parsed = parse(prepared, spec.fmt) if parse else parse_amounts(prepared, spec.decimal)
        results = [_checked(value, raw, kind) for value, raw in zip(parsed, prepared, strict=True)]
    elif spec.kind == "text" and translate is None and all(u is None or isinstance(u, str) for u in prepared):
        results = [((u.strip() or None) if u is not None else None, None) for u in prepared]  # = as_text
    else:
        reader = make_reader(spec, translate)
        results = [reader(raw) for raw in prepared]
    parsed_values = [value for value, _ in results]
    if spec.kind in ("date", "datetime"):
        values = pd.Series(parsed_values, dtype="datetime64[ns]").to_numpy()
    elif spec.kind in ("amount", "number"):
        values = np.array([np.nan if v is None else v for v in parsed_values], dtype="float64")
    else:
        values = np.empty(len(results), dtype=object)
        values[:] = parsed_values
    bad = [k for k, (_, reason) in enumerate(results) if reason]
    problems = []
    if bad:
        for i in np.flatnonzero(np.isin(codes, bad)).tolist():
            problems.append((i, as_text(prepared[codes[i]]), results[codes[i]][1]))
    return values[codes], problems
