"""Prefect tasks over the reports: which periods the program owes a note for, and issuing the note of one."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from prefect import task

from malux.settings import get_settings
from tasks.report.calendar import latest_closed_period, reporting_periods
from tasks.report.issue import IssuedNote, issue_note
from warehouse.db import engine_for


@task(name="reporting-periods")
def reporting_periods_task() -> list[str]:
    """The calendar of notes (config/program.yaml), in time order."""
    return reporting_periods(get_settings().config_dir)


@task(name="due-period")
def due_period_task(today: date | None = None) -> str:
    """The latest period of the calendar that has closed: the note a run without a period issues."""
    return latest_closed_period(today, get_settings().config_dir)


@task(name="issue-note")
def issue_note_task(period: str, lang: str = "fr", comments: Path | None = None) -> IssuedNote:
    """Issue the period's note (HTML, and PDF when Chromium is there) as a versioned snapshot; `comments` is
    the officer's Markdown file, None to keep the previous version's commentary."""
    settings = get_settings()
    text = comments.read_text(encoding="utf-8") if comments else None
    return issue_note(
        engine_for(settings.database_url),
        period,
        settings.reports_dir,
        lang,
        settings.config_dir,
        comments=text,
    )


@task(name="write-evaluation")
def write_evaluation_task(campaign: str, lang: str = "fr") -> tuple[Path, Path | None]:
    """Write a campaign's evaluation and capitalisation report; returns its HTML and PDF paths."""
    from tasks.report.evaluation import write_evaluation

    settings = get_settings()
    return write_evaluation(
        engine_for(settings.database_url), campaign, settings.reports_dir, lang, settings.config_dir
    )
