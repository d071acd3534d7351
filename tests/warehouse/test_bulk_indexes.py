"""A large load rebuilds the indexes and foreign keys it set aside; a failed one leaves them as they were."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine, inspect, select, text
from warehouse_rows import batch_of as _batch
from warehouse_rows import loans_frame as _loans

from warehouse import bulk_indexes
from warehouse.db import engine_for
from warehouse.migrate import upgrade
from warehouse.rows import replace_by_key
from warehouse.schema import loans


@pytest.fixture(autouse=True)
def _small_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk_indexes, "MIN_ROWS", 100)  # "large" at test size


def _schema(engine: Engine) -> tuple[list, list, dict]:
    found = inspect(engine)
    indexes = sorted((ix["name"], tuple(ix["column_names"])) for ix in found.get_indexes("loans"))
    foreign = sorted((fk["name"], fk["referred_table"]) for fk in found.get_foreign_keys("loans"))
    key = found.get_pk_constraint("loans")
    return indexes, foreign, {"name": key["name"], "columns": key["constrained_columns"]}


def test_a_large_first_load_sets_indexes_aside_and_rebuilds_them(warehouse_url, monkeypatch):
    engine = engine_for(warehouse_url)
    expected = _schema(engine)
    assert ("ix_loans_disbursed_on", ("disbursed_on",)) in expected[0]
    assert expected[2]["columns"] == ["loan_id"]
    seen: list[bool] = []
    original = bulk_indexes.built_after_load

    def spy(conn, table, rows):
        manager = original(conn, table, rows)
        seen.append(bulk_indexes.worth_rebuilding(conn, table, rows))
        return manager

    monkeypatch.setattr("warehouse.bulk_sqlite.built_after_load", spy)
    monkeypatch.setattr("warehouse.bulk_postgres.built_after_load", spy)
    with engine.begin() as conn:
        replace_by_key(conn, loans, _loans([f"L{i:04d}" for i in range(500)]), batch_id=_batch(engine, 1))
    assert seen == [True]
    assert _schema(engine) == expected
    with engine.connect() as conn:
        assert conn.scalar(select(loans.c.loan_id).where(loans.c.disbursed_on == date(2019, 3, 1)).limit(1))
        if engine.dialect.name == "sqlite":  # the rebuilt index is the one the planner uses
            query = "EXPLAIN QUERY PLAN SELECT * FROM loans WHERE disbursed_on = '2019-03-01'"
            plan = conn.execute(text(query))
            assert "ix_loans_disbursed_on" in " ".join(str(r) for r in plan)


def test_a_small_load_into_a_large_table_keeps_its_indexes(warehouse_url):
    engine = engine_for(warehouse_url)
    with engine.begin() as conn:
        replace_by_key(conn, loans, _loans([f"L{i:04d}" for i in range(500)]), batch_id=_batch(engine, 1))
        conn.execute(text("ANALYZE loans"))
    with engine.connect() as conn:
        assert not bulk_indexes.worth_rebuilding(conn, loans, 200)
        assert bulk_indexes.worth_rebuilding(conn, loans, 600)
        assert not bulk_indexes.worth_rebuilding(conn, loans, 50)  # under MIN_ROWS


def test_a_failed_large_load_leaves_rows_indexes_and_keys_as_they_were(warehouse_url):
    engine = engine_for(warehouse_url)
    expected = _schema(engine)
    broken = _loans([f"L{i:04d}" for i in range(300)] + ["L0007"])  # a duplicate key at the very end
    with pytest.raises(Exception, match="(?i)unique|duplicate"), engine.begin() as conn:
        replace_by_key(conn, loans, broken, batch_id=_batch(engine, 1))
    assert _schema(engine) == expected
    with engine.connect() as conn:
        assert conn.scalar(select(loans.c.loan_id).limit(1)) is None


def test_the_rebuilt_foreign_key_still_rejects_rows_of_an_unknown_batch(pg_url, monkeypatch):
    engine = engine_for(pg_url)
    upgrade(engine)
    expected = _schema(engine)
    assert ("fk_loans_batch_id_ingest_batch", "ingest_batch") in expected[1]
    with pytest.raises(Exception, match="(?i)foreign key"), engine.begin() as conn:
        replace_by_key(conn, loans, _loans([f"L{i:04d}" for i in range(300)]), batch_id=999)
    assert _schema(engine) == expected
