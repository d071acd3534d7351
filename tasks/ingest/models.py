"""What an ingest run reports, and where a batch's intermediate files go.

The hand-offs between the steps (ticket, staged batch, verdict) are in `tasks/batch.py`, which validation
shares; `BatchRejected` is named here too, where the flows and the CLI have always found it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tasks.batch import BatchRejected

__all__ = ["BatchRejected", "BatchSummary", "work_dir"]


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
    ignored_columns: tuple[str, ...] = ()  # headers of the file that no canonical column reads

    def describe(self) -> str:
        """The line a person reads: the batch and its three numbers, whether anything changed, what was not
        read (a column the mapping does not place is never dropped without a word)."""
        note = " (already ingested: nothing changed)" if self.status == "already_ingested" else ""
        if self.ignored_columns:
            count = len(self.ignored_columns)
            names = ", ".join(repr(name) for name in self.ignored_columns)
            note += f"; {count} column{'s' if count > 1 else ''} ignored: {names}"
        return (
            f"batch {self.batch_id}, rows in {self.rows_in}, loaded {self.rows_loaded}, "
            f"quarantined {self.rows_quarantined}{note}"
        )


def work_dir(data_root: Path, batch_id: int) -> Path:
    path = data_root / "work" / f"batch-{batch_id}"
    path.mkdir(parents=True, exist_ok=True)
    return path
