from datetime import datetime

import pytest

from tasks.sms.calendar import all_campaign_weeks, campaign_weeks, week_for


def test_a_campaign_has_twenty_one_weekly_broadcasts_at_eight_in_bamako():
    weeks = campaign_weeks("2018-2019")
    assert [w.week for w in weeks] == list(range(1, 22))
    assert weeks[0].send_at == datetime(2018, 11, 5, 8, 0)
    assert weeks[-1].send_at == datetime(2019, 3, 25, 8, 0)  # 5 Nov + 140 days


def test_week_for_returns_the_send_time_of_that_week():
    assert week_for("2019-2020", 2).send_at == datetime(2019, 11, 11, 8, 0)


def test_all_campaign_weeks_lists_both_campaigns_in_send_order():
    weeks = all_campaign_weeks()
    assert len(weeks) == 42
    assert [w.send_at for w in weeks] == sorted(w.send_at for w in weeks)


def test_an_unknown_campaign_is_refused_with_the_known_ones():
    with pytest.raises(ValueError, match="2018-2019, 2019-2020"):
        week_for("2020-2021", 1)


def test_a_week_outside_the_campaign_is_refused():
    with pytest.raises(ValueError, match="1..21, not 22"):
        week_for("2018-2019", 22)
