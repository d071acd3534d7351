"""What the evaluation's lessons are drawn from: weakest reach, opt-outs, rows held back, loan arrears."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, case, func, select

from tasks.indicators.periods import Window
from tasks.report.campaign_figures import CampaignFigures
from warehouse.schema import beneficiaries, ingest_batch, sms_optout

REACH_FLOOR = 0.8  # a campaign week under 80 % reach is one the program looks into (issue #11)
WEAKEST = 3


def weakest_reach(figures: CampaignFigures, dim: str) -> list[dict[str, Any]]:
    """The cercles (or operators) with the lowest reach over the campaign, lowest first."""
    valued = [v for v in figures.by("sms_weekly_reach", dim) if v["value"] is not None]
    return sorted(valued, key=lambda v: (v["value"], str(v["disaggregation"][dim])))[:WEAKEST]


def weeks_under_floor(figures: CampaignFigures) -> list[dict[str, Any]]:
    """The campaign's weeks under the reach floor, in week order (a week with no subscriber is not)."""
    weeks = [
        v
        for v in figures.values
        if v["indicator"] == "sms_weekly_reach"
        and set(v["disaggregation"]) == {"campaign", "week"}
        and v["value"] is not None
        and v["value"] < REACH_FLOOR
    ]
    return sorted(weeks, key=lambda v: int(v["disaggregation"]["week"]))


def optouts(engine: Engine, window: Window) -> list[dict[str, Any]]:
    """Subscribers who opted out during the window, per cercle (most first; an unknown cercle is None)."""
    o, b = sms_optout.c, beneficiaries.c
    query = (
        select(b.cercle, func.count().label("optouts"))
        .select_from(sms_optout.outerjoin(beneficiaries, b.beneficiary_id == o.beneficiary_id))
        .where(o.opted_out_at >= window.starts_at, o.opted_out_at < window.ends_before)
        .group_by(b.cercle)
    )
    with engine.connect() as conn:
        rows = [{"cercle": r.cercle, "optouts": int(r.optouts)} for r in conn.execute(query)]
    return sorted(rows, key=lambda r: (-r["optouts"], str(r["cercle"])))


def quarantine_by_partner(engine: Engine) -> list[dict[str, Any]]:
    """Per partner, over every file received: rows in, rows held back and their share, files rejected."""
    b = ingest_batch.c
    query = (
        select(
            b.partner,
            func.count().label("files"),
            func.sum(case((b.status == "rejected", 1), else_=0)).label("rejected"),
            func.coalesce(func.sum(b.rows_in), 0).label("rows_in"),
            func.coalesce(func.sum(b.rows_quarantined), 0).label("rows_quarantined"),
        )
        .group_by(b.partner)
        .order_by(b.partner)
    )
    with engine.connect() as conn:
        rows = [
            {k: int(v) if k != "partner" else v for k, v in r.items()} for r in conn.execute(query).mappings()
        ]
    for row in rows:
        row["share"] = row["rows_quarantined"] / row["rows_in"] if row["rows_in"] else None
    return sorted(rows, key=lambda r: (-(r["share"] or 0), r["partner"]))


def loan_arrears(figures: CampaignFigures) -> list[dict[str, Any]]:
    """Outstanding principal past due at the window's end, by MFI, largest first.

    The one place the report reads loans, from what tasks/indicators/loans.py computes at the window's end:
    the repayment rate's denominator less its numerator is the principal due by then and not repaid (each
    loan's outstanding once matured); PAR30's numerator is the part more than 30 days late, its denominator
    the gross portfolio.
    """
    rows = []
    for rate in figures.by("repayment_rate", "mfi"):
        mfi = rate["disaggregation"]["mfi"]
        par30 = figures.find("par30", mfi=mfi) or {}
        portfolio = par30.get("denominator") or 0
        rows.append(
            {
                "mfi": mfi,
                "past_due": (rate["denominator"] or 0) - (rate["numerator"] or 0),
                "late_30": par30.get("numerator") or 0,
                "portfolio": portfolio,
            }
        )
    return sorted(rows, key=lambda r: (-r["past_due"], str(r["mfi"])))
