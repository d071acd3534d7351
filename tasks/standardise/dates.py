"""Dates as partners type them: dd/mm/yyyy, ISO, Excel serial numbers and spreadsheet date cells."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from tasks.standardise.text import is_missing

_EXCEL_EPOCH = datetime(1899, 12, 30)  # Excel's day 0, after its 1900 leap-year bug
_SERIAL_RANGE = (20_000, 80_000)  # 1954 to 2119: anything else is not a date of this program
_YEARS = (1900, 2199)  # a typed 01/01/0001 or 9999 is no date of this program either (nor of the warehouse)
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$")
_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")


def _from_serial(serial: float) -> datetime | None:
    if not _SERIAL_RANGE[0] <= serial <= _SERIAL_RANGE[1]:
        return None
    return _EXCEL_EPOCH + timedelta(days=serial)


def _build(parts: tuple[str | None, ...]) -> datetime | None:
    y, m, d, hh, mm, ss = (int(p) if p else 0 for p in parts)
    try:
        return datetime(y, m, d, hh, mm, ss)
    except ValueError:
        return None


def parse_datetime(value: Any, fmt: str | None = None) -> datetime | None:
    """A date-time from a cell, or None when it cannot be read (31/02/2019, "hier", 2019, 01/01/0001)."""
    parsed = _read_datetime(value, fmt)
    if parsed is None or not _YEARS[0] <= parsed.year <= _YEARS[1]:
        return None
    return parsed


def _read_datetime(value: Any, fmt: str | None) -> datetime | None:
    if is_missing(value):
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return _from_serial(float(value))
    text = str(value).strip()
    if fmt:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            pass  # a partner's format is a hint, not a promise: fall back to the usual forms
    if match := _DMY.match(text):
        d, m, y, hh, mm, ss = match.groups()
        return _build((y, m, d, hh, mm, ss))
    if match := _YMD.match(text):
        return _build(match.groups())
    if _SERIAL.match(text):
        return _from_serial(float(text))
    try:  # gateway exports: ISO 8601 with a "Z" or an offset, stored as naive UTC
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def parse_date(value: Any, fmt: str | None = None) -> datetime | None:
    """A calendar date at midnight, or None when the cell holds no readable date."""
    parsed = parse_datetime(value, fmt)
    return None if parsed is None else datetime(parsed.year, parsed.month, parsed.day)


# The shapes a million-row file mostly holds, parsed a column at a time; anything else goes cell by cell.
_FAST = {"%d/%m/%Y": re.compile(r"^\d{2}/\d{2}/\d{4}$"), "%Y-%m-%d": re.compile(r"^\d{4}-\d{2}-\d{2}$")}
_FAST_FORMATS = {None, *_FAST}  # with another partner format, strptime's reading must win: no fast path
_WHOLE_SERIAL = re.compile(r"^\d{5}$")


def parse_datetimes(values: Sequence[Any], fmt: str | None = None) -> list[datetime | None]:
    """`parse_datetime` over a whole column: the usual shapes with pandas, the rest one cell at a time."""
    out: list[datetime | None] = [None] * len(values)
    pending = list(range(len(values)))
    if fmt in _FAST_FORMATS:
        texts = pd.Series([v.strip() if isinstance(v, str) else "" for v in values], dtype=object)
        for shape, pattern in _FAST.items():
            rows = np.flatnonzero(texts.str.match(pattern).to_numpy(dtype=bool))
            if len(rows):
                parsed = pd.to_datetime(texts.iloc[rows], format=shape, errors="coerce")
                for i, stamp in zip(rows.tolist(), parsed.tolist(), strict=True):
                    in_range = stamp is not pd.NaT and _YEARS[0] <= stamp.year <= _YEARS[1]  # 0000-01-01 too
                    out[i] = stamp.to_pydatetime() if in_range else None
        serial = texts.str.match(_WHOLE_SERIAL).to_numpy(dtype=bool)
        for i in np.flatnonzero(serial).tolist():
            out[i] = _from_serial(float(values[i]))
        pending = [i for i in pending if out[i] is None and not serial[i]]
    for i in pending:  # 31/02/2019 comes here too, so an impossible date reads exactly as one cell would
        out[i] = parse_datetime(values[i], fmt)
    return [None if d is None or not _YEARS[0] <= d.year <= _YEARS[1] else d for d in out]


def parse_dates(values: Sequence[Any], fmt: str | None = None) -> list[datetime | None]:
    """`parse_date` over a whole column: calendar dates at midnight, None where a cell holds none."""
    return [None if d is None else datetime(d.year, d.month, d.day) for d in parse_datetimes(values, fmt)]
