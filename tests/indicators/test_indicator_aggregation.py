"""Each stored value says what kind of number it is: inside the period, to date, or a stock at its end."""

from __future__ import annotations

from program_builder import REPO_CONFIG
from sqlalchemy import select

from warehouse.schema import indicator_value


def test_a_count_of_the_period_is_stored_as_period(program):
    program.session("S1", held_on="2019-05-10")
    assert program.indicator("training_sessions_held", period="201903B").aggregation == "period"


def test_a_cumulative_count_is_stored_as_to_date(program):
    program.beneficiary("P1")
    program.session("S1", held_on="2019-03-10")
    program.attended("S1", "P1")
    value = program.indicator("trained_producers", period="201903B")  # trained in March, counted in May–June
    assert (value.value, value.aggregation) == (1, "to_date")


def test_a_stock_at_the_period_end_is_stored_as_at_end(program):
    program.loan("L1", principal=1_000_000, maturity="2019-09-30")
    value = program.indicator("gross_loan_portfolio_xof", period="201903B")
    assert (value.value, value.aggregation) == (1_000_000, "at_end")


def _real_calendar(program):
    """The repo's two 21-week campaigns (from 5 Nov 2018 and 4 Nov 2019) instead of the 3-week test one."""
    (program.config_dir / "campaigns.yaml").write_text(
        (REPO_CONFIG / "campaigns.yaml").read_text("utf-8"), encoding="utf-8"
    )
    return program


def test_weeks_broadcast_counts_from_the_campaign_start_the_weeks_ended_by_the_period_end(program):
    _real_calendar(program)
    for week in range(1, 18):  # week 16 sent 17 Feb 2020 ends 24 Feb; week 17 sent 24 Feb ends 2 March
        program.message(week, "P1", "delivered", final_at=None)
    value = program.indicator("sms_weeks_broadcast", period="202001B", campaign="2019-2020")
    assert (value.value, value.target, value.aggregation) == (16, 21, "to_date")


def test_weeks_broadcast_keeps_a_finished_campaign_at_its_final_count_and_totals_every_campaign(program):
    _real_calendar(program)
    for week in (1, 2, 3):  # 2018-2019: three weeks broadcast, long ended by January 2020
        program.message(week, "P1", "delivered", campaign="2018-2019")
    for week in (1, 2):  # 2019-2020: weeks 1 and 2, both ended by 18 November 2019
        program.message(week, "P1", "delivered")
    program.compute("202001B")
    finished = program.indicator("sms_weeks_broadcast", period="202001B", compute=False, campaign="2018-2019")
    total = program.indicator("sms_weeks_broadcast", period="202001B", compute=False)
    assert (finished.value, total.value, total.target) == (3, 5, 42)


def test_weeks_broadcast_has_a_row_only_for_the_campaigns_started_by_the_period_end(program):
    _real_calendar(program)
    program.compute("201905B")  # Sept–Oct 2019: 2018-2019 is over (nothing sent), 2019-2020 starts 4 Nov
    with program.engine.connect() as conn:
        rows = conn.execute(
            select(indicator_value.c.disaggregation, indicator_value.c.value).where(
                indicator_value.c.indicator == "sms_weeks_broadcast", indicator_value.c.period == "201905B"
            )
        ).all()
    assert sorted(rows) == [('{"campaign": "2018-2019"}', 0), ("{}", 0)]
