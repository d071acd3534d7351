"""What standardising a file returns: the canonical frame and the values that could not be read."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass(frozen=True)
class RowIssue:
    """One value that could not be read, traced to the row a person sees in the partner's file."""

    source_row: int
    column: str
    value: str | None
    check: str
    reason: str


@dataclass
class Standardised:
    """A partner file on canonical columns: one frame row per data row, whatever its defects."""

    frame: pd.DataFrame
    issues: list[RowIssue] = field(default_factory=list)
    sheet: str | None = None
    rows_in: int = 0
