"""Inserts that a retried or duplicated callback may repeat without error, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import Connection, Table


def insert_ignoring_duplicates(conn: Connection, table: Table, rows: list[dict], keys: list[str]) -> None:
    """INSERT … ON CONFLICT DO NOTHING: a row another writer stored first is left as it is."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    conn.execute(insert(table).on_conflict_do_nothing(index_elements=keys), rows)
