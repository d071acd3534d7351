"""The edges issue #5 lists that the family tests do not already pin down, each hand-computed."""

import pytest

STRADDLING = 'send_time: "08:00"\ncampaigns:\n  "2019-2020": {start: 2019-12-23, weeks: 2}\n'


def _straddling_campaign(program):
    """Week 1 is sent on 23 Dec and ends on 30 Dec; week 2 is sent on 30 Dec and ends on 6 Jan."""
    (program.config_dir / "campaigns.yaml").write_text(STRADDLING, encoding="utf-8")
    program.beneficiary("P1")
    program.beneficiary("P2")
    program.message(1, "P1", "delivered", final_at="2019-12-23 09:00")
    program.message(2, "P1", "delivered", final_at="2019-12-30 09:00")
    program.message(2, "P2", "delivered", final_at="2020-01-02 09:00")


def test_a_week_straddling_two_bimonths_counts_where_it_ends(program):
    _straddling_campaign(program)
    december = program.indicator("sms_weekly_reach", period="201906B")
    january = program.indicator("sms_weekly_reach", period="202001B")
    assert (december.numerator, december.denominator) == (1, 2)  # week 1 only
    assert (january.numerator, january.denominator) == (2, 2)  # week 2, sent in December
    week2 = program.indicator("sms_weekly_reach", "202001B", compute=False, campaign="2019-2020", week=2)
    assert week2.value == 1.0


def test_weeks_broadcast_to_date_takes_a_week_in_once_it_has_ended(program):
    _straddling_campaign(program)
    assert program.indicator("sms_weeks_broadcast", period="201906B").value == 1  # week 1 ended 30 Dec
    assert program.indicator("sms_weeks_broadcast", period="202001B").value == 2  # week 2 too, on 6 Jan


def test_a_partial_repayment_counts_its_part_in_the_repayment_rate(program):
    program.loan("L1", principal=1_000_000, maturity="2019-06-15").repaid(300_000, on="2019-06-15")
    program.loan("L2", principal=1_000_000, maturity="2019-06-15").repaid(1_000_000, on="2019-06-14")
    rate = program.indicator("repayment_rate", period="201903B")
    assert (rate.numerator, rate.denominator, rate.value) == (1_300_000, 2_000_000, 0.65)


def test_a_repayment_above_the_principal_is_capped_in_the_repayment_rate(program):
    program.loan("L1", principal=1_000_000, maturity="2019-06-15").repaid(1_200_000, on="2019-06-15")
    program.loan("L2", principal=1_000_000, maturity="2019-06-15")
    rate = program.indicator("repayment_rate", period="201903B")
    assert (rate.numerator, rate.denominator) == (1_000_000, 2_000_000)


def test_a_partially_repaid_loan_31_days_late_puts_its_whole_outstanding_at_risk(program):
    program.loan("L1", principal=1_000_000, maturity="2019-05-30").repaid(900_000, on="2019-05-29")
    program.loan("L2", principal=1_000_000, maturity="2019-05-31").repaid(900_000, on="2019-05-29")
    par = program.indicator("par30", period="201903B")
    assert (par.numerator, par.denominator) == (100_000, 200_000)  # L1 31 days late, L2 exactly 30


def test_a_beneficiary_without_a_valid_phone_is_not_an_active_subscriber(program):
    program.beneficiary("P1")
    program.beneficiary("P2", phone_valid=False)
    program.message(1, "P1", "delivered", final_at="2019-11-04 09:00")
    week = program.indicator("sms_weekly_reach", "201906B", campaign="2019-2020", week=1)
    assert (week.numerator, week.denominator) == (1, 1)


def test_a_producer_trained_twice_counts_once_in_each_disaggregation(program):
    program.beneficiary("P1", cercle="Bla", gender="M")
    program.session("S1", held_on="2019-03-10")
    program.session("S2", held_on="2019-04-10", module="sesame_quality")
    program.attended("S1", "P1")
    program.attended("S2", "P1")
    program.compute("201902B")
    assert program.indicator("trained_producers", "201902B", compute=False, cercle="Bla").value == 1
    assert program.indicator("trained_producers", "201902B", compute=False, gender="M").value == 1


@pytest.mark.parametrize(
    "indicator", ["sms_delivery_rate", "sms_weekly_reach", "par30", "repayment_rate", "contact_coverage"]
)
def test_every_ratio_of_an_empty_period_is_null_and_says_why(program, indicator):
    value = program.indicator(indicator, period="201801B")
    assert value.value is None and value.denominator == 0 and value.note


@pytest.mark.parametrize(
    "indicator", ["sms_sent", "loans_disbursed_xof", "gross_loan_portfolio_xof", "sms_weeks_broadcast"]
)
def test_every_count_of_an_empty_period_is_zero_without_a_note(program, indicator):
    value = program.indicator(indicator, period="201801B")
    assert (value.value, value.note) == (0, None)
