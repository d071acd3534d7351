"""SMS indicators (R2/A3): messages accepted and delivered, weekly reach, weeks broadcast, price queries."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from sqlalchemy import (
    Date,
    DateTime,
    Integer,
    String,
    and_,
    case,
    exists,
    false,
    func,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.sql import Select

from malux.settings.config_files import read_program
from tasks.indicators.measure import Context, Measure
from tasks.indicators.periods import Window
from tasks.sms.calendar import CampaignWeek, all_campaign_weeks
from tasks.sms.inbox import REPLY_CAMPAIGN
from warehouse.schema import beneficiaries, sms_delivery_reports, sms_inbox, sms_optout, sms_outbox
from warehouse.sms_status import ACCEPTED_BY_GATEWAY, OutboxStatus


def weeks_ending_in(weeks: list[CampaignWeek], period: Window) -> list[CampaignWeek]:
    """The campaign weeks that end inside the period: a week ends 7 days after its send (indicators.yaml)."""
    return [w for w in weeks if period.starts_at < w.next_send_at <= period.ends_before]


def weeks_ended_by(weeks: list[CampaignWeek], period: Window) -> list[CampaignWeek]:
    """Every campaign week that has ended on or before the period end, from its campaign's start (to date)."""
    return [w for w in weeks if w.next_send_at <= period.ends_before]


def campaigns_started_by(weeks: list[CampaignWeek], period: Window) -> list[str]:
    """The campaigns whose first week went out by the period end: each has a to-date row, even at 0."""
    return sorted({w.campaign for w in weeks if w.send_at < period.ends_before})


def _sms_audience(config_dir: Path) -> list[str]:
    return list(read_program(config_dir / "program.yaml").sms_audience)


def _weeks_table(weeks: list[CampaignWeek]):
    """The period's campaign weeks as an inline SQL table of bound parameters (portable, no VALUES list)."""

    def one(w: CampaignWeek | None) -> Select:
        return select(
            literal(w.campaign if w else "", String()).label("campaign"),
            literal(w.week if w else 0, Integer()).label("week"),
            literal(w.send_at if w else datetime(1970, 1, 1), DateTime()).label("send_at"),
            literal(w.send_at.date() if w else date(1970, 1, 1), Date()).label("send_date"),
            literal(w.next_send_at if w else datetime(1970, 1, 1), DateTime()).label("next_send_at"),
        )

    if not weeks:
        return one(None).where(false()).subquery("weeks")
    parts = [one(w) for w in weeks]
    return (parts[0].union_all(*parts[1:]) if len(parts) > 1 else parts[0]).subquery("weeks")


def _accepted_in_period(context: Context) -> list[Measure]:
    """sms_sent, sms_delivered and sms_delivery_rate: broadcast messages whose week's send time falls in the
    period (replies to incoming messages are counted by sms_query_reply_rate, not here)."""
    o, r = sms_outbox, sms_delivery_reports
    in_period = and_(
        o.c.campaign != REPLY_CAMPAIGN,
        o.c.status.in_(ACCEPTED_BY_GATEWAY),
        o.c.scheduled_at >= context.period.starts_at,
        o.c.scheduled_at < context.period.ends_before,
    )
    rows = select(o.c.message_id, o.c.operator, o.c.status).where(in_period).subquery("sms_rows")
    lineage = (
        select(o.c.operator, r.c.batch_id)
        .select_from(o.join(r, r.c.message_id == o.c.message_id))
        .where(in_period)
        .subquery("sms_lineage")
    )

    def delivered(rows_):
        return func.sum(case((rows_.c.status == OutboxStatus.DELIVERED, 1), else_=0))

    def sent(rows_):
        return func.count(rows_.c.message_id)

    return [
        Measure("sms_sent", rows=rows, numerator=sent, lineage=lineage),
        # the delivered count reads every accepted message's status: same batches as sms_sent, queried once
        Measure("sms_delivered", rows=rows, numerator=delivered, lineage=lineage),
        Measure(
            "sms_delivery_rate",
            rows=rows,
            numerator=delivered,
            denominator=sent,
            lineage=lineage,
            empty_note="no SMS accepted by the gateway in the period",
        ),
    ]


def _week_reports(weeks: list[CampaignWeek]):
    """Batches of the delivery reports of the weeks' accepted messages: what reach and broadcast read."""
    w, o, r, b = _weeks_table(weeks), sms_outbox, sms_delivery_reports, beneficiaries
    of_week = and_(o.c.campaign == w.c.campaign, o.c.week == w.c.week, o.c.status.in_(ACCEPTED_BY_GATEWAY))
    return (
        select(w.c.campaign, w.c.week, b.c.cercle, o.c.operator, r.c.batch_id)
        .select_from(
            w.join(o, of_week)
            .join(r, r.c.message_id == o.c.message_id)
            .outerjoin(b, b.c.beneficiary_id == o.c.beneficiary_id)
        )
        .subquery("week_reports")
    )


def _weekly_reach(context: Context, weeks: list[CampaignWeek], week_reports) -> Measure:
    """Recipients reached in time ÷ active subscribers, per campaign week ending inside the period."""
    w, b, o, opt = _weeks_table(weeks), beneficiaries, sms_outbox, sms_optout
    # cercle and operator are the subscriber's, as registered: a campaign report asks where reach is weakest
    active = (
        select(
            w.c.campaign,
            w.c.week,
            b.c.cercle,
            b.c.operator,
            b.c.batch_id,
            literal(1).label("active"),
            literal(0).label("reached"),
        )
        .select_from(w.join(b, true()))
        .where(
            b.c.category.in_(_sms_audience(context.config_dir)),
            b.c.sms_consent == true(),
            b.c.phone_valid == true(),
            or_(b.c.registered_on.is_(None), b.c.registered_on <= w.c.send_date),
            ~exists().where(opt.c.beneficiary_id == b.c.beneficiary_id, opt.c.opted_out_at < w.c.send_at),
        )
    )
    reached_join = w.join(o, and_(o.c.campaign == w.c.campaign, o.c.week == w.c.week)).outerjoin(
        b, b.c.beneficiary_id == o.c.beneficiary_id
    )
    reached_when = and_(o.c.status == OutboxStatus.DELIVERED, o.c.final_at < w.c.next_send_at)
    # (campaign, week, beneficiary) is unique in the outbox, so each row is one distinct recipient; its
    # cercle and operator are the beneficiary's as registered, as in the denominator's rows.
    reached = (
        select(
            w.c.campaign,
            w.c.week,
            b.c.cercle,
            b.c.operator,
            literal(None, Integer()).label("batch_id"),
            literal(0),
            literal(1),
        )
        .select_from(reached_join)
        .where(reached_when)
    )
    rows = active.union_all(reached).subquery("reach_rows")
    active_batches = select(
        rows.c.campaign, rows.c.week, rows.c.cercle, rows.c.operator, rows.c.batch_id
    ).subquery("reach_active_batches")
    return Measure(
        "sms_weekly_reach",
        rows=rows,
        numerator=lambda r_: func.sum(r_.c.reached),
        denominator=lambda r_: func.sum(r_.c.active),
        lineage=(active_batches, week_reports),
        expected={("campaign", "week"): [(x.campaign, x.week) for x in weeks]},
        empty_note="no active subscriber in a campaign week ending inside the period",
    )


def _weeks_broadcast(weeks: list[CampaignWeek], started: list[str], week_reports) -> Measure:
    """Weeks ended by the period end with a message accepted by the gateway: to date, per campaign."""
    w, o = _weeks_table(weeks), sms_outbox
    of_week = and_(o.c.campaign == w.c.campaign, o.c.week == w.c.week, o.c.status.in_(ACCEPTED_BY_GATEWAY))
    rows = select(
        w.c.campaign, w.c.week, case((exists().where(of_week), 1), else_=0).label("broadcast")
    ).subquery("broadcast_rows")
    return Measure(
        "sms_weeks_broadcast",
        rows=rows,
        numerator=lambda r_: func.coalesce(func.sum(r_.c.broadcast), 0),
        lineage=week_reports,
        expected={("campaign",): [(c,) for c in started]},
    )


def _queries(context: Context) -> list[Measure]:
    """sms_queries and sms_query_reply_rate: incoming SMS received in the period, and the share answered."""
    i, o = sms_inbox, sms_outbox
    replied = case((o.c.status.in_(ACCEPTED_BY_GATEWAY), 1), else_=0)
    rows = (
        select(
            i.c.inbox_id,
            i.c.keyword,
            case((i.c.beneficiary_id.is_(None), "unknown"), else_="registered").label("sender_type"),
            replied.label("replied"),
        )
        .select_from(i.outerjoin(o, and_(o.c.campaign == REPLY_CAMPAIGN, o.c.week == i.c.inbox_id)))
        .where(i.c.received_at >= context.period.starts_at, i.c.received_at < context.period.ends_before)
        .subquery("query_rows")
    )

    def queries(rows_):
        return func.count(rows_.c.inbox_id)

    return [
        Measure("sms_queries", rows=rows, numerator=queries),
        Measure(
            "sms_query_reply_rate",
            rows=rows,
            numerator=lambda r_: func.coalesce(func.sum(r_.c.replied), 0),
            denominator=queries,
            empty_note="no SMS received in the period",
        ),
    ]


def measures(context: Context) -> list[Measure]:
    """The SMS family's indicators for the context's period."""
    calendar = all_campaign_weeks(context.config_dir)
    weeks = weeks_ending_in(calendar, context.period)
    to_date = weeks_ended_by(calendar, context.period)  # weeks broadcast counts from each campaign's start
    started = campaigns_started_by(calendar, context.period)
    return [
        *_accepted_in_period(context),
        _weekly_reach(context, weeks, _week_reports(weeks)),
        _weeks_broadcast(to_date, started, _week_reports(to_date)),
        *_queries(context),
    ]
