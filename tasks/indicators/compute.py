"""Compute every catalogue indicator for one bi-month and store the values, replacing that period's rows."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, delete, insert

from malux.settings import get_settings
from tasks.indicators import contacts, loans, sms, training
from tasks.indicators.catalogue import load_catalogue
from tasks.indicators.measure import Context, LineageCache, Measure, evaluate
from tasks.indicators.periods import parse_period
from warehouse.schema import indicator_value

FAMILIES = (training, contacts, sms, loans)


def compute_period(engine: Engine, period_id: str, config_dir: Path | None = None) -> int:
    """Recompute the period's indicators in SQL and swap its stored rows atomically; returns rows written."""
    period = parse_period(period_id)
    config_dir = config_dir or get_settings().config_dir
    catalogue = load_catalogue(config_dir / "indicators.yaml")
    context = Context(period, catalogue, config_dir)
    measures: dict[str, Measure] = {m.indicator: m for family in FAMILIES for m in family.measures(context)}
    unknown = sorted(set(catalogue) - set(measures))
    if unknown:
        raise ValueError(f"the catalogue lists indicators no family computes: {unknown}")
    computed_at = datetime.now(UTC)
    cache: LineageCache = {}  # measures sharing a lineage (sms_sent, sms_delivery_rate) query it once
    with engine.begin() as conn:
        rows = [
            row
            for indicator_id, indicator in catalogue.items()
            for row in evaluate(conn, measures[indicator_id], indicator, period.id, computed_at, cache)
        ]
        conn.execute(delete(indicator_value).where(indicator_value.c.period == period.id))
        if rows:
            conn.execute(insert(indicator_value), rows)
    return len(rows)
