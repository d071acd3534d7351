"""Connecting to the warehouse, one engine per URL per process; `warehouse.migrate` keeps its schema."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event

# One process at a time changes a PostgreSQL warehouse's schema or grants: an advisory lock ("MALUX").
PG_SCHEMA_LOCK_KEY = 0x4D414C5558


class WarehouseError(RuntimeError):
    """The warehouse cannot be reached or is not at this code's schema; the message says what to do."""


def make_engine(url: str) -> Engine:
    """An engine for the warehouse URL; SQLite gets foreign keys on and a busy timeout."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record) -> None:  # pragma: no cover - trivial
            cur = dbapi_connection.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


_engines: dict[str, Engine] = {}


def engine_for(url: str) -> Engine:
    """One engine per URL per process, so every task shares its pool; it never migrates: upgrade() does."""
    if url not in _engines:
        _engines[url] = make_engine(url)
    return _engines[url]
