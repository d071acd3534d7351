"""Prefect tasks over the reports: which period to report, and issuing the note of one."""

from __future__ import annotations

from pathlib import Path

from prefect import task

from malux.settings import get_settings
from tasks.report.issue import IssuedNote, issue_note
from tasks.report.note import latest_period_with_data
from warehouse.db import engine_for


@task(name="latest-period")
def latest_period_task() -> str | None:
    """The latest bi-month holding program data: the one the note reports on by default."""
    return latest_period_with_data(engine_for(get_settings().database_url))


@task(name="issue-note")
def issue_note_task(period: str, lang: str = "fr") -> IssuedNote:
    """Issue the period's note (HTML, and PDF when Chromium is there) as a versioned snapshot."""
    settings = get_settings()
    return issue_note(
        engine_for(settings.database_url), period, settings.reports_dir, lang, settings.config_dir
    )


@task(name="write-evaluation")
def write_evaluation_task(campaign: str, lang: str = "fr") -> tuple[Path, Path | None]:
    """Write a campaign's evaluation and capitalisation report; returns its HTML and PDF paths."""
    from tasks.report.evaluation import write_evaluation

    settings = get_settings()
    return write_evaluation(
        engine_for(settings.database_url), campaign, settings.reports_dir, lang, settings.config_dir
    )
