"""Financing indicators (A8): disbursements, portfolio, PAR30, repayment rate, borrowers."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, case, distinct, func, select

from tasks.indicators.measure import Context, Measure, lineage_from
from warehouse.schema import loans, repayments

DIMS = ["mfi", "crop"]
PAR_DAYS = 30


def _positions(context: Context):
    """Each loan disbursed by the period's end, with what was repaid by then and its risk flags."""
    end = context.period.end
    # A loan is at risk when more than 30 days late at the period's end: maturity < end − 30 days.
    par_cutoff = end - timedelta(days=PAR_DAYS)
    repaid = (
        select(func.coalesce(func.sum(repayments.c.principal_xof), 0))
        .where(repayments.c.loan_id == loans.c.loan_id, repayments.c.paid_on <= end)
        .scalar_subquery()
    )
    position = (
        select(
            loans.c.loan_id,
            loans.c.borrower_id,
            loans.c.mfi_id.label("mfi"),
            loans.c.crop,
            loans.c.principal_xof.label("principal"),
            loans.c.maturity_on,
            repaid.label("repaid"),
        )
        .where(loans.c.disbursed_on <= end)
        .subquery("position")
    )
    p = position.c
    outstanding = case((p.principal - p.repaid > 0, p.principal - p.repaid), else_=0)
    return select(
        p.loan_id,
        p.borrower_id,
        p.mfi,
        p.crop,
        p.principal,
        outstanding.label("outstanding"),
        case((and_(p.maturity_on < par_cutoff, p.principal - p.repaid > 0), outstanding), else_=0).label(
            "at_risk"
        ),
        case((p.maturity_on <= end, p.principal), else_=0).label("due"),
        case((p.maturity_on > end, 0), (p.repaid > p.principal, p.principal), else_=p.repaid).label(
            "repaid_due"
        ),
    ).subquery("loan_rows")


def _lineage(context: Context, due_only: bool = False):
    """Batches of the loans disbursed by the period's end and of their repayments made by then."""
    end = context.period.end
    conditions = [loans.c.disbursed_on <= end]
    if due_only:
        conditions.append(loans.c.maturity_on <= end)
    base = (
        select(
            loans.c.mfi_id.label("mfi"),
            loans.c.crop,
            loans.c.batch_id.label("loan_batch"),
            repayments.c.batch_id.label("repayment_batch"),
        )
        .select_from(
            loans.outerjoin(
                repayments, and_(repayments.c.loan_id == loans.c.loan_id, repayments.c.paid_on <= end)
            )
        )
        .where(*conditions)
        .subquery()
    )
    return lineage_from(base, DIMS, ["loan_batch", "repayment_batch"])


def _disbursed(context: Context) -> list[Measure]:
    """Number and principal of the loans disbursed within the period."""
    period = context.period
    rows = (
        select(
            loans.c.loan_id,
            loans.c.mfi_id.label("mfi"),
            loans.c.crop,
            loans.c.principal_xof,
            loans.c.batch_id,
        )
        .where(loans.c.disbursed_on >= period.start, loans.c.disbursed_on <= period.end)
        .subquery("disbursed_rows")
    )
    return [
        Measure(
            "loans_disbursed_count", rows=rows, numerator=lambda r: func.count(r.c.loan_id), lineage=rows
        ),
        Measure(
            "loans_disbursed_xof", rows=rows, numerator=lambda r: func.sum(r.c.principal_xof), lineage=rows
        ),
    ]


def measures(context: Context) -> list[Measure]:
    """The financing family's indicators for the context's period."""
    rows, lineage = _positions(context), _lineage(context)
    return [
        *_disbursed(context),
        Measure(
            "gross_loan_portfolio_xof",
            rows=rows,
            numerator=lambda r: func.sum(r.c.outstanding),
            lineage=lineage,
        ),
        Measure(
            "par30",
            rows=rows,
            numerator=lambda r: func.sum(r.c.at_risk),
            denominator=lambda r: func.sum(r.c.outstanding),
            lineage=lineage,
            empty_note="no outstanding loan portfolio at the period's end",
        ),
        Measure(
            "repayment_rate",
            rows=rows,
            numerator=lambda r: func.sum(r.c.repaid_due),
            denominator=lambda r: func.sum(r.c.due),
            lineage=_lineage(context, due_only=True),
            empty_note="no loan had reached maturity by the period's end",
        ),
        Measure(
            "borrowers_financed",
            rows=rows,
            numerator=lambda r: func.count(distinct(r.c.borrower_id)),
            lineage=lineage,
        ),
    ]
