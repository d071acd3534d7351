"""A cell holding a NUL character (U+0000) cannot be read: it is held back with its reason, on every database.

PostgreSQL refuses NUL in text outright and SQLite would store it silently; either way the value is damaged (a
truncated export, a binary paste), so the row waits for the partner's correction instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tasks.standardise.result import RowIssue

NUL = "\x00"
CHECK = "parse_text"
REASON = "holds a NUL character (byte 0x00): the cell cannot be read"
SHOWN = "\u2400"  # ␀, the symbol for NUL: how the value is stored and shown instead


def shown(value: str) -> str:
    """The value with each NUL replaced by a visible ␀, so it can be stored and read."""
    return value.replace(NUL, SHOWN)


def _may_hold_nul(column: pa.ChunkedArray) -> bool:
    """Whether any chunk's character data holds a zero byte: one SIMD pass, no per-cell kernel."""
    for chunk in column.chunks:
        data = chunk.buffers()[2]
        if data is not None and data.size and not np.frombuffer(data, dtype=np.uint8).all():
            return True
    return False


def without_nul_cells(
    raws: Sequence[Any] | pa.ChunkedArray, numbers: list[int], column: str, issues: list[RowIssue]
) -> Sequence[Any] | pa.ChunkedArray:
    """The cells with every NUL-holding one emptied, each of those recorded as a RowIssue of its row."""
    if isinstance(raws, pa.ChunkedArray):
        if not pa.types.is_string(raws.type) or not _may_hold_nul(raws):
            return raws  # the usual case: a text column without a zero byte
        holds = pc.fill_null(pc.match_substring(raws, NUL), False)
        if not pc.any(holds).as_py():
            return raws
        for i in np.flatnonzero(holds.to_numpy(zero_copy_only=False)):
            issues.append(RowIssue(numbers[i], column, shown(raws[int(i)].as_py()), CHECK, REASON))
        return pc.if_else(holds, pa.scalar(None, raws.type), raws)
    cleaned = list(raws)
    for i, value in enumerate(cleaned):
        if isinstance(value, str) and NUL in value:
            issues.append(RowIssue(numbers[i], column, shown(value), CHECK, REASON))
            cleaned[i] = None
    return cleaned
