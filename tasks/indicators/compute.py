"""Compute every catalogue indicator for one bi-month and store the values (replacing that period's rows),
or for any date window without storing them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, insert

from malux.settings import get_settings
from tasks.indicators import contacts, loans, sms, training
from tasks.indicators.catalogue import load_catalogue
from tasks.indicators.measure import Context, LineageCache, Measure, evaluate
from tasks.indicators.periods import Window, parse_period
from warehouse.schema import indicator_value

FAMILIES = (training, contacts, sms, loans)


def _measures(context: Context) -> dict[str, Measure]:
    """Every catalogue indicator's SQL for the context's window, refusing an indicator no family computes."""
    measures = {m.indicator: m for family in FAMILIES for m in family.measures(context)}
    unknown = sorted(set(context.catalogue) - set(measures))
    if unknown:
        raise ValueError(f"the catalogue lists indicators no family computes: {unknown}")
    return measures


def compute_period(engine: Engine, period_id: str, config_dir: Path | None = None) -> int:
    """Recompute the period's indicators in SQL and swap its stored rows atomically; returns rows written."""
    period = parse_period(period_id)
    config_dir = config_dir or get_settings().config_dir
    catalogue = load_catalogue(config_dir / "indicators.yaml")
    measures = _measures(Context(period, catalogue, config_dir))
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


def compute_window(
    engine: Engine,
    window: Window,
    config_dir: Path | None = None,
    more_disaggregations: Mapping[str, Sequence[str]] | None = None,
) -> list[dict[str, Any]]:
    """Every catalogue indicator over any date window (a whole campaign), computed from the rows, not stored.

    The same SQL as a bi-month's: flows are counted over the window, a ratio is its summed numerator over its
    summed denominator, stocks and to-date values are taken at the window's last day. A report may ask for
    disaggregations the catalogue does not store (reach by cercle); the ingest batches are not traced.
    """
    config_dir = config_dir or get_settings().config_dir
    catalogue = load_catalogue(config_dir / "indicators.yaml")
    measures = _measures(Context(window, catalogue, config_dir))
    computed_at = datetime.now(UTC)
    rows: list[dict[str, Any]] = []
    with engine.connect() as conn:
        for indicator_id, indicator in catalogue.items():
            # the catalogue may already hold some of them
            asked = (more_disaggregations or {}).get(indicator_id, ())
            extra = tuple(d for d in asked if d not in indicator.disaggregations)
            wider = replace(indicator, disaggregations=indicator.disaggregations + extra)
            measure = replace(measures[indicator_id], lineage=None)
            rows.extend(evaluate(conn, measure, wider, window.id, computed_at))
    return rows
