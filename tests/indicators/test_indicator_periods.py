"""DHIS2 bimonthly periods."""

from datetime import date

import pytest

from tasks.indicators.periods import parse_period, period_of, periods_between
from tasks.indicators.steps import last_closed_period


def test_the_first_bimonth_of_2019_is_january_and_february():
    period = parse_period("201901B")
    assert (period.start, period.end) == (date(2019, 1, 1), date(2019, 2, 28))


def test_the_sixth_bimonth_is_november_and_december():
    period = parse_period("201906B")
    assert (period.start, period.end) == (date(2019, 11, 1), date(2019, 12, 31))


def test_a_leap_february_ends_on_the_29th():
    assert parse_period("202001B").end == date(2020, 2, 29)


@pytest.mark.parametrize("bad", ["201907B", "201900B", "2019-03", "201903", "19903B", ""])
def test_a_bad_id_is_refused_with_the_expected_shape(bad):
    with pytest.raises(ValueError, match="yyyyNNB"):
        parse_period(bad)


def test_the_last_day_of_june_is_in_the_third_bimonth():
    assert period_of(date(2019, 6, 30)).id == "201903B"


def test_periods_between_lists_every_bimonth_touched_in_order():
    ids = [p.id for p in periods_between(date(2019, 11, 15), date(2020, 3, 1))]
    assert ids == ["201906B", "202001B", "202002B"]


def test_periods_between_is_empty_when_reversed():
    assert periods_between(date(2020, 1, 1), date(2019, 1, 1)) == []


@pytest.mark.parametrize(
    ("today", "closed"),
    [
        (date(2019, 7, 15), "201903B"),  # mid July-August: May-June is the last closed
        (date(2019, 4, 10), "201901B"),  # the second month of March-April
        (date(2019, 7, 1), "201903B"),  # the first day of a bi-month: the one before has just closed
        (date(2019, 8, 31), "201903B"),  # its last day: still open until midnight
        (date(2019, 6, 30), "201902B"),
        (date(2020, 1, 1), "201906B"),  # across the new year: November-December of the year before
        (date(2020, 2, 29), "201906B"),
        (date(2020, 3, 1), "202001B"),
    ],
)
def test_the_last_closed_period_is_the_bimonth_before_today_s(today, closed):
    assert last_closed_period(today) == closed
