"""Loan portfolio at SEEP depth: instalment schedules, write-offs, restructured loans, PAR30 and PAR90.

Every portfolio is built by hand for the bi-month 201903B (May–June 2019), whose reporting day is 30 June."""

from datetime import date

import pytest

D = date(2019, 6, 30)
PERIOD = "201903B"


def _parts(value) -> tuple[float, float | None]:
    return value.numerator, value.denominator


def test_an_instalment_30_days_late_is_not_at_risk_and_one_31_days_late_puts_the_whole_loan_at_risk(program):
    assert ((D - date(2019, 5, 31)).days, (D - date(2019, 5, 30)).days) == (30, 31)
    on_the_edge = program.loan("L1", principal=900_000, maturity="2019-08-31")
    late = program.loan("L2", principal=900_000, maturity="2019-08-30")
    for loan, first_due in ((on_the_edge, "2019-05-31"), (late, "2019-05-30")):
        loan.instalment(1, first_due, 300_000).instalment(2, "2019-07-31", 300_000)
        loan.instalment(3, "2019-08-30", 300_000)
    par30 = program.indicator("par30", PERIOD)
    # SEEP: the whole outstanding of L2 is at risk, not only its overdue instalment
    assert _parts(par30) == (900_000, 900_000 + 900_000)
    assert par30.value == pytest.approx(0.5)


def test_a_partly_paid_instalment_keeps_the_loan_late_from_that_instalment_s_due_date(program):
    loan = program.loan("L1", principal=1_000_000, maturity="2019-07-15")
    loan.instalment(1, "2019-04-15", 300_000).instalment(2, "2019-05-15", 300_000)
    loan.instalment(3, "2019-07-15", 400_000).repaid(400_000, on="2019-05-01")
    program.loan("L2", principal=1_000_000, maturity="2019-09-30")
    outstanding = 1_000_000 - 400_000
    # 400 000 covers instalment 1 and 100 000 of instalment 2: late since 15 May, 46 days, > 30 and ≤ 90
    assert (D - date(2019, 5, 15)).days == 46
    assert _parts(program.indicator("par30", PERIOD)) == (outstanding, outstanding + 1_000_000)
    assert _parts(program.indicator("par90", PERIOD, compute=False)) == (0, outstanding + 1_000_000)
    glp = program.indicator("gross_loan_portfolio_xof", PERIOD, compute=False)
    assert glp.value == outstanding + 1_000_000


def test_an_instalment_repaid_late_but_before_the_reporting_day_is_no_longer_overdue(program):
    loan = program.loan("L1", principal=1_000_000, maturity="2019-08-01")
    loan.instalment(1, "2019-04-01", 500_000).instalment(2, "2019-08-01", 500_000)
    loan.repaid(500_000, on="2019-06-01")
    assert _parts(program.indicator("par30", PERIOD)) == (0, 500_000)


def test_the_repayment_rate_is_the_principal_repaid_of_the_instalments_due(program):
    loan = program.loan("L1", principal=1_000_000, maturity="2019-08-01")
    loan.instalment(1, "2019-04-01", 400_000).instalment(2, "2019-06-01", 300_000)
    loan.instalment(3, "2019-08-01", 300_000).repaid(500_000, on="2019-05-01")
    # a repayment beyond what is due by then is an early repayment: it does not raise the rate above 1
    program.loan("L2", principal=200_000, maturity="2019-09-30").repaid(150_000, on="2019-06-15")
    rate = program.indicator("repayment_rate", PERIOD)
    assert _parts(rate) == (500_000, 400_000 + 300_000)


def test_written_off_loans_leave_the_portfolio_and_those_written_off_in_the_period_make_the_ratio(program):
    program.loan(
        "L1", principal=1_000_000, maturity="2019-01-31", disbursed="2018-11-01", written_off="2019-02-15"
    ).repaid(200_000, on="2019-01-15")
    inside = program.loan(
        "L2",
        principal=800_000,
        maturity="2019-03-31",
        disbursed="2019-01-02",
        written_off="2019-05-20",
        mfi="kafo",
    )
    inside.repaid(100_000, on="2019-03-20").repaid(50_000, on="2019-06-10")  # a recovery after write-off
    program.loan("L3", principal=2_000_000, maturity="2019-09-30")
    program.loan("L4", principal=1_000_000, maturity="2019-09-30", mfi="kafo")
    at_write_off = 800_000 - 100_000  # outstanding on 20 May; the June recovery came after
    glp = 2_000_000 + 1_000_000
    assert program.indicator("gross_loan_portfolio_xof", PERIOD).value == glp
    assert _parts(program.indicator("par30", PERIOD, compute=False)) == (0, glp)
    ratio = program.indicator("write_off_ratio", PERIOD, compute=False)
    assert _parts(ratio) == (at_write_off, glp)
    by_kafo = program.indicator("write_off_ratio", PERIOD, compute=False, mfi="kafo")
    assert by_kafo.value == pytest.approx(at_write_off / 1_000_000)
    assert program.indicator("loans_written_off_count", PERIOD, compute=False).value == 1


def test_a_loan_written_off_before_the_period_is_not_written_off_again(program):
    program.loan(
        "L1", principal=1_000_000, maturity="2019-01-31", disbursed="2018-11-01", written_off="2019-04-30"
    )
    program.loan("L2", principal=500_000, maturity="2019-09-30")
    assert program.indicator("loans_written_off_count", PERIOD).value == 0
    assert _parts(program.indicator("write_off_ratio", PERIOD, compute=False)) == (0, 500_000)
    earlier = program.indicator("loans_written_off_count", "201902B")
    assert earlier.value == 1


def test_a_loan_rescheduled_to_a_future_maturity_stays_at_risk(program):
    program.loan(
        "L1", principal=1_000_000, maturity="2019-09-30", disbursed="2019-01-10", restructured="2019-04-20"
    )
    program.loan("L2", principal=500_000, maturity="2019-09-30", restructured="2019-07-05")  # after D
    program.loan("L3", principal=300_000, maturity="2019-09-30", restructured="2019-04-01").repaid(
        300_000, on="2019-06-01"
    )  # repaid in full: nothing outstanding, nothing at risk
    glp = 1_000_000 + 500_000
    assert _parts(program.indicator("par30", PERIOD)) == (1_000_000, glp)
    assert _parts(program.indicator("par90", PERIOD, compute=False)) == (1_000_000, glp)


def test_a_loan_95_days_late_is_in_par90_and_one_90_days_late_only_in_par30(program):
    late_95, late_90 = date(2019, 3, 27), date(2019, 4, 1)
    assert ((D - late_95).days, (D - late_90).days) == (95, 90)
    program.loan("L1", principal=700_000, maturity=late_95.isoformat(), disbursed="2019-01-02")
    program.loan("L2", principal=300_000, maturity=late_90.isoformat(), disbursed="2019-01-02")
    assert _parts(program.indicator("par90", PERIOD)) == (700_000, 700_000 + 300_000)
    assert _parts(program.indicator("par30", PERIOD, compute=False)) == (700_000 + 300_000, 700_000 + 300_000)


def test_a_loan_disbursed_after_the_reporting_day_is_in_no_number(program):
    program.loan("L1", principal=1_000_000, maturity="2019-05-01", disbursed="2019-02-01")
    program.loan(
        "L2", principal=9_000_000, maturity="2019-10-30", disbursed="2019-07-01", restructured="2019-07-02"
    )
    assert program.indicator("gross_loan_portfolio_xof", PERIOD).value == 1_000_000
    assert _parts(program.indicator("par90", PERIOD, compute=False)) == (0, 1_000_000)  # L1: 60 days
    assert _parts(program.indicator("par30", PERIOD, compute=False)) == (1_000_000, 1_000_000)


def test_par_values_list_the_schedule_batches_they_used(program):
    import json

    schedule_batch = program.batch("amassa", "loan_schedule")
    program.loan("L1", principal=1_000_000, maturity="2019-08-01").instalment(
        1, "2019-05-01", 1_000_000, batch=schedule_batch
    )
    value = program.indicator("par30", PERIOD)
    assert schedule_batch in json.loads(value.batches) and value.value == 1.0
