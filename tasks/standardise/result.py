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


@dataclass
class Layout:
    """Where a file's header is and how its headers meet the mapping, found without loading anything."""

    file: str
    dataset: str
    partner: str | None
    sheet: str | None
    sheets: list[str]
    header_row: int
    mapped: dict[str, str]  # canonical column -> the header it is read from
    missing: dict[str, list[str]]  # required canonical column -> the headers that would have matched
    absent_optional: list[str]
    ignored: list[str]  # headers no canonical column reads
    duplicated: list[str]  # headers that appear more than once
    skipped_rows: list[int] = field(default_factory=list)  # HXL tag rows under the header

    @property
    def ok(self) -> bool:
        return not self.missing
