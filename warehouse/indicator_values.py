"""Reading stored indicator values back, for the CLI summary, the note and the exports."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, select

from warehouse.schema import indicator_value


@dataclass(frozen=True)
class StoredValue:
    indicator: str
    period: str
    disaggregation: str
    numerator: float | None
    denominator: float | None
    value: float | None
    target: float | None
    note: str | None
    aggregation: str | None = None  # period | to_date | at_end; null on rows of an indicator since dropped


def period_values(engine: Engine, period: str) -> list[StoredValue]:
    """Every stored value of a period, totals and disaggregations, in a stable order."""
    cols = [indicator_value.c[name] for name in StoredValue.__dataclass_fields__]
    query = (
        select(*cols)
        .where(indicator_value.c.period == period)
        .order_by(indicator_value.c.indicator, indicator_value.c.disaggregation)
    )
    with engine.connect() as conn:
        return [StoredValue(**row) for row in conn.execute(query).mappings()]


def headline_values(engine: Engine, period: str, indicators: list[str]) -> list[StoredValue]:
    """The totals (`{}` disaggregation) of the given indicators, in the order asked."""
    totals = {v.indicator: v for v in period_values(engine, period) if v.disaggregation == "{}"}
    return [totals[i] for i in indicators if i in totals]
