"""SMS indicators, on a three-week test campaign sent on 4, 11 and 18 November 2019 at 08:00."""

import pytest


def test_delivery_rate_is_delivered_over_messages_accepted_by_the_gateway(program):
    program.message(1, "P1", "delivered", final_at="2019-11-04 09:00")
    program.message(1, "P2", "delivered", final_at="2019-11-04 09:00", operator="malitel")
    program.message(1, "P3", "delivered", final_at="2019-11-04 09:00")
    program.message(1, "P4", "undelivered", final_at="2019-11-04 09:00")
    program.message(1, "P5", "queued")
    program.message(1, "P6", "failed")
    assert program.indicator("sms_sent", period="201906B").value == 4
    assert program.indicator("sms_delivered", period="201906B", compute=False).value == 3
    rate = program.indicator("sms_delivery_rate", period="201906B", compute=False)
    assert (rate.numerator, rate.denominator, rate.value) == (3, 4, 0.75)
    by_operator = program.indicator("sms_delivery_rate", "201906B", compute=False, operator="orange")
    assert (by_operator.numerator, by_operator.denominator) == (2, 3)


def _subscribers(program):
    for producer in ("P1", "P2", "P3"):
        program.beneficiary(producer)
    program.beneficiary("P4", sms_consent=False)
    program.beneficiary("P5", phone_valid=False)
    program.beneficiary("P6")
    program.opted_out("P6", at="2019-11-10 12:00")  # active in week 1 only
    program.beneficiary("P7", registered_on="2019-11-12")  # active from week 3
    program.beneficiary("T1", category="trainer")  # not in the SMS audience


def test_weekly_reach_counts_deliveries_before_the_next_send_among_active_subscribers(program):
    _subscribers(program)
    program.message(1, "P1", "delivered", final_at="2019-11-04 09:00")
    program.message(1, "P6", "delivered", final_at="2019-11-05 10:00")
    program.message(1, "P3", "undelivered", final_at="2019-11-04 09:00")
    value = program.indicator("sms_weekly_reach", period="201906B", campaign="2019-2020", week=1)
    assert (value.numerator, value.denominator, value.value) == (2, 4, 0.5)


def test_a_message_delivered_after_its_week_does_not_reach_that_week(program):
    _subscribers(program)
    program.message(1, "P1", "delivered", final_at="2019-11-11 07:59")
    program.message(1, "P2", "delivered", final_at="2019-11-11 08:00")
    value = program.indicator("sms_weekly_reach", period="201906B", campaign="2019-2020", week=1)
    assert value.numerator == 1


def test_a_week_with_no_broadcast_has_zero_reach_over_its_subscribers(program):
    _subscribers(program)
    program.message(1, "P1", "delivered", final_at="2019-11-04 09:00")
    value = program.indicator("sms_weekly_reach", period="201906B", campaign="2019-2020", week=2)
    assert (value.numerator, value.denominator, value.value) == (0, 3, 0.0)  # P6 opted out, P7 not yet


def test_the_period_reach_sums_numerators_and_denominators_over_its_weeks(program):
    _subscribers(program)
    program.message(1, "P1", "delivered", final_at="2019-11-04 09:00")
    program.message(1, "P6", "delivered", final_at="2019-11-04 09:00")
    for producer in ("P1", "P2", "P7"):
        program.message(3, producer, "delivered", final_at="2019-11-18 09:00")
    value = program.indicator("sms_weekly_reach", period="201906B")
    assert (value.numerator, value.denominator) == (5, 11)  # weeks: 2/4, 0/3, 3/4
    assert value.value == pytest.approx(5 / 11)


def test_weeks_broadcast_counts_weeks_with_an_accepted_message(program):
    program.message(1, "P1", "delivered", final_at="2019-11-04 09:00")
    program.message(2, "P1", "failed")
    program.message(3, "P1", "wired")
    value = program.indicator("sms_weeks_broadcast", period="201906B", campaign="2019-2020")
    assert (value.value, value.target) == (2, 21)
