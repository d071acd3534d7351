"""What an issued note shows, frozen: the stored values up to its period and the data-quality figures."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, case, func, or_, select

from tasks.indicators.periods import Period
from tasks.loans.follow_up import loan_follow_up
from warehouse.schema import indicator_value, ingest_batch, quarantine

VALUE_FIELDS = ("numerator", "denominator", "value", "target")


def _plain(value: Any) -> Any:
    """PostgreSQL sums integers as NUMERIC: make them JSON numbers again."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _values(conn: Connection, period: Period) -> list[dict[str, Any]]:
    """Every stored value up to and including the period (DHIS2 ids sort in time order)."""
    v = indicator_value.c
    query = select(
        v.indicator,
        v.period,
        v.disaggregation,
        v.numerator,
        v.denominator,
        v.value,
        v.target,
        v.note,
        v.aggregation,
    ).where(v.period <= period.id)
    rows = conn.execute(query.order_by(v.period, v.indicator, v.disaggregation)).mappings()
    return [{**row, "disaggregation": json.loads(row["disaggregation"])} for row in rows]


def _period_batches(conn: Connection, period: Period) -> list[int]:
    """The ingest batches the period's own values were computed from (indicator_value.batches), and the
    files received during the period that loaded nothing (rejected whole or failed): they fed no value,
    but the officer must see them."""
    v, b = indicator_value.c, ingest_batch.c
    found: set[int] = set()
    for batches in conn.scalars(select(v.batches).where(v.period == period.id)):
        found.update(int(b) for b in json.loads(batches or "[]"))
    loaded_nothing = conn.scalars(
        select(b.batch_id).where(
            or_(b.status.in_(("rejected", "failed")), func.coalesce(b.rows_loaded, 0) == 0),
            b.started_at >= period.starts_at,
            b.started_at < period.ends_before,
        )
    )
    found.update(loaded_nothing)
    return sorted(found)


def _data_quality(
    conn: Connection, batch_ids: list[int]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Of the batches that fed the period: files per partner with rows loaded and quarantined, and the
    commonest quarantine reasons."""
    b = ingest_batch.c
    per_partner = conn.execute(
        select(
            b.partner,
            func.count().label("files"),
            func.sum(case((b.status == "rejected", 1), else_=0)).label("rejected"),
            func.coalesce(func.sum(b.rows_in), 0).label("rows_in"),
            func.coalesce(func.sum(b.rows_loaded), 0).label("rows_loaded"),
            func.coalesce(func.sum(b.rows_quarantined), 0).label("rows_quarantined"),
        )
        .where(b.batch_id.in_(batch_ids))
        .group_by(b.partner)
        .order_by(b.partner)
    ).mappings()
    plain = [{k: _plain(v) for k, v in r.items()} for r in per_partner]
    q = quarantine.c
    reasons = conn.execute(
        select(q.check_name, q.column_name, func.count().label("rows"), func.min(q.reason).label("example"))
        .where(q.batch_id.in_(batch_ids))
        .group_by(q.check_name, q.column_name)
        .order_by(func.count().desc(), q.check_name)
        .limit(10)
    ).mappings()
    return plain, [dict(r) for r in reasons]


def take_snapshot(conn: Connection, period: Period, comments: str | None = None) -> dict[str, Any]:
    """Everything the note of `period` shows, as JSON-ready data read in one go, with the officer's
    commentary (Markdown source) when there is one."""
    batch_ids = _period_batches(conn, period)
    partners, reasons = _data_quality(conn, batch_ids)
    return {
        "period": period.id,
        "values": _values(conn, period),
        "batches": batch_ids,
        "partners": partners,
        "reasons": reasons,
        "comments": comments or None,
        # aging and PAR by MFI at the period's last day, kept so that a version shows what it showed
        "loans": loan_follow_up(conn.engine, period.end),
    }


def _key(row: dict[str, Any]) -> tuple[str, str, str]:
    return row["indicator"], row["period"], json.dumps(row["disaggregation"], sort_keys=True)


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def comments_change(previous: dict[str, Any], current: dict[str, Any]) -> list[dict[str, Any]]:
    """The officer's commentary as one change entry (`kind: comments`) when it differs, else nothing."""
    old, new = previous.get("comments"), current.get("comments")
    if (old or "").strip() == (new or "").strip():
        return []
    return [{"kind": "comments", "previous": old, "current": new}]


def snapshot_changes(previous: dict[str, Any], current: dict[str, Any]) -> list[dict[str, Any]]:
    """Everything a new version changes: the values, then the commentary."""
    return value_changes(previous, current) + comments_change(previous, current)


def value_changes(previous: dict[str, Any], current: dict[str, Any]) -> list[dict[str, Any]]:
    """The values that differ between two snapshots (added, removed or with another number), in order."""
    before = {_key(r): r for r in previous["values"]}
    after = {_key(r): r for r in current["values"]}
    changes = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old and new and all(_same(old[f], new[f]) for f in VALUE_FIELDS):
            continue
        changes.append(
            {
                "kind": "value",
                "indicator": key[0],
                "period": key[1],
                "disaggregation": (new or old)["disaggregation"],
                "previous": None if old is None else {f: old[f] for f in VALUE_FIELDS},
                "current": None if new is None else {f: new[f] for f in VALUE_FIELDS},
            }
        )
    return changes
