"""An indicator expressed as SQL, and its evaluation into `indicator_value` rows for every disaggregation."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, FromClause, Subquery, select, union_all
from sqlalchemy.sql.elements import ColumnElement

from tasks.indicators.catalogue import Indicator
from tasks.indicators.periods import Window

Aggregate = Callable[[FromClause], ColumnElement[Any]]


@dataclass(frozen=True)
class Context:
    """What every family needs to build its SQL: the period, the catalogue and where the config lives."""

    period: Window  # a bi-month, or any date window such as a whole campaign
    catalogue: dict[str, Indicator]
    config_dir: Path


@dataclass(frozen=True)
class Measure:
    """One indicator as SQL: the rows it counts, how they aggregate, and the ingest batches they came from."""

    indicator: str
    rows: FromClause
    numerator: Aggregate
    denominator: Aggregate | None = None
    # grouping columns + batch_id, one row per source row's batch; several parts are unioned, and a part
    # shared by several measures (the same object) is queried once per period
    lineage: FromClause | tuple[FromClause, ...] | None = None
    expected: dict[tuple[str, ...], list[tuple[Any, ...]]] = field(default_factory=dict)
    empty_note: str = "no data"


def disaggregation_key(disaggregation: dict[str, Any]) -> str:
    """The canonical JSON stored in `indicator_value.disaggregation` ("{}" for the total)."""
    return json.dumps(disaggregation, sort_keys=True, ensure_ascii=False)


def lineage_from(base: Subquery, dims: Sequence[str], batch_columns: Sequence[str]) -> FromClause:
    """Stack a base query's batch columns into (dims…, batch_id) rows so each grouping lists its batches."""
    parts = [select(*(base.c[d] for d in dims), base.c[b].label("batch_id")) for b in batch_columns]
    return (union_all(*parts) if len(parts) > 1 else parts[0]).subquery()


def _columns(source: FromClause, names: tuple[str, ...], indicator: str) -> list[ColumnElement[Any]]:
    missing = [n for n in names if n not in source.c]
    if missing:
        raise ValueError(
            f"indicator {indicator!r} cannot be disaggregated by {missing}: its SQL has no such column"
        )
    return [source.c[n] for n in names]


LineageCache = dict[tuple[int, tuple[str, ...]], list[tuple[Any, ...]]]


def _batches(
    conn: Connection,
    lineage: FromClause | tuple[FromClause, ...] | None,
    names: tuple[str, ...],
    finest: tuple[str, ...],
    indicator: str,
    cache: LineageCache,
) -> dict:
    """Batches per group of `names`, projected from one query at the finest grouping (shared by measures)."""
    found: dict[tuple[Any, ...], set[int]] = defaultdict(set)
    parts = () if lineage is None else lineage if isinstance(lineage, tuple) else (lineage,)
    for part in parts:
        key = (id(part), finest)
        if key not in cache:  # the lineage joins are the costly part at scale: run each one once per period
            keys = _columns(part, finest, indicator)
            query = select(*keys, part.c.batch_id).where(part.c.batch_id.is_not(None)).distinct()
            cache[key] = [tuple(row) for row in conn.execute(query)]
        positions = [finest.index(n) for n in names]
        for row in cache[key]:
            found[tuple(row[i] for i in positions)].add(int(row[-1]))
    return found


def evaluate(
    conn: Connection,
    measure: Measure,
    indicator: Indicator,
    period_id: str,
    computed_at: datetime,
    cache: LineageCache | None = None,
) -> list[dict[str, Any]]:
    """The `indicator_value` rows of one indicator: the total, then each disaggregation's groups."""
    values: list[dict[str, Any]] = []
    cache = {} if cache is None else cache
    finest = tuple(dict.fromkeys(n for names in indicator.groupings() for n in names))
    for names in indicator.groupings():
        keys = _columns(measure.rows, names, indicator.id)
        aggregates = [measure.numerator(measure.rows).label("num")]
        if measure.denominator is not None:
            aggregates.append(measure.denominator(measure.rows).label("den"))
        query = select(*keys, *aggregates)
        if keys:
            query = query.group_by(*keys)
        results = {tuple(row[: len(names)]): tuple(row[len(names) :]) for row in conn.execute(query)}
        for group in measure.expected.get(names, []):
            results.setdefault(tuple(group), (0, 0) if measure.denominator is not None else (0,))
        batches = _batches(conn, measure.lineage, names, finest, indicator.id, cache)
        for group, numbers in sorted(results.items(), key=lambda item: tuple(str(v) for v in item[0])):
            disaggregation = dict(zip(names, group, strict=True))
            values.append(
                _row(
                    measure,
                    indicator,
                    period_id,
                    disaggregation,
                    numbers,
                    batches.get(group, set()),
                    computed_at,
                )
            )
    return values


def _row(
    measure: Measure,
    indicator: Indicator,
    period_id: str,
    disaggregation: dict[str, Any],
    numbers: tuple[Any, ...],
    batches: set[int],
    computed_at: datetime,
) -> dict[str, Any]:
    numerator = float(numbers[0] or 0)
    denominator = None if measure.denominator is None else float(numbers[1] or 0)
    note = None
    if denominator is None:
        value: float | None = numerator
    elif denominator == 0:
        value, note = None, measure.empty_note
    else:
        value = numerator / denominator
    return {
        "indicator": indicator.id,
        "period": period_id,
        "disaggregation": disaggregation_key(disaggregation),
        "numerator": numerator,
        "denominator": denominator,
        "value": value,
        "target": indicator.target_for(disaggregation),
        "aggregation": indicator.aggregation,
        "note": note,
        "batches": json.dumps(sorted(batches)),
        "computed_at": computed_at,
    }
