"""What a credit officer follows on a given day: portfolio by age of arrears, late loans, PAR by MFI."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import aliased

from tasks.loans.positions import at_risk, positions
from warehouse.schema import beneficiaries

# Days-past-due buckets (upper bounds inclusive), as the MFIs' own aging reports cut them.
BUCKETS: tuple[tuple[str, int | None], ...] = (
    ("current", 0),
    ("1-30", 30),
    ("31-60", 60),
    ("61-90", 90),
    ("91-180", 180),
    (">180", None),
)


def days_past_due(oldest_unpaid_due_on: date | None, as_of: date) -> int:
    """Days since the oldest instalment not covered by the repayments; 0 when nothing is overdue."""
    return 0 if oldest_unpaid_due_on is None else max((as_of - oldest_unpaid_due_on).days, 0)


def bucket_of(days: int) -> str:
    """The aging bucket of a loan `days` past due."""
    return next(name for name, upper in BUCKETS if upper is None or days <= upper)


def aging(engine: Engine, as_of: date) -> list[dict[str, Any]]:
    """Loans outstanding and not written off on `as_of`, counted and summed per days-past-due bucket."""
    p = positions(as_of).c
    query = select(p.oldest_unpaid_due_on, p.portfolio).where(p.portfolio > 0)
    rows = {name: {"bucket": name, "loans": 0, "outstanding_xof": 0.0} for name, _ in BUCKETS}
    with engine.connect() as conn:
        for oldest, outstanding in conn.execute(query):
            row = rows[bucket_of(days_past_due(oldest, as_of))]
            row["loans"] += 1
            row["outstanding_xof"] += float(outstanding)
    return list(rows.values())


@dataclass(frozen=True)
class LateLoan:
    """One loan in arrears, with who to call about it."""

    loan_id: str
    borrower_id: str
    borrower_name: str | None
    farmer_organisation: str | None
    phone: str | None
    mfi_id: str
    crop: str
    days_past_due: int
    overdue_principal_xof: float
    outstanding_xof: float
    restructured_on: date | None


def arrears(engine: Engine, as_of: date) -> list[LateLoan]:
    """Every loan in the portfolio with days past due > 0 on `as_of`, the latest first."""
    position = positions(as_of)
    p = position.c
    borrower, org = aliased(beneficiaries, name="borrower"), aliased(beneficiaries, name="org")
    query = (
        select(
            p.loan_id,
            p.borrower_id,
            borrower.c.name,
            borrower.c.category,
            org.c.name.label("org_name"),
            borrower.c.phone,
            p.mfi,
            p.crop,
            p.oldest_unpaid_due_on,
            p.overdue,
            p.portfolio,
            p.restructured_on,
        )
        .select_from(
            position.outerjoin(borrower, borrower.c.beneficiary_id == p.borrower_id).outerjoin(
                org, org.c.beneficiary_id == borrower.c.org_id
            )
        )
        .where(p.portfolio > 0, p.oldest_unpaid_due_on.is_not(None), p.oldest_unpaid_due_on < as_of)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    late = [
        LateLoan(
            loan_id=r.loan_id,
            borrower_id=r.borrower_id,
            borrower_name=r.name,
            # a producer organisation borrows for itself; an MSE's organisation is the one it belongs to
            farmer_organisation=r.name if r.category == "producer_org" else r.org_name,
            phone=r.phone,
            mfi_id=r.mfi,
            crop=r.crop,
            days_past_due=days_past_due(r.oldest_unpaid_due_on, as_of),
            overdue_principal_xof=float(r.overdue),
            outstanding_xof=float(r.portfolio),
            restructured_on=r.restructured_on,
        )
        for r in rows
    ]
    return sorted(late, key=lambda loan: (-loan.days_past_due, loan.mfi_id, loan.loan_id))


def par_by_mfi(engine: Engine, as_of: date) -> list[dict[str, Any]]:
    """Per MFI on `as_of`: gross loan portfolio, outstanding at risk > 30 and > 90 days, PAR30, PAR90."""
    position = positions(as_of)
    p = position.c
    query = (
        select(
            p.mfi,
            func.sum(p.portfolio).label("portfolio"),
            func.sum(at_risk(position, as_of, 30)).label("risk30"),
            func.sum(at_risk(position, as_of, 90)).label("risk90"),
        )
        .where(p.written_off == 0)
        .group_by(p.mfi)
        .order_by(p.mfi)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    out = []
    for mfi, portfolio, risk30, risk90 in rows:
        portfolio = float(portfolio or 0)
        out.append(
            {
                "mfi_id": mfi,
                "gross_loan_portfolio_xof": portfolio,
                "at_risk_30_xof": float(risk30 or 0),
                "at_risk_90_xof": float(risk90 or 0),
                "par30": float(risk30 or 0) / portfolio if portfolio else None,
                "par90": float(risk90 or 0) / portfolio if portfolio else None,
            }
        )
    return out


def loan_follow_up(engine: Engine, as_of: date) -> dict[str, Any]:
    """Aging and PAR by MFI on `as_of`, JSON-ready: what a report shows, and a note's snapshot keeps."""
    return {"as_of": as_of.isoformat(), "aging": aging(engine, as_of), "par": par_by_mfi(engine, as_of)}
