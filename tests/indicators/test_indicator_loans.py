"""Financing indicators: PAR30, portfolio, repayment rate, disbursements."""

import json

import pytest


def test_par30_counts_the_whole_outstanding_of_a_late_loan(program):
    program.loan("L1", principal=1_000_000, maturity="2019-05-30").repaid(400_000, on="2019-05-30")
    program.loan("L2", principal=2_000_000, maturity="2019-06-20")
    value = program.indicator("par30", period="201903B")
    assert (value.numerator, value.denominator) == (600_000, 2_600_000)  # L1 is 31 days late at 30 June
    assert value.value == pytest.approx(600_000 / 2_600_000)


def test_a_loan_exactly_30_days_past_maturity_is_not_yet_at_risk(program):
    program.loan("L1", principal=1_000_000, maturity="2019-05-31")
    value = program.indicator("par30", period="201903B")
    assert (value.numerator, value.denominator) == (0, 1_000_000)


def test_a_loan_31_days_past_maturity_is_at_risk(program):
    program.loan("L1", principal=1_000_000, maturity="2019-05-30")
    assert program.indicator("par30", period="201903B").value == 1.0


def test_a_partial_repayment_lowers_the_gross_loan_portfolio(program):
    program.loan("L1", principal=1_000_000, maturity="2019-09-30").repaid(250_000, on="2019-06-10")
    assert program.indicator("gross_loan_portfolio_xof", period="201903B").value == 750_000


def test_a_loan_repaid_one_day_late_is_not_at_risk_and_counts_as_repaid(program):
    program.loan("L1", principal=1_000_000, maturity="2019-05-15").repaid(1_000_000, on="2019-05-16")
    program.loan("L2", principal=500_000, maturity="2019-09-30")
    par = program.indicator("par30", period="201903B")
    rate = program.indicator("repayment_rate", period="201903B", compute=False)
    assert (par.numerator, par.denominator) == (0, 500_000)
    assert (rate.numerator, rate.denominator, rate.value) == (1_000_000, 1_000_000, 1.0)


def test_a_repayment_after_the_period_end_does_not_count_yet(program):
    program.loan("L1", principal=1_000_000, maturity="2019-04-30").repaid(1_000_000, on="2019-07-01")
    rate = program.indicator("repayment_rate", period="201903B")
    par = program.indicator("par30", period="201903B", compute=False)
    assert (rate.numerator, rate.denominator) == (0, 1_000_000)
    assert par.value == 1.0


def test_loans_not_yet_disbursed_at_the_period_end_are_outside_the_portfolio(program):
    program.loan("L1", principal=1_000_000, maturity="2019-10-30", disbursed="2019-07-02")
    value = program.indicator("par30", period="201903B")
    assert value.value is None and "portfolio" in value.note


def test_disbursements_are_counted_by_mfi_and_crop(program):
    program.loan("L1", principal=1_000_000, maturity="2019-09-30", disbursed="2019-05-02", crop="rice")
    program.loan("L2", principal=2_000_000, maturity="2019-09-30", disbursed="2019-06-30", mfi="kafo")
    program.loan("L3", principal=4_000_000, maturity="2019-09-30", disbursed="2019-04-30")
    assert program.indicator("loans_disbursed_xof", period="201903B").value == 3_000_000
    assert program.indicator("loans_disbursed_count", period="201903B", compute=False, crop="rice").value == 1
    assert program.indicator("loans_disbursed_xof", period="201903B", compute=False, mfi="kafo").value == 2e6


def test_borrowers_with_two_loans_are_financed_once(program):
    program.loan("L1", principal=1_000_000, maturity="2019-09-30", borrower="OP1")
    program.loan("L2", principal=1_000_000, maturity="2019-09-30", borrower="OP1", crop="rice")
    assert program.indicator("borrowers_financed", period="201903B").value == 1


def test_a_value_lists_the_batches_of_the_loans_and_repayments_it_used(program):
    loans_batch = program.batch("amassa", "loans")
    repayments_batch = program.batch("amassa", "repayments")
    program.loan("L1", principal=1_000_000, maturity="2019-05-30", batch=loans_batch).repaid(
        400_000, on="2019-05-30", batch=repayments_batch
    )
    value = program.indicator("par30", period="201903B")
    assert json.loads(value.batches) == sorted([loans_batch, repayments_batch])
