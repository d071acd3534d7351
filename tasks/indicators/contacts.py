"""Contact registry indicator (R2/A3): how many beneficiaries can be reached by phone."""

from __future__ import annotations

from sqlalchemy import case, func, or_, select, true

from tasks.indicators.measure import Context, Measure
from warehouse.schema import beneficiaries


def _contact_coverage(context: Context) -> Measure:
    """Valid mobile numbers among beneficiaries registered by the period's end, in targeted categories."""
    b = beneficiaries
    categories = (
        context.catalogue["contact_coverage"].target_keys("category")
        if ("contact_coverage" in context.catalogue)
        else []
    )
    conditions = [or_(b.c.registered_on.is_(None), b.c.registered_on <= context.period.end)]
    if categories:
        conditions.append(b.c.category.in_(categories))
    base = (
        select(b.c.beneficiary_id, b.c.category, b.c.phone_valid, b.c.batch_id)
        .where(*conditions)
        .subquery("contact_rows")
    )
    return Measure(
        "contact_coverage",
        rows=base,
        numerator=lambda r: func.sum(case((r.c.phone_valid == true(), 1), else_=0)),
        denominator=lambda r: func.count(r.c.beneficiary_id),
        lineage=base,
        expected={("category",): [(c,) for c in categories]},
        empty_note="no beneficiary of this category registered by the period's end",
    )


def measures(context: Context) -> list[Measure]:
    """The contacts family's indicators for the context's period."""
    return [_contact_coverage(context)]
