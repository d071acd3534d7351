"""Flow: the bimonthly monitoring note, issued as a versioned snapshot of the stored indicator values."""

from __future__ import annotations

from pathlib import Path

from prefect import flow

from tasks.report.steps import issue_note_task
from tasks.warehouse_schema import ensure_schema


@flow(name="monitoring-note", log_prints=True)
def monitoring_note(period: str, lang: str = "fr") -> Path:
    """Issue the note of one period (HTML, and PDF when Chromium is there); returns the HTML file's path."""
    ensure_schema()
    issued = issue_note_task(period, lang)
    what = "new version" if issued.new_version else "unchanged, same version"
    print(f"note {period} v{issued.version} ({what}, {len(issued.changes)} values changed): {issued.html}")
    return issued.html
