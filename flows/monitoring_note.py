"""Flow: the bimonthly monitoring note, written from the stored indicator values."""

from __future__ import annotations

from pathlib import Path

from prefect import flow

from tasks.report.steps import write_note_task


@flow(name="monitoring-note", log_prints=True)
def monitoring_note(period: str, lang: str = "fr") -> Path:
    """The note of one period as a self-contained HTML file; returns its path."""
    return write_note_task(period, lang)
