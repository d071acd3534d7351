"""A batch as the ingest steps hand it on, from registration through validation: ids and paths, never frames.

Here, below both `tasks/ingest/` and `tasks/validate/`, so that validation needs nothing from ingest.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class BatchTicket:
    """A registered file: its batch id, its immutable raw copy, and whether it was loaded before."""

    batch_id: int
    dataset: str
    partner: str
    source: Path
    raw_path: Path
    sha256: str
    already_ingested: bool


@dataclass(frozen=True)
class StagedBatch:
    """A batch standardised to canonical columns, with the values that could not be read."""

    ticket: BatchTicket
    rows_path: Path
    issues_path: Path
    rows_in: int
    sheet: str | None = None  # the spreadsheet sheet the rows were read from
    ignored_columns: tuple[str, ...] = ()  # the file's headers no canonical column reads


@dataclass(frozen=True)
class Verdict:
    """A validated batch split into rows to publish and reasons to hold rows back."""

    staged: StagedBatch
    passed_path: Path
    quarantine_path: Path
    rows_passed: int
    rows_quarantined: int


class BatchRejected(RuntimeError):
    """The file cannot be trusted at all; nothing of it was loaded and the raw copy is kept."""
