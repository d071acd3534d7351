"""The `ingest_batch` ledger: one row per partner file, found again by its sha256."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, select, update

from warehouse.capped import capped
from warehouse.schema import ingest_batch


@dataclass(frozen=True)
class BatchRow:
    """What the ledger knows about one file."""

    batch_id: int
    partner: str
    dataset: str
    file_name: str
    raw_path: str
    sha256: str
    rows_in: int | None
    rows_loaded: int | None
    rows_quarantined: int | None
    status: str  # received | loaded | rejected | failed
    error: str | None


def now() -> datetime:
    return datetime.now(UTC)


def find_by_sha(conn: Connection, sha256: str) -> BatchRow | None:
    row = conn.execute(select(*_columns()).where(ingest_batch.c.sha256 == sha256)).mappings().first()
    return BatchRow(**row) if row else None


def get(engine: Engine, batch_id: int) -> BatchRow:
    with engine.connect() as conn:
        row = conn.execute(select(*_columns()).where(ingest_batch.c.batch_id == batch_id)).mappings().one()
    return BatchRow(**row)


def list_batches(engine: Engine) -> list[BatchRow]:
    with engine.connect() as conn:
        rows = conn.execute(select(*_columns()).order_by(ingest_batch.c.batch_id)).mappings().all()
    return [BatchRow(**r) for r in rows]


def open_batch(
    engine: Engine, *, partner: str, dataset: str, file_name: str, raw_path: str, sha256: str
) -> int:
    """Record a file as received; a file seen before but not loaded gets its old batch id back."""
    with engine.begin() as conn:
        seen = find_by_sha(conn, sha256)
        values = dict(
            partner=partner,
            dataset=dataset,
            file_name=file_name,
            raw_path=raw_path,
            status="received",
            rows_in=None,
            rows_loaded=None,
            rows_quarantined=None,
            error=None,
            started_at=now(),
            finished_at=None,
        )
        if seen:
            conn.execute(
                update(ingest_batch).where(ingest_batch.c.batch_id == seen.batch_id).values(**values)
            )
            return seen.batch_id
        return conn.execute(ingest_batch.insert().values(sha256=sha256, **values)).inserted_primary_key[0]


def reject(engine: Engine, batch_id: int, error: str, rows_in: int | None = None) -> None:
    """Mark a batch rejected with the reason; nothing of it is in the lake or the warehouse.

    Its rows, when they could be counted, are all held back: rows in = 0 loaded + rows in quarantined.
    """
    with engine.begin() as conn:
        conn.execute(
            update(ingest_batch)
            .where(ingest_batch.c.batch_id == batch_id)
            .values(
                status="rejected",
                error=capped(error),
                rows_in=rows_in,
                rows_loaded=0,
                rows_quarantined=rows_in or 0,
                finished_at=now(),
            )
        )


def fail(engine: Engine, batch_id: int, error: str) -> bool:
    """Mark a batch whose run ended without loading or rejecting it `failed`, with the (capped) reason.

    Only a batch still `received` changes: a rejection or a load already said how the run ended.
    """
    with engine.begin() as conn:
        changed = conn.execute(
            update(ingest_batch)
            .where(ingest_batch.c.batch_id == batch_id, ingest_batch.c.status == "received")
            .values(status="failed", error=capped(error), finished_at=now())
        ).rowcount
    return bool(changed)


def mark_loaded(
    conn: Connection, batch_id: int, rows_in: int, rows_loaded: int, rows_quarantined: int
) -> None:
    """Close a batch inside the transaction that loaded it, so the ledger never runs ahead of the data."""
    conn.execute(
        update(ingest_batch)
        .where(ingest_batch.c.batch_id == batch_id)
        .values(
            status="loaded",
            rows_in=rows_in,
            rows_loaded=rows_loaded,
            rows_quarantined=rows_quarantined,
            error=None,
            finished_at=now(),
        )
    )


def _columns():
    return [ingest_batch.c[name] for name in BatchRow.__dataclass_fields__]
