"""Financing indicators (A8): disbursements, portfolio, PAR30/PAR90, write-offs, repayment rate, borrowers."""

from __future__ import annotations

from sqlalchemy import and_, case, distinct, exists, func, or_, select

from tasks.indicators.measure import Context, Measure, lineage_from
from tasks.loans.positions import at_risk, loan_schedule, positions
from warehouse.schema import loans, repayments

DIMS = ["mfi", "crop"]


def _positions(context: Context):
    """Each loan disbursed by the period's end: its position then, its risk, its write-off in the period."""
    period = context.period
    position = positions(period.end)
    p = position.c
    written_off_in_period = and_(p.written_off == 1, p.written_off_on >= period.start)
    return select(
        p.loan_id,
        p.borrower_id,
        p.mfi,
        p.crop,
        p.portfolio,
        at_risk(position, period.end, 30).label("at_risk_30"),
        at_risk(position, period.end, 90).label("at_risk_90"),
        case((written_off_in_period, 1), else_=0).label("written_off_in_period"),
        case((written_off_in_period, p.written_off_xof), else_=0).label("written_off_in_period_xof"),
        # repayment rate: principal due by the period's end (instalments) and what of it was repaid
        p.due_by_date.label("due"),
        case((p.repaid > p.due_by_date, p.due_by_date), else_=p.repaid).label("repaid_due"),
    ).subquery("loan_rows")


def _lineage(context: Context, due_only: bool = False):
    """Batches of the loans disbursed by the period's end, their repayments made by then, their schedules."""
    end = context.period.end
    conditions = [loans.c.disbursed_on <= end]
    if due_only:
        due_instalment = (
            exists()
            .where(loan_schedule.c.loan_id == loans.c.loan_id, loan_schedule.c.due_on <= end)
            .correlate(loans)
        )
        conditions.append(or_(loans.c.maturity_on <= end, due_instalment))
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
    schedules = (
        select(loans.c.mfi_id.label("mfi"), loans.c.crop, loan_schedule.c.batch_id.label("schedule_batch"))
        .join(loan_schedule, loan_schedule.c.loan_id == loans.c.loan_id)
        .where(*conditions)
        .subquery()
    )
    return (
        lineage_from(base, DIMS, ["loan_batch", "repayment_batch"]),
        lineage_from(schedules, DIMS, ["schedule_batch"]),
    )


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
            numerator=lambda r: func.sum(r.c.portfolio),
            lineage=lineage,
        ),
        *(
            Measure(
                f"par{days}",
                rows=rows,
                numerator=lambda r, days=days: func.sum(r.c[f"at_risk_{days}"]),
                denominator=lambda r: func.sum(r.c.portfolio),
                lineage=lineage,
                empty_note="no outstanding loan portfolio at the period's end",
            )
            for days in (30, 90)
        ),
        Measure(
            "write_off_ratio",
            rows=rows,
            numerator=lambda r: func.sum(r.c.written_off_in_period_xof),
            denominator=lambda r: func.sum(r.c.portfolio),
            lineage=lineage,
            empty_note="no outstanding loan portfolio at the period's end",
        ),
        Measure(
            "loans_written_off_count",
            rows=rows,
            numerator=lambda r: func.sum(r.c.written_off_in_period),
            lineage=lineage,
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
