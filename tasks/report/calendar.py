"""The calendar of notes (config/program.yaml `reporting_periods`) and the SMS campaigns they fall in."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from malux.settings import get_settings
from malux.settings.config_files import read_program
from tasks.indicators.periods import Period, parse_period
from tasks.sms.calendar import all_campaign_weeks


def reporting_periods(config_dir: Path | None = None) -> list[str]:
    """The bi-months the program owes a note for, in time order."""
    path = (config_dir or get_settings().config_dir) / "program.yaml"
    return list(read_program(path).reporting_periods)


def latest_closed_period(today: date | None = None, config_dir: Path | None = None) -> str:
    """The latest period of the calendar that has ended before `today`: the note that is due now."""
    today = today or date.today()
    periods = reporting_periods(config_dir)
    closed = [p for p in periods if parse_period(p).end < today]
    if not closed:
        first = f"the first, {periods[0]}, ends {parse_period(periods[0]).end}" if periods else "it is empty"
        raise ValueError(
            f"no period of the notes' calendar (program.yaml reporting_periods) has closed by {today}: "
            f"{first}; give --period"
        )
    return closed[-1]


def campaigns_in(period: Period, config_dir: Path | None = None) -> list[str]:
    """The SMS campaigns with a week running during the period (a week runs 7 days from its send day)."""
    found = []
    for week in all_campaign_weeks(config_dir):
        first, last = week.send_at.date(), week.send_at.date() + timedelta(days=6)
        if first <= period.end and last >= period.start and week.campaign not in found:
            found.append(week.campaign)
    return found
