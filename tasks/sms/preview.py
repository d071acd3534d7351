"""What a campaign week would send and cost, per language and cercle, before anything is queued.

The week's bill also counts the replies to incoming SMS the gateway accepted in its 7 days (they are priced
per segment like the broadcast), shown apart so an editor sees both.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, func, select

from tasks.sms.calendar import week_for
from tasks.sms.compose import compose_week
from tasks.sms.encoding import analyse
from tasks.sms.inbox import REPLY_CAMPAIGN
from warehouse.schema import beneficiaries, sms_outbox
from warehouse.sms_status import ACCEPTED_BY_GATEWAY


@dataclass(frozen=True)
class PreviewLine:
    """One text as a group of subscribers (a language, a cercle) would receive it, and what it costs."""

    language: str
    cercle: str
    text: str
    encoding: str
    ucs2_chars: tuple[str, ...]
    segments: int
    recipients: int
    cost_xof: float


@dataclass(frozen=True)
class RepliesCost:
    """Replies to incoming SMS the gateway accepted in the week's 7 days [starts_at, ends_before)."""

    starts_at: datetime
    ends_before: datetime
    replies: int
    segments: int
    cost_xof: float


@dataclass(frozen=True)
class WeekPreview:
    """A campaign week's texts and its totals, so an editor sees the bill before the broadcast.

    cost_xof is the broadcast's; total_cost_xof adds the replies sent that week."""

    campaign: str
    week: int
    lines: list[PreviewLine]
    recipients: int
    segments: int
    cost_xof: float
    replies: RepliesCost
    total_cost_xof: float


def replies_cost(
    engine: Engine, starts_at: datetime, ends_before: datetime, cost_per_segment_xof: float
) -> RepliesCost:
    """The replies answered in the window (by the request's time, as sms_query_reply_rate counts them)."""
    accepted = select(func.count(), func.coalesce(func.sum(sms_outbox.c.segments), 0)).where(
        sms_outbox.c.campaign == REPLY_CAMPAIGN,
        sms_outbox.c.status.in_(ACCEPTED_BY_GATEWAY),
        sms_outbox.c.scheduled_at >= starts_at,
        sms_outbox.c.scheduled_at < ends_before,
    )
    with engine.connect() as conn:
        replies, segments = conn.execute(accepted).one()
    return RepliesCost(starts_at, ends_before, replies, segments, segments * cost_per_segment_xof)


def preview_week(
    engine: Engine, campaign: str, week: int, cost_per_segment_xof: float, config_dir: Path | None = None
) -> WeekPreview:
    """Compose the week exactly as the broadcast would (same audience, same checks) and group it."""
    messages = compose_week(engine, campaign, week, config_dir)  # a text over budget raises here, as it would
    with engine.connect() as conn:
        ids = [m.beneficiary_id for m in messages]
        cercles = dict(
            conn.execute(
                select(beneficiaries.c.beneficiary_id, beneficiaries.c.cercle).where(
                    beneficiaries.c.beneficiary_id.in_(ids)
                )
            ).all()
        ) if ids else {}  # fmt: skip
    groups = Counter((m.language, cercles.get(m.beneficiary_id) or "", m.body) for m in messages)
    lines = []
    for (language, cercle, text), recipients in sorted(groups.items()):
        cost = analyse(text)
        lines.append(
            PreviewLine(
                language, cercle, text, cost.encoding, cost.ucs2_chars, cost.segments, recipients,
                cost.segments * recipients * cost_per_segment_xof,
            )
        )  # fmt: skip
    segments = sum(line.segments * line.recipients for line in lines)
    when = week_for(campaign, week, config_dir)
    replies = replies_cost(engine, when.send_at, when.next_send_at, cost_per_segment_xof)
    cost = segments * cost_per_segment_xof
    return WeekPreview(
        campaign, week, lines, sum(line.recipients for line in lines), segments, cost, replies,
        cost + replies.cost_xof,
    )  # fmt: skip
