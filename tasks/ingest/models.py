"""What the ingest tasks hand each other: ids and paths, never DataFrames."""

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


@dataclass(frozen=True)
class Verdict:
    """A validated batch split into rows to publish and reasons to hold rows back."""

    staged: StagedBatch
    passed_path: Path
    quarantine_path: Path
    rows_passed: int
    rows_quarantined: int


@dataclass(frozen=True)
class BatchSummary:
    """The three numbers that account for every row of a file, and what happened to it."""

    batch_id: int
    dataset: str
    partner: str
    file_name: str
    status: str  # loaded | rejected | already_ingested
    rows_in: int
    rows_loaded: int
    rows_quarantined: int
    error: str | None = None

    def describe(self) -> str:
        """The line a person reads: the batch and its three numbers, and whether anything changed."""
        note = " (already ingested: nothing changed)" if self.status == "already_ingested" else ""
        return (
            f"batch {self.batch_id}, rows in {self.rows_in}, loaded {self.rows_loaded}, "
            f"quarantined {self.rows_quarantined}{note}"
        )


class BatchRejected(RuntimeError):
    """The file cannot be trusted at all; nothing of it was loaded and the raw copy is kept."""


def work_dir(data_root: Path, batch_id: int) -> Path:
    path = data_root / "work" / f"batch-{batch_id}"
    path.mkdir(parents=True, exist_ok=True)
    return path
