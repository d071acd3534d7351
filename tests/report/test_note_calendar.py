"""The calendar of notes (config/program.yaml): which note is due on a given day, and which fall outside
every SMS campaign."""

from __future__ import annotations

from datetime import date

import pytest
import yaml

from malux.settings.config_files import ConfigFileError
from tasks.indicators.periods import parse_period
from tasks.report.calendar import campaigns_in, latest_closed_period, reporting_periods
from tasks.report.note import write_note


def _calendar(program, periods: list[str]) -> None:
    path = program.config_dir / "program.yaml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    path.write_text(yaml.safe_dump({**config, "reporting_periods": periods}), encoding="utf-8")


def test_the_shipped_calendar_is_the_six_bimonths_of_2019(program):
    assert reporting_periods(program.config_dir) == [f"2019{n:02d}B" for n in range(1, 7)]


@pytest.mark.parametrize(
    ("today", "due"),
    [
        (date(2019, 7, 1), "201903B"),  # May–June ended on 30 June
        (date(2019, 6, 30), "201902B"),  # the last day of May–June: that bi-month has not closed yet
        (date(2019, 3, 1), "201901B"),
        (date(2026, 11, 29), "201906B"),  # long after the program: its last note
    ],
)
def test_the_note_due_is_the_latest_period_of_the_calendar_that_has_closed(program, today, due):
    assert latest_closed_period(today, program.config_dir) == due


def test_the_due_note_follows_the_calendar_in_the_file_not_the_bimonth_before_today(program):
    _calendar(program, ["201902B", "201904B"])
    assert latest_closed_period(date(2019, 12, 15), program.config_dir) == "201904B"


def test_before_the_first_period_closes_no_note_is_due_and_the_error_says_which_period(program):
    with pytest.raises(ValueError, match=r"ends 2019-02-28; give --period"):
        latest_closed_period(date(2019, 2, 28), program.config_dir)


@pytest.mark.parametrize(
    ("periods", "problem"),
    [(["2019-03"], "not DHIS2 bimonthly ids"), (["201903B", "201901B"], "in time order")],
)
def test_a_calendar_that_is_not_bimonthly_ids_in_order_is_refused_naming_the_key(program, periods, problem):
    _calendar(program, periods)
    with pytest.raises(ConfigFileError, match=rf"program.yaml: .*reporting_periods: .*{problem}"):
        reporting_periods(program.config_dir)


def test_a_period_is_in_a_campaign_when_one_of_its_weeks_runs_during_it(program):
    # the test campaign sends on 4, 11 and 18 November 2019; its last week runs to 24 November
    assert campaigns_in(parse_period("201906B"), program.config_dir) == ["2019-2020"]
    assert campaigns_in(parse_period("201905B"), program.config_dir) == []


def test_the_note_of_a_period_outside_every_campaign_says_so_at_the_top(program, tmp_path):
    outside = write_note(program.engine, "201903B", tmp_path / "a", config_dir=program.config_dir).read_text()
    inside = write_note(program.engine, "201906B", tmp_path / "b", config_dir=program.config_dir).read_text()
    header = outside.split("</header>")[0]
    assert "hors de toute campagne SMS" in header
    assert 'id="out-of-campaign"' not in inside
    english = write_note(program.engine, "201903B", tmp_path / "c", "en", program.config_dir).read_text()
    assert "outside every SMS campaign" in english.split("</header>")[0]
