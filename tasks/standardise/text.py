"""Folding of headers, names and values so that case, accents and spacing never decide a match."""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime
from typing import Any

_SPACES = re.compile(r"\s+")


def fold(value: str) -> str:
    """A comparison key: accents removed, case folded, runs of spaces collapsed, ends trimmed."""
    decomposed = unicodedata.normalize("NFKD", value)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", plain).strip().casefold()


def is_missing(value: Any) -> bool:
    """True for the empty cells of any reader: None, NaN, NaT and blank strings."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(value != value)  # NaT and friends
    except (TypeError, ValueError):
        return False


def as_text(value: Any) -> str | None:
    """A cell as the text a person sees: 1001.0 from a spreadsheet becomes "1001", dates become ISO."""
    if is_missing(value):
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        midnight = value == datetime.combine(value.date(), datetime.min.time())
        return value.date().isoformat() if midnight else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()
