"""Training indicators (R1/A2): producers and trainers trained, sessions held."""

from __future__ import annotations

from sqlalchemy import distinct, func, select

from tasks.indicators.measure import Context, Measure, lineage_from
from warehouse.schema import beneficiaries, training_attendance, training_sessions


def _trained(context: Context, indicator: str, category: str, audience: str) -> Measure:
    """Distinct people of a category who attended a session for their audience by the period's end."""
    b, a, s = beneficiaries, training_attendance, training_sessions
    base = (
        select(
            b.c.beneficiary_id,
            b.c.cercle,
            b.c.gender,
            b.c.batch_id.label("beneficiary_batch"),
            a.c.batch_id.label("attendance_batch"),
            s.c.batch_id.label("session_batch"),
        )
        .select_from(
            b.join(a, a.c.beneficiary_id == b.c.beneficiary_id).join(s, s.c.session_id == a.c.session_id)
        )
        .where(b.c.category == category, s.c.audience == audience, s.c.held_on <= context.period.end)
        .subquery(f"{indicator}_rows")
    )
    return Measure(
        indicator,
        rows=base,
        numerator=lambda r: func.count(distinct(r.c.beneficiary_id)),
        lineage=lineage_from(
            base, ["cercle", "gender"], ["beneficiary_batch", "attendance_batch", "session_batch"]
        ),
    )


def _sessions_held(context: Context) -> Measure:
    """Sessions whose date falls within the period, whatever their audience."""
    s = training_sessions
    base = (
        select(s.c.session_id, s.c.module, s.c.batch_id)
        .where(s.c.held_on >= context.period.start, s.c.held_on <= context.period.end)
        .subquery("sessions_held_rows")
    )
    return Measure(
        "training_sessions_held",
        rows=base,
        numerator=lambda r: func.count(r.c.session_id),
        lineage=base,
    )


def measures(context: Context) -> list[Measure]:
    """The training family's indicators for the context's period."""
    return [
        _trained(context, "trained_producers", category="producer", audience="producer"),
        _trained(context, "trained_trainers", category="trainer", audience="trainer"),
        _sessions_held(context),
    ]
