"""The bulk load paths store exactly what the row-by-row path stored, replace by key, and roll back whole."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from sqlalchemy import Engine, select, text
from warehouse_rows import batch_of as _batch
from warehouse_rows import loans_frame as _loans

from warehouse.db import engine_for
from warehouse.rows import replace_by_key, replace_row_by_row
from warehouse.schema import beneficiaries, loans, repayments, sms_delivery_reports


def _beneficiaries() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "beneficiary_id": ["B1", "B2", "B3"],
            "category": ["producer", "producer", "mse"],
            "name": ["Awa Traoré", "", None],  # an empty name stays empty, a missing one is NULL
            "phone_raw": ["76 12 34 56", None, "7612"],
            "phone": ["+22376123456", None, None],
            "phone_valid": [True, False, False],
            "sms_consent": [True, False, True],
            "registered_on": pd.to_datetime(["2019-01-31", None, "2018-12-01"]),
            "source_row": [2, 3, 4],
        }
    )


def _repayments() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "loan_id": ["L1", "L1", "L2"],
            "paid_on": pd.to_datetime(["2019-06-30", "2019-09-30", "2019-06-30"]),
            "seq": [1.0, 2.0, 1.0],
            "principal_xof": [400_000.0, 600_000.0, 0.5],
            "interest_xof": [12_500.0, np.nan, 0.0],
            "source_row": [2, 3, 4],
        }
    )


def _reports() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "message_id": ["m1", "m1", "m2"],
            "status": ["accepted", "delivered", "undelivered"],
            "status_at": pd.to_datetime(
                ["2019-10-07 08:00:00", "2019-10-07 08:00:03.25", "2019-10-07 09:00:00"], format="ISO8601"
            ),
            "gateway_message_id": ["g1", "g1", None],
            "phone": ["+22376123456", "+22376123456", "+22366123456"],
            "error_code": [None, None, "34"],
            "source_row": [2, 3, 4],
        }
    )


CASES = [(loans, _loans(["L1", "L2", "L3"])), (beneficiaries, _beneficiaries()), (repayments, _repayments())]
CASES.append((sms_delivery_reports, _reports()))


def _stored(engine: Engine, table) -> tuple[list, list]:
    """The rows as SQLAlchemy reads them, and as the database holds them (raw SQL, no type processing)."""
    order = [table.c[c.name] for c in table.primary_key.columns]
    with engine.connect() as conn:
        typed = [tuple(r) for r in conn.execute(select(table).order_by(*order))]
        raw = [tuple(r) for r in conn.execute(text(f"SELECT * FROM {table.name} ORDER BY 1, 2, 3"))]
    return typed, raw


@pytest.mark.parametrize(("table", "frame"), CASES, ids=[t.name for t, _ in CASES])
def test_the_bulk_path_stores_the_same_rows_as_the_row_by_row_path(warehouse_url, table, frame):
    engine = engine_for(warehouse_url)
    batch = _batch(engine, 1)
    with engine.begin() as conn:
        assert replace_row_by_row(conn, table, frame, batch_id=batch) == len(frame)
    before = _stored(engine, table)
    with engine.begin() as conn:
        conn.execute(table.delete())
    with engine.begin() as conn:
        assert replace_by_key(conn, table, frame, batch_id=batch) == len(frame)
    assert _stored(engine, table) == before


def test_nulls_empty_text_dates_and_booleans_round_trip(warehouse_url):
    engine = engine_for(warehouse_url)
    batch = _batch(engine, 1)
    with engine.begin() as conn:
        replace_by_key(conn, beneficiaries, _beneficiaries(), batch_id=batch)
    cols = [beneficiaries.c[n] for n in ("beneficiary_id", "name", "phone", "phone_valid", "registered_on")]
    with engine.connect() as conn:
        rows = conn.execute(select(*cols).order_by(beneficiaries.c.beneficiary_id)).all()
    assert [tuple(r) for r in rows] == [
        ("B1", "Awa Traoré", "+22376123456", True, date(2019, 1, 31)),
        ("B2", "", None, False, None),
        ("B3", None, None, False, date(2018, 12, 1)),
    ]


def test_a_timestamp_key_keeps_its_fraction_of_a_second(warehouse_url):
    engine = engine_for(warehouse_url)
    with engine.begin() as conn:
        replace_by_key(conn, sms_delivery_reports, _reports(), batch_id=_batch(engine, 1))
    with engine.connect() as conn:
        stamps = conn.execute(select(sms_delivery_reports.c.status_at).order_by("status_at")).scalars().all()
    assert stamps == [
        datetime(2019, 10, 7, 8, 0),
        datetime(2019, 10, 7, 8, 0, 3, 250000),
        datetime(2019, 10, 7, 9),
    ]


def test_a_resubmission_replaces_rows_with_the_same_key_and_keeps_the_others(warehouse_url):
    engine = engine_for(warehouse_url)
    first, second = _batch(engine, 1), _batch(engine, 2)
    with engine.begin() as conn:
        replace_by_key(conn, loans, _loans(["L1", "L2", "L3"]), batch_id=first)
    with engine.begin() as conn:
        replace_by_key(conn, loans, _loans(["L2", "L4"], principal=2_000_000.0), batch_id=second)
    with engine.connect() as conn:
        rows = conn.execute(
            select(loans.c.loan_id, loans.c.principal_xof, loans.c.batch_id).order_by("loan_id")
        )
        assert [tuple(r) for r in rows] == [
            ("L1", 1_250_000.0, first),
            ("L2", 2_000_000.0, second),
            ("L3", 1_250_000.0, first),
            ("L4", 2_000_000.0, second),
        ]


def test_a_composite_key_with_a_date_is_replaced_not_duplicated(warehouse_url):
    engine = engine_for(warehouse_url)
    first, second = _batch(engine, 1), _batch(engine, 2)
    with engine.begin() as conn:
        replace_by_key(conn, repayments, _repayments(), batch_id=first)
    again = _repayments().iloc[[1]].assign(principal_xof=650_000.0)
    with engine.begin() as conn:
        replace_by_key(conn, repayments, again, batch_id=second)
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                repayments.c.loan_id, repayments.c.seq, repayments.c.principal_xof, repayments.c.batch_id
            ).order_by("loan_id", "paid_on")
        ).all()
    assert [tuple(r) for r in rows] == [
        ("L1", 1, 400_000.0, first),
        ("L1", 2, 650_000.0, second),
        ("L2", 1, 0.5, first),
    ]


def test_a_failure_mid_load_leaves_the_warehouse_as_before(warehouse_url):
    engine = engine_for(warehouse_url)
    first, second = _batch(engine, 1), _batch(engine, 2)
    with engine.begin() as conn:
        replace_by_key(conn, loans, _loans([f"L{i}" for i in range(5000)]), batch_id=first)
    before = _stored(engine, loans)
    broken = _loans([f"L{i}" for i in range(2500, 7500)] + ["L7000"])  # a duplicate key at the very end
    with pytest.raises(Exception, match="(?i)unique|duplicate"), engine.begin() as conn:
        replace_by_key(conn, loans, broken, batch_id=second)
    assert _stored(engine, loans) == before


def test_a_failure_after_the_load_in_the_same_transaction_undoes_the_load(warehouse_url):
    engine = engine_for(warehouse_url)
    first, second = _batch(engine, 1), _batch(engine, 2)
    with engine.begin() as conn:
        replace_by_key(conn, loans, _loans(["L1", "L2"]), batch_id=first)
    before = _stored(engine, loans)
    with pytest.raises(RuntimeError, match="ledger"), engine.begin() as conn:
        replace_by_key(conn, loans, _loans(["L2", "L3"], principal=9.0), batch_id=second)
        raise RuntimeError("the ledger update failed")
    assert _stored(engine, loans) == before
    with engine.begin() as conn:  # and nothing of the staging is left to collide with the next load
        assert replace_by_key(conn, loans, _loans(["L3"]), batch_id=second) == 1


@pytest.mark.parametrize(("table", "frame"), CASES, ids=[t.name for t, _ in CASES])
def test_the_validated_parquet_file_read_as_arrow_stores_the_same_rows(warehouse_url, tmp_path, table, frame):
    # publish reads the validated rows with pyarrow, never through pandas: the same rows must land
    engine = engine_for(warehouse_url)
    batch = _batch(engine, 1)
    with engine.begin() as conn:
        replace_by_key(conn, table, frame, batch_id=batch)
    before = _stored(engine, table)
    with engine.begin() as conn:
        conn.execute(table.delete())
    frame.to_parquet(tmp_path / "passed.parquet", index=False)
    with engine.begin() as conn:
        replace_by_key(conn, table, pq.read_table(tmp_path / "passed.parquet"), batch_id=batch)
    assert _stored(engine, table) == before
