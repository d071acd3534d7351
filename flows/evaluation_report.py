"""Flow: the evaluation and capitalisation report of a whole SMS campaign, beside the previous campaign."""

from __future__ import annotations

from pathlib import Path

from prefect import flow

from tasks.alerts.webhook import notify_failure
from tasks.report.steps import write_evaluation_task
from tasks.warehouse_schema import ensure_schema


@flow(name="evaluation-report", log_prints=True, on_failure=[notify_failure], on_crashed=[notify_failure])
def evaluation_report(campaign: str, lang: str = "fr") -> tuple[Path, Path | None]:
    """The campaign's report, recomputed over its window, as HTML (and PDF with Chromium); both paths."""
    ensure_schema()
    html, pdf = write_evaluation_task(campaign, lang)
    print(f"evaluation report {campaign}: {html}" + (f" and {pdf}" if pdf else " (no Chromium: no PDF)"))
    return html, pdf
