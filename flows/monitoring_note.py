"""Flows: the bimonthly monitoring note, issued as a versioned snapshot of the stored indicator values."""

from __future__ import annotations

from pathlib import Path

from prefect import flow

from tasks.report.steps import due_period_task, issue_note_task, reporting_periods_task
from tasks.warehouse_schema import ensure_schema


@flow(name="monitoring-note", log_prints=True)
def monitoring_note(period: str | None = None, lang: str = "fr", comments: Path | None = None) -> Path:
    """Issue the note of one period (by default the latest closed one of the calendar) with the officer's
    commentary if given (HTML, and PDF when Chromium is there); returns the HTML file's path."""
    ensure_schema()
    period = period or due_period_task()
    issued = issue_note_task(period, lang, comments)
    what = "new version" if issued.new_version else "unchanged, same version"
    print(f"note {period} v{issued.version} ({what}, {len(issued.changes)} changes): {issued.html}")
    return issued.html


@flow(name="program-notes", log_prints=True)
def program_notes(lang: str = "fr") -> dict[str, Path]:
    """Issue the note of every period of the program's calendar; returns each period's HTML, in time order."""
    return {period: monitoring_note(period, lang) for period in reporting_periods_task()}
