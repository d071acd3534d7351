"""The few realistic defects a partner file carries, placed deterministically so validation has work to do."""

from __future__ import annotations

import random
from typing import Any

BAD_PHONES = ["", "7612345", "20 22 45 67", "44 12 34 56", "00000000", "76 12 34 5"]


def spread(rows: list[list[Any]], count: int, salt: int) -> list[int]:
    """`count` distinct row indexes spread over the file, the same for the same salt."""
    step = max(1, len(rows) // (count + 1))
    return [min(len(rows) - 1, step * (i + 1) + salt % step) for i in range(count)]


def set_cells(rows: list[list[Any]], column: int, values: list[Any], salt: int) -> list[int]:
    """Overwrite one column of a few spread rows with defective values; returns the rows touched."""
    indexes = spread(rows, len(values), salt)
    for index, value in zip(indexes, values, strict=True):
        rows[index][column] = value
    return indexes


def duplicate(rows: list[list[Any]], source: int, at: int) -> None:
    """Send one row twice, as happens when two sheets are pasted together."""
    rows.insert(min(at, len(rows)), list(rows[source]))


def spoil_phones(rng: random.Random, rows: list[list[Any]], column: int, share: float = 0.02) -> None:
    """About `share` of the rows get a missing or non-mobile number: loaded, marked invalid."""
    for row in rows:
        if rng.random() < share:
            row[column] = rng.choice(BAD_PHONES)
