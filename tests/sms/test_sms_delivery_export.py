import csv
import json
from datetime import datetime

from sqlalchemy import insert, select

from tasks.sms.delivery_export import COLUMNS, operator_of, simulate_delivery_export
from tasks.sms.gateways import FileGateway, OutgoingSms
from tasks.sms.outbox import queue_week, send_queued
from tasks.sms.reports import apply_delivery_reports
from warehouse.schema import sms_delivery_reports, sms_outbox


def _outbox(tmp_path, count: int, prefix: str = "7612") -> None:
    FileGateway(tmp_path / "sms").send(
        [
            OutgoingSms(f"2018-2019-w02-B{i:04d}", "2018-2019", 2, f"+223{prefix}{i:04d}", "Prix", "GSM-7", 1)
            for i in range(count)
        ]
    )


def _read(path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_the_export_has_the_canonical_columns_and_two_reports_a_message(tmp_path):
    _outbox(tmp_path, 3)
    assert simulate_delivery_export(tmp_path / "sms", tmp_path / "dlr.csv") == 6
    assert (tmp_path / "dlr.csv").read_text(encoding="utf-8").splitlines()[0] == (
        "message_id,status,status_at,gateway_message_id,phone,error_code"
    )
    rows = _read(tmp_path / "dlr.csv")
    assert list(rows[0]) == COLUMNS
    assert (rows[0]["status"], rows[1]["status"] in {"delivered", "undelivered"}) == ("accepted", True)
    assert rows[0]["gateway_message_id"] == "file-2018-2019-w02-B0000"


def test_the_same_seed_writes_the_same_bytes(tmp_path):
    _outbox(tmp_path, 50)
    simulate_delivery_export(tmp_path / "sms", tmp_path / "a.csv")
    simulate_delivery_export(tmp_path / "sms", tmp_path / "b.csv")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_another_seed_writes_another_export(tmp_path):
    _outbox(tmp_path, 50)
    simulate_delivery_export(tmp_path / "sms", tmp_path / "a.csv", seed=2019)
    simulate_delivery_export(tmp_path / "sms", tmp_path / "b.csv", seed=2020)
    assert (tmp_path / "a.csv").read_bytes() != (tmp_path / "b.csv").read_bytes()


def test_reports_follow_the_week_send_time_accepted_first(tmp_path):
    _outbox(tmp_path, 20)
    simulate_delivery_export(tmp_path / "sms", tmp_path / "dlr.csv")
    rows = _read(tmp_path / "dlr.csv")
    send_at = datetime(2018, 11, 12, 8, 0)
    for accepted, final in zip(rows[::2], rows[1::2], strict=True):
        accepted_at = datetime.fromisoformat(accepted["status_at"])
        final_at = datetime.fromisoformat(final["status_at"])
        assert accepted["status"] == "accepted" and final["status"] in {"delivered", "undelivered"}
        assert send_at < accepted_at <= send_at.replace(second=30) < final_at
        assert (final["error_code"] == "") == (final["status"] == "delivered")


def test_about_92_percent_are_delivered(tmp_path):
    _outbox(tmp_path, 2000)
    simulate_delivery_export(tmp_path / "sms", tmp_path / "dlr.csv")
    finals = [r["status"] for r in _read(tmp_path / "dlr.csv") if r["status"] != "accepted"]
    assert 0.90 <= finals.count("delivered") / len(finals) <= 0.96


def test_a_message_written_twice_is_reported_once(tmp_path):
    _outbox(tmp_path, 2)
    _outbox(tmp_path, 2)
    assert simulate_delivery_export(tmp_path / "sms", tmp_path / "dlr.csv") == 4


def test_operators_come_from_the_mobile_prefix():
    assert [operator_of(p) for p in ("+22376000000", "+22366000000", "+22389000000", "+22350000000")] == [
        "orange",
        "moov",
        "moov",
        "telecel",
    ]


def test_the_export_reads_only_week_files(tmp_path):
    _outbox(tmp_path, 1)
    (tmp_path / "sms" / "notes.jsonl").write_text(json.dumps({"x": 1}), encoding="utf-8")
    assert simulate_delivery_export(tmp_path / "sms", tmp_path / "dlr.csv") == 2


def test_the_export_loaded_as_reports_brings_every_message_to_a_final_status(engine, program, tmp_path):
    for i in range(30):
        program.beneficiary(f"B{i:02d}", phone=f"+2237600{i:04d}")
    queue_week(engine, "2018-2019", 2)
    send_queued(engine, "2018-2019", 2, FileGateway(tmp_path / "sms"))
    simulate_delivery_export(tmp_path / "sms", tmp_path / "dlr.csv")
    reports = _read(tmp_path / "dlr.csv")
    rows = [
        r | {"status_at": datetime.fromisoformat(r["status_at"]), "batch_id": 1, "source_row": i}
        for i, r in enumerate(reports)
    ]
    with engine.begin() as conn:
        conn.execute(insert(sms_delivery_reports), rows)
    assert apply_delivery_reports(engine) == 30
    with engine.connect() as conn:
        statuses = [r.status for r in conn.execute(select(sms_outbox.c.status))]
    assert statuses.count("delivered") == [r["status"] for r in reports].count("delivered")
    assert set(statuses) <= {"delivered", "undelivered"}
