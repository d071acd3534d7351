"""A broadcast the server runs again after a crash or a failure (deployments/automations/resume-*.yaml).

Each resumption carries its number; one that finds the week settled ends at once, one that ends with rows
still held fails so that the server comes back once more, and after MAX_RESUMPTIONS the server stops
trying: a cause that outlives an hour of attempts needs a person, whom every failed attempt has alerted.
"""

from __future__ import annotations

from sqlalchemy import Engine, func, select

from warehouse.schema import sms_outbox
from warehouse.sms_status import OutboxStatus

MAX_RESUMPTIONS = 6
OPEN = (OutboxStatus.QUEUED, OutboxStatus.CLAIMED, OutboxStatus.SENDING)


class WeekNotSettled(RuntimeError):
    """A resumed broadcast ended with rows another run still holds; the server resumes the week again."""


def settled_rows(engine: Engine, campaign: str, week: int) -> int | None:
    """The week's outbox rows when every one is past the gateway hand-over; None while any is still open.

    A week with no row at all is not settled: its first run may have died before queueing.
    """
    week_rows = select(sms_outbox.c.status, func.count()).where(
        sms_outbox.c.campaign == campaign, sms_outbox.c.week == week
    )
    with engine.connect() as conn:
        counts = {status: n for status, n in conn.execute(week_rows.group_by(sms_outbox.c.status))}
    if not counts or any(counts.get(status) for status in OPEN):
        return None
    return sum(counts.values())


def gave_up(campaign: str, week: int, resumption: int) -> str | None:
    """Why this resumption does not run, or None when it may."""
    if resumption <= MAX_RESUMPTIONS:
        return None
    return (
        f"{campaign} week {week}: not resumed a {resumption}th time (at most {MAX_RESUMPTIONS}); "
        "fix what failed the earlier runs, then run "
        f"`malux sms broadcast --campaign {campaign} --week {week}`"
    )
