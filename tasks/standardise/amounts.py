"""Amounts as partners type them: "1 250 000", "1.250.000", "12,5", "1,250,000.00", "500 000 FCFA"."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from tasks.standardise.text import is_missing

_BLANKS = re.compile(r"[\s\u00a0\u202f\u2009'’]")
_CURRENCY = re.compile(r"(?i)f\s*cfa|xof|cfa|fcfa")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def _to_plain(text: str, decimal: str | None) -> str:
    """Remove thousands separators and make the decimal mark a dot."""
    if decimal == ",":
        return text.replace(".", "").replace(",", ".")
    if decimal == ".":
        return text.replace(",", "")
    if "," in text and "." in text:
        # whichever comes last is the decimal mark: 1,250,000.00 and 1.250.000,00
        return (
            text.replace(",", "")
            if text.rfind(".") > text.rfind(",")
            else text.replace(".", "").replace(",", ".")
        )
    if text.count(",") > 1:
        return text.replace(",", "")
    if text.count(".") > 1:
        return text.replace(".", "")
    return text.replace(",", ".")  # a single comma is the French decimal mark: 12,5


def parse_amount(value: Any, decimal: str | None = None) -> float | None:
    """A number from a cell, or None when unreadable; `decimal` settles "1.250" when a partner says so."""
    if is_missing(value) or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return None if math.isnan(value) or math.isinf(value) else float(value)
    text = _BLANKS.sub("", _CURRENCY.sub("", str(value)))
    plain = _to_plain(text, decimal)
    if not _NUMBER.match(plain):
        return None
    return float(plain)


def parse_amounts(values: Sequence[Any], decimal: str | None = None) -> list[float | None]:
    """`parse_amount` over a whole column with pandas string operations, for files of a million rows."""
    out: list[float | None] = [None] * len(values)
    texts = [(i, v) for i, v in enumerate(values) if isinstance(v, str)]
    for i, value in enumerate(values):
        if not isinstance(value, str):
            out[i] = parse_amount(value, decimal)
    if not texts:
        return out
    index, raw = zip(*texts, strict=True)
    text = (
        pd.Series(raw, dtype=object)
        .str.replace(_CURRENCY, "", regex=True)
        .str.replace(_BLANKS, "", regex=True)
    )
    no_commas = text.str.replace(",", "", regex=False)
    french = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    if decimal == ",":
        plain = french
    elif decimal == ".":
        plain = no_commas
    else:
        commas, dots = text.str.count(","), text.str.count(r"\.")
        both, dot_last = (commas > 0) & (dots > 0), text.str.rfind(".") > text.str.rfind(",")
        plain = pd.Series(
            np.select(
                [both & dot_last, both, commas > 1, dots > 1],
                [no_commas, french, no_commas, text.str.replace(".", "", regex=False)],
                default=text.str.replace(",", ".", regex=False),
            ),
            dtype=object,
        )
    readable = plain.str.match(_NUMBER).to_numpy(dtype=bool)
    for i, number, ok in zip(index, plain.tolist(), readable.tolist(), strict=True):
        if ok:
            out[i] = float(number)
    return out
