"""What a campaign week would send and cost, per language and cercle, before anything is queued."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, select

from tasks.sms.compose import compose_week
from tasks.sms.encoding import analyse
from warehouse.schema import beneficiaries


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
class WeekPreview:
    """A campaign week's texts and its totals, so an editor sees the bill before the broadcast."""

    campaign: str
    week: int
    lines: list[PreviewLine]
    recipients: int
    segments: int
    cost_xof: float


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
    return WeekPreview(
        campaign,
        week,
        lines,
        sum(line.recipients for line in lines),
        segments,
        segments * cost_per_segment_xof,
    )
