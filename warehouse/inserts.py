"""Inserts that a retried or duplicated callback may repeat without error, on SQLite and PostgreSQL."""

from __future__ import annotations

from functools import cache

from sqlalchemy import Connection, Insert, Table


def insert_ignoring_duplicates(conn: Connection, table: Table, rows: list[dict], keys: list[str]) -> None:
    """INSERT … ON CONFLICT DO NOTHING: a row another writer stored first is left as it is."""
    if rows:
        conn.execute(_insert(conn.dialect.name, table, tuple(keys)), rows)


@cache
def _insert(dialect: str, table: Table, keys: tuple[str, ...]) -> Insert:
    """Built once per table: the receiver inserts a batch every few milliseconds."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table).on_conflict_do_nothing(index_elements=list(keys))
