"""Flow: the weekly schedule's broadcast, which sends the current campaign week or says there is none."""

from __future__ import annotations

from datetime import date, timedelta

from prefect import flow
from prefect.states import Cancelled, State

from flows.weekly_broadcast import weekly_broadcast
from tasks.alerts.webhook import notify_failure
from tasks.sms.calendar import CampaignWeek, all_campaign_weeks
from tasks.sms.resumption import gave_up
from tasks.sms.steps import BroadcastSummary


def campaign_week_of(day: date) -> CampaignWeek | None:
    """The campaign week whose seven days hold this day, so a late or early run still finds its week."""
    for w in all_campaign_weeks():
        if w.send_at.date() <= day < w.send_at.date() + timedelta(days=7):
            return w
    return None


@flow(name="broadcast-this-week", log_prints=True, on_failure=[notify_failure], on_crashed=[notify_failure])
def broadcast_this_week(
    today: date | None = None, gateway: str | None = None, resumption: int = 0
) -> BroadcastSummary | State | None:
    """Run every Monday all year: in a campaign week send that week, outside one do nothing and say so.

    resumption: set by the server when it runs a crashed or failed Monday run again, with that run's day.
    """
    day = today or date.today()
    week = campaign_week_of(day)
    if week is None:
        print(f"{day} is in no campaign week of config/campaigns.yaml: nothing to send")
        return None
    print(f"{day} is week {week.week} of campaign {week.campaign}")
    why = gave_up(week.campaign, week.week, resumption)
    if why:
        return Cancelled(message=why)
    return weekly_broadcast(week.campaign, week.week, gateway, resumption)
