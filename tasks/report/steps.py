"""Prefect tasks over the monitoring note."""

from __future__ import annotations

from pathlib import Path

from prefect import task

from malux.settings import get_settings
from tasks.report.note import latest_period_with_data, write_note
from warehouse.db import engine_for


@task(name="latest-period")
def latest_period_task() -> str | None:
    """The latest bi-month holding program data: the one the note reports on by default."""
    return latest_period_with_data(engine_for(get_settings().database_url))


@task(name="write-note")
def write_note_task(period: str, lang: str = "fr") -> Path:
    """Write the period's note from the stored indicator values; returns the HTML file's path."""
    settings = get_settings()
    return write_note(
        engine_for(settings.database_url), period, settings.reports_dir, lang, settings.config_dir
    )
