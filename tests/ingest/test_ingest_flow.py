"""Ingesting a file through the Prefect flow: every row accounted for, nothing loaded twice or half-loaded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from flows.ingest_file import ingest_file
from tasks.ingest.models import BatchRejected
from warehouse.db import engine_for
from warehouse.schema import beneficiaries, ingest_batch, loans, quarantine

pytestmark = pytest.mark.usefixtures("prefect_harness")
# ruff: noqa: E501  (partner files are written out as they arrive: long lines)

BENEFICIARIES = """beneficiary_id,category,name,org_id,cercle,commune,village,phone,language,gender,sms_consent,registered_on
OP01,producer_org,Union Jekafo,,San,San,San,+223 76 00 00 01,fr,M,true,2018-09-01
P001,producer,Awa Coulibaly,OP01,San,San,Sienso,76 12 34 56,bm,F,true,2018-09-02
P002,producer,Moussa Dembele,OP01,Tominian,Tominian,Timissa,,bm,M,false,2018-09-02
P003,producer,Fanta Traore,OP01,San,San,Somo,12345,bm,F,true,2018-09-03
MFI1,mfi,Soro Yiriwaso,,Segou,Segou,Segou,,fr,M,false,2018-01-01
"""

LOANS = """loan_id,borrower_id,mfi_id,crop,principal_xof,monthly_rate,disbursed_on,maturity_on,volume_kg
L1,OP01,MFI1,sesame,1000000,0.0125,2018-11-01,2019-05-30,
L2,OP01,MFI1,maize,2000000,0.0125,2018-11-01,2019-06-20,
L3,OP01,MFI1,rice,3000000,0.0125,2019-06-01,2019-01-01,
L4,NOPE,MFI1,fonio,500000,0.0125,2018-12-01,2019-04-01,
L5,OP01,MFI1,fonio,500000,0.0125,2018-12-01,2019-04-01,1200
L6,OP01,MFI1,rice,750000,0.0125,2018-12-01,2019-04-01,
L7,OP01,MFI1,sesame,900000,0.0125,2018-12-01,2019-04-01,
"""


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _count(url: str, table) -> int:
    with engine_for(url).connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def test_every_row_is_loaded_or_quarantined_with_its_reason(warehouse_url: str, tmp_path: Path) -> None:
    ingest_file(_write(tmp_path, "people.csv", BENEFICIARIES), "beneficiaries")
    summary = ingest_file(_write(tmp_path, "loans.csv", LOANS), "loans")
    assert (summary.rows_in, summary.rows_loaded, summary.rows_quarantined) == (7, 4, 3)
    with engine_for(warehouse_url).connect() as conn:
        assert sorted(conn.execute(select(loans.c.loan_id)).scalars()) == ["L1", "L5", "L6", "L7"]
        reasons = conn.execute(
            select(quarantine.c.source_row, quarantine.c.column_name, quarantine.c.value)
            .where(quarantine.c.batch_id == summary.batch_id)
            .order_by(quarantine.c.source_row)
        ).all()
    # CSV line numbers, header = line 1: L2 is line 3, L3 line 4, L4 line 5.
    assert ("3", "crop", "maize") in {(str(r), c, v) for r, c, v in reasons}
    assert 4 in {r for r, c, _ in reasons if "maturity_on" in c}
    assert (5, "borrower_id", "NOPE") in set(reasons)


def test_a_beneficiary_without_a_valid_phone_is_still_loaded_and_marked_invalid(
    warehouse_url: str, tmp_path: Path
) -> None:
    summary = ingest_file(_write(tmp_path, "people.csv", BENEFICIARIES), "beneficiaries")
    assert (summary.rows_loaded, summary.rows_quarantined) == (5, 0)
    with engine_for(warehouse_url).connect() as conn:
        rows = dict(conn.execute(select(beneficiaries.c.beneficiary_id, beneficiaries.c.phone_valid)).all())
        p003 = (
            conn.execute(select(beneficiaries).where(beneficiaries.c.beneficiary_id == "P003"))
            .mappings()
            .one()
        )
    assert rows["P001"] is True and rows["P002"] is False and rows["P003"] is False
    assert (p003["phone_raw"], p003["phone"]) == ("12345", None)


def test_the_same_file_twice_is_recognised_and_changes_nothing(warehouse_url: str, tmp_path: Path) -> None:
    path = _write(tmp_path, "people.csv", BENEFICIARIES)
    first = ingest_file(path, "beneficiaries")
    second = ingest_file(path, "beneficiaries")
    assert second.status == "already_ingested" and second.batch_id == first.batch_id
    assert (second.rows_in, second.rows_loaded) == (5, 5)
    assert _count(warehouse_url, ingest_batch) == 1
    assert _count(warehouse_url, beneficiaries) == 5


def test_a_file_missing_a_required_column_is_rejected_and_nothing_is_loaded(
    warehouse_url: str, data_dir: Path, tmp_path: Path
) -> None:
    broken = "\n".join(line.split(",", 1)[1] for line in BENEFICIARIES.splitlines())  # no beneficiary_id
    path = _write(tmp_path, "people.csv", broken)
    with pytest.raises(BatchRejected, match="people.csv"):
        ingest_file(path, "beneficiaries")
    assert _count(warehouse_url, beneficiaries) == 0
    with engine_for(warehouse_url).connect() as conn:
        status, error = conn.execute(select(ingest_batch.c.status, ingest_batch.c.error)).one()
    assert status == "rejected" and "beneficiary_id" in error
    assert not (data_dir / "lake" / "beneficiaries").exists()
    assert len(list((data_dir / "raw").rglob("people.csv"))) == 1  # the raw file is kept


def test_a_failure_while_publishing_leaves_warehouse_and_lake_as_they_were(
    warehouse_url: str, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import warehouse.batches

    def crash(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("connection lost")

    monkeypatch.setattr(warehouse.batches, "mark_loaded", crash)
    with pytest.raises(RuntimeError, match="connection lost"):
        ingest_file(_write(tmp_path, "people.csv", BENEFICIARIES), "beneficiaries")
    assert _count(warehouse_url, beneficiaries) == 0
    assert list((data_dir / "lake").rglob("*.parquet")) == []


def test_the_quarantine_keeps_the_row_as_the_partner_sent_it(warehouse_url: str, tmp_path: Path) -> None:
    ingest_file(_write(tmp_path, "people.csv", BENEFICIARIES), "beneficiaries")
    summary = ingest_file(_write(tmp_path, "loans.csv", LOANS), "loans")
    with engine_for(warehouse_url).connect() as conn:
        record = (
            conn.execute(
                select(quarantine.c.record).where(
                    quarantine.c.batch_id == summary.batch_id, quarantine.c.source_row == 3
                )
            )
            .scalars()
            .first()
        )
    assert json.loads(record)["loan_id"] == "L2"


def test_a_file_with_more_bad_rows_than_allowed_is_rejected_whole(
    warehouse_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest_file(_write(tmp_path, "people.csv", BENEFICIARIES), "beneficiaries")
    monkeypatch.setenv("MALUX_MAX_QUARANTINE_SHARE", "0.2")
    with pytest.raises(BatchRejected, match="3 of 7 rows fail validation, more than the 20%"):
        ingest_file(_write(tmp_path, "loans.csv", LOANS), "loans")
    assert _count(warehouse_url, loans) == 0


def test_a_large_first_load_then_a_small_correction_through_the_flow(
    warehouse_url: str, tmp_path: Path
) -> None:
    # 12 000 loans take the large-load path (indexes and keys built after the rows); the correction that
    # follows loads into the table as it is, replacing one loan by key
    from sqlalchemy import inspect

    from warehouse.bulk_indexes import MIN_ROWS

    assert MIN_ROWS <= 11_999  # else this test no longer takes the large-load path
    engine = engine_for(warehouse_url)
    expected = sorted(ix["name"] for ix in inspect(engine).get_indexes("loans"))
    ingest_file(_write(tmp_path, "people.csv", BENEFICIARIES), "beneficiaries")
    header = LOANS.splitlines()[0]
    rows = [f"B{i:05d},OP01,MFI1,sesame,{100_000 + i},0.0125,2018-11-01,2019-05-30," for i in range(12_000)]
    rows[7] = "B00007,OP01,MFI1,maize,1,0.0125,2018-11-01,2019-05-30,"  # one held back
    big = ingest_file(_write(tmp_path, "big.csv", "\n".join([header, *rows]) + "\n"), "loans")
    assert (big.rows_in, big.rows_loaded, big.rows_quarantined) == (12_000, 11_999, 1)
    fix = ingest_file(
        _write(tmp_path, "fix.csv", f"{header}\n{rows[7].replace('maize,1', 'sesame,5000')}\n"), "loans"
    )
    assert (fix.rows_in, fix.rows_loaded, fix.rows_quarantined) == (1, 1, 0)
    assert _count(warehouse_url, loans) == 12_000
    assert sorted(ix["name"] for ix in inspect(engine).get_indexes("loans")) == expected
    with engine.connect() as conn:
        b7 = conn.execute(
            select(loans.c.principal_xof, loans.c.batch_id).where(loans.c.loan_id == "B00007")
        ).one()
        b8 = conn.execute(
            select(loans.c.principal_xof, loans.c.batch_id).where(loans.c.loan_id == "B00008")
        ).one()
    assert tuple(b7) == (5000.0, fix.batch_id)
    assert tuple(b8) == (100_008.0, big.batch_id)
