"""Indicators over any date window (a whole campaign): the bi-month's SQL, over other dates, not stored."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import func, select

from tasks.indicators.compute import compute_window
from tasks.indicators.periods import Window, parse_period
from warehouse.schema import indicator_value

NUMBERS = ("numerator", "denominator", "value", "target", "aggregation")
SESSIONS = [("S1", "2019-12-28", "P1"), ("S2", "2020-01-08", "P2"), ("S3", "2020-01-20", "P2")]


def _some_program(program):
    """Loans, trainings and messages on both sides of 1 January 2020."""
    for producer, cercle in (("P1", "San"), ("P2", "Bla")):
        program.beneficiary(producer, cercle=cercle, operator="orange")
    program.loan("L1", 1_000_000, maturity="2019-12-01", disbursed="2019-11-20").repaid(
        250_000, on="2019-12-20"
    )
    program.loan("L2", 2_000_000, maturity="2020-06-30", disbursed="2019-12-27", mfi="kafo_jiginew")
    program.loan("L3", 700_000, maturity="2020-06-30", disbursed="2020-01-10")
    for session, held_on, producer in SESSIONS:
        program.session(session, held_on=held_on)
        program.attended(session, producer)
    program.message(1, "P1", "delivered", final_at="2019-11-04 09:00")
    program.message(1, "P2", "undelivered", final_at="2019-11-04 09:00")
    program.message(2, "P1", "delivered", final_at="2019-11-11 09:00")
    return program


def _key(row: dict) -> tuple[str, str]:
    return row["indicator"], row["disaggregation"]


def test_a_window_on_a_bimonths_days_gives_the_values_that_bimonth_stores(program):
    _some_program(program).compute("201906B")
    period = parse_period("201906B")
    computed = compute_window(program.engine, Window("any", period.start, period.end), program.config_dir)
    with program.engine.connect() as conn:
        stored = [dict(r) for r in conn.execute(select(indicator_value)).mappings()]
    assert len(computed) == len(stored)
    by_key = {_key(r): r for r in stored}
    for row in computed:
        assert {f: row[f] for f in NUMBERS} == {f: by_key[_key(row)][f] for f in NUMBERS}, row
    with program.engine.connect() as conn:  # computing a window stores nothing
        assert conn.execute(select(func.count()).select_from(indicator_value)).scalar() == len(stored)


def test_a_window_across_two_bimonths_counts_the_flows_of_both_and_stocks_at_its_end(program):
    _some_program(program)
    start, end = date(2019, 12, 15), date(2020, 1, 15)
    rows = compute_window(program.engine, Window("winter", start, end), program.config_dir)
    total = {r["indicator"]: r for r in rows if r["disaggregation"] == "{}"}
    loans = [
        ("L1", 1_000_000, "2019-11-20", 250_000),
        ("L2", 2_000_000, "2019-12-27", 0),
        ("L3", 700_000, "2020-01-10", 0),
    ]
    inside = [loan for loan in loans if start <= date.fromisoformat(loan[2]) <= end]
    assert total["loans_disbursed_count"]["value"] == len(inside)
    assert total["loans_disbursed_xof"]["value"] == sum(loan[1] for loan in inside)
    assert total["gross_loan_portfolio_xof"]["value"] == sum(loan[1] - loan[3] for loan in loans)
    held = [s for s in SESSIONS if start <= date.fromisoformat(s[1]) <= end]
    assert total["training_sessions_held"]["value"] == len(held)
    trained = {s[2] for s in SESSIONS if date.fromisoformat(s[1]) <= end}
    assert total["trained_producers"]["value"] == len(trained)


def test_a_report_may_ask_for_reach_by_the_subscribers_cercle(program):
    _some_program(program)  # the test campaign's weeks 1-3, 4-25 November 2019; week 3 not sent
    rows = compute_window(
        program.engine,
        Window("2019-2020", date(2019, 11, 4), date(2019, 11, 25)),
        program.config_dir,
        {"sms_weekly_reach": ("cercle",)},
    )
    reach = {
        r["disaggregation"]: (r["numerator"], r["denominator"])
        for r in rows
        if r["indicator"] == "sms_weekly_reach"
    }
    # P1 (San) reached in weeks 1 and 2 of 3, P2 (Bla) in none; both active all three weeks
    assert reach[json.dumps({"cercle": "San"})] == (2, 3)
    assert reach[json.dumps({"cercle": "Bla"})] == (0, 3)
    assert reach["{}"] == (2, 6)
