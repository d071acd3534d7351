"""Connecting to the warehouse and bringing its schema up to date with Alembic."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class WarehouseError(RuntimeError):
    """The warehouse cannot be reached or brought up to date; the message says which URL and why."""


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
    """One engine per URL per process, migrated to the latest schema on first use."""
    if url not in _engines:
        from warehouse.migrate import upgrade  # alembic is only needed once per process

        engine = make_engine(url)
        upgrade(engine)
        _engines[url] = engine
    return _engines[url]
