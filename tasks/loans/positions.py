"""Each loan's position at a reporting date, in SQL: the portfolio rules every loan number is built on.

The SEEP Network / CGAP rules: repayments cover instalments in due-date order; a loan's days past due are the
days since the oldest instalment that its principal repaid so far does not fully cover; its whole
outstanding principal is at risk once that exceeds N days, or once it has been rescheduled; a written-off loan
has left the gross loan portfolio. A loan without a schedule (`loan_schedule`) is one instalment: its
principal at maturity.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Subquery, and_, case, exists, func, literal, or_, select, union_all

from warehouse.schema import DATASET_TABLES, loans, repayments

loan_schedule = DATASET_TABLES["loan_schedule"]

# Amounts are whole francs: an instalment short of less than half a franc is covered (float sums of payments).
TOLERANCE_XOF = 0.5


def _instalments(as_of: date) -> Subquery:
    """Every instalment of the loans disbursed by `as_of`, the implicit one of a loan without a schedule."""
    scheduled = (
        select(
            loan_schedule.c.loan_id,
            loan_schedule.c.seq,
            loan_schedule.c.due_on,
            loan_schedule.c.principal_due_xof.label("due"),
        )
        .join(loans, loans.c.loan_id == loan_schedule.c.loan_id)
        .where(loans.c.disbursed_on <= as_of)
    )
    has_schedule = exists().where(loan_schedule.c.loan_id == loans.c.loan_id).correlate(loans)
    at_maturity = select(
        loans.c.loan_id,
        literal(1).label("seq"),
        loans.c.maturity_on.label("due_on"),
        loans.c.principal_xof.label("due"),
    ).where(loans.c.disbursed_on <= as_of, ~has_schedule)
    return union_all(scheduled, at_maturity).subquery("instalments")


def _repaid(as_of: date) -> Subquery:
    """Principal repaid on or before `as_of`, per loan."""
    return (
        select(repayments.c.loan_id, func.sum(repayments.c.principal_xof).label("repaid"))
        .where(repayments.c.paid_on <= as_of)
        .group_by(repayments.c.loan_id)
        .subquery("repaid")
    )


def _schedule_status(as_of: date, repaid: Subquery) -> Subquery:
    """Per loan: principal due by `as_of` and the due date of the oldest instalment not covered by then."""
    instalments = _instalments(as_of)
    i = instalments.c
    running = select(
        i.loan_id,
        i.due_on,
        i.due,
        func.sum(i.due).over(partition_by=i.loan_id, order_by=(i.due_on, i.seq)).label("due_so_far"),
    ).subquery("running")
    r = running.c
    paid = func.coalesce(repaid.c.repaid, 0)
    uncovered = and_(r.due_so_far > paid + TOLERANCE_XOF, r.due_on <= as_of)
    return (
        select(
            r.loan_id,
            func.sum(case((r.due_on <= as_of, r.due), else_=0)).label("due_by_date"),
            func.min(case((uncovered, r.due_on), else_=None)).label("oldest_unpaid_due_on"),
        )
        .select_from(running.outerjoin(repaid, repaid.c.loan_id == r.loan_id))
        .group_by(r.loan_id)
        .subquery("schedule_status")
    )


def positions(as_of: date) -> Subquery:
    """One row per loan disbursed on or before `as_of`, with its position on that day.

    `outstanding` is principal − principal repaid (floored at 0); `portfolio` the same for a loan not written
    off by `as_of`, else 0; `overdue` the principal due by then and not repaid; `oldest_unpaid_due_on` is null
    when nothing is overdue; `written_off_xof` is what was outstanding the day the loan was written off."""
    repaid = _repaid(as_of)
    status = _schedule_status(as_of, repaid)
    paid = func.coalesce(repaid.c.repaid, 0)
    due_by_date = func.coalesce(status.c.due_by_date, 0)
    paid_before_write_off = (
        select(func.coalesce(func.sum(repayments.c.principal_xof), 0))
        .where(repayments.c.loan_id == loans.c.loan_id, repayments.c.paid_on <= loans.c.written_off_on)
        .scalar_subquery()
    )
    written_off = and_(loans.c.written_off_on.is_not(None), loans.c.written_off_on <= as_of)
    base = (
        select(
            loans.c.loan_id,
            loans.c.borrower_id,
            loans.c.mfi_id.label("mfi"),
            loans.c.crop,
            loans.c.principal_xof.label("principal"),
            loans.c.maturity_on,
            loans.c.written_off_on,
            loans.c.restructured_on,
            paid.label("repaid"),
            due_by_date.label("due_by_date"),
            status.c.oldest_unpaid_due_on,
            case((written_off, 1), else_=0).label("written_off"),
            case((written_off, loans.c.principal_xof - paid_before_write_off), else_=0).label("at_write_off"),
            case(
                (
                    and_(loans.c.restructured_on.is_not(None), loans.c.restructured_on <= as_of),
                    1,
                ),
                else_=0,
            ).label("restructured"),
        )
        .select_from(
            loans.outerjoin(repaid, repaid.c.loan_id == loans.c.loan_id).outerjoin(
                status, status.c.loan_id == loans.c.loan_id
            )
        )
        .where(loans.c.disbursed_on <= as_of)
        .subquery("base")
    )
    b = base.c
    outstanding = case((b.principal - b.repaid > 0, b.principal - b.repaid), else_=0)
    overdue = case((b.due_by_date - b.repaid > 0, b.due_by_date - b.repaid), else_=0)
    return select(
        b.loan_id,
        b.borrower_id,
        b.mfi,
        b.crop,
        b.principal,
        b.maturity_on,
        b.written_off_on,
        b.restructured_on,
        b.repaid,
        b.due_by_date,
        b.oldest_unpaid_due_on,
        b.written_off,
        b.restructured,
        outstanding.label("outstanding"),
        case((b.written_off == 1, 0), else_=outstanding).label("portfolio"),
        case((overdue > outstanding, outstanding), else_=overdue).label("overdue"),
        case((b.at_write_off > 0, b.at_write_off), else_=0).label("written_off_xof"),
    ).subquery("positions")


def at_risk(position: Subquery, as_of: date, days: int):
    """The portfolio outstanding of a loan more than `days` past due, or rescheduled, on `as_of`; else 0."""
    p = position.c
    late = and_(p.oldest_unpaid_due_on.is_not(None), p.oldest_unpaid_due_on < as_of - timedelta(days=days))
    return case((and_(p.portfolio > 0, or_(late, p.restructured == 1)), p.portfolio), else_=0)
