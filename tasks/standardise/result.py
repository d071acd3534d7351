"""What standardising a file returns: the canonical rows and the values that could not be read."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd
import pyarrow as pa


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
    """A partner file on canonical columns: one row per data row, whatever its defects.

    Kept as Arrow, staged to Parquet as it is; `frame` is the same rows in pandas, for a person looking."""

    table: pa.Table
    issues: list[RowIssue] = field(default_factory=list)
    sheet: str | None = None
    rows_in: int = 0
    ignored: list[str] = field(default_factory=list)  # headers no canonical column reads

    @cached_property
    def frame(self) -> pd.DataFrame:
        return self.table.to_pandas()


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
