"""A large load builds a table's secondary indexes and foreign keys once, after the rows, not row by row.

PostgreSQL's "Populating a Database" advice (drop indexes and foreign keys, load, re-create) applied inside
the caller's transaction: on both databases the DDL is transactional, so a failed load rolls back to the
table with its indexes, and re-adding a foreign key checks every row in one join, as strictly as the
per-row checks it replaces. It pays only when the batch is large beside what the table already holds
(an index rebuilt covers the whole table), and it locks the table for writes and reads until the commit:
the price of a first or initial-size load, which is when it is used.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Table, inspect, text
from sqlalchemy.schema import AddConstraint, CreateIndex, DropConstraint, DropIndex

# A small batch: the per-row index updates are too few to matter; skip the DDL and its table lock.
MIN_ROWS = 10_000


def _rows_held(conn: Connection, table: Table) -> int:
    """A cheap count of the table's rows: PostgreSQL's planner estimate, SQLite's largest rowid."""
    if conn.dialect.name == "postgresql":
        estimate = conn.scalar(
            text("SELECT reltuples FROM pg_class WHERE oid = to_regclass(:t)"), {"t": table.name}
        )
        if estimate is not None and estimate >= 0:
            return int(estimate)
        return int(conn.scalar(text(f'SELECT count(*) FROM "{table.name}"')) or 0)  # never analysed
    return int(conn.scalar(text(f'SELECT max(rowid) FROM "{table.name}"')) or 0)


def worth_rebuilding(conn: Connection, table: Table, rows: int) -> bool:
    """True when the batch is at least MIN_ROWS and at least as many rows as the table holds already."""
    return rows >= MIN_ROWS and rows >= _rows_held(conn, table)


@contextmanager
def built_after_load(conn: Connection, table: Table, rows: int) -> Iterator[bool]:
    """Drop the table's secondary indexes (and, on PostgreSQL, its foreign keys and primary key) around a
    large load.

    Yields whether it did. SQLite can drop neither a foreign key (its per-row check is a primary-key
    lookup) nor a primary key: they stay. A primary key rebuilt after the load refuses a duplicate as the
    per-row check would, when it is added back, and the transaction rolls back whole. Unique indexes stay.
    """
    if not worth_rebuilding(conn, table, rows):
        yield False
        return
    found = inspect(conn)
    present = {ix["name"] for ix in found.get_indexes(table.name)}
    indexes = [ix for ix in table.indexes if not ix.unique and ix.name in present]
    foreign, keys = [], []
    if conn.dialect.name == "postgresql":
        named = {fk["name"] for fk in found.get_foreign_keys(table.name)}
        foreign = [fk for fk in table.foreign_key_constraints if fk.name in named]
        key = table.primary_key
        if key.columns and key.name == found.get_pk_constraint(table.name).get("name"):
            keys = [key] if not _referenced(table) else []  # a key another table points at must stay
    for constraint in foreign + keys:
        conn.execute(DropConstraint(constraint))
    for ix in indexes:
        conn.execute(DropIndex(ix))
    yield True
    for constraint in keys:
        conn.execute(AddConstraint(constraint))
    for ix in indexes:
        conn.execute(CreateIndex(ix))
    for fk in foreign:
        conn.execute(AddConstraint(fk))


def _referenced(table: Table) -> bool:
    """Whether a foreign key of any table of the schema points at this table."""
    return any(
        fk.column.table is table for other in table.metadata.tables.values() for fk in other.foreign_keys
    )
