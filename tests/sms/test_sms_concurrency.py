from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import pytest
from sqlalchemy import insert, select

from tasks.sms.gateways import FileGateway
from tasks.sms.outbox import queue_week, send_queued
from tasks.sms.reports import apply_delivery_reports
from warehouse.schema import sms_delivery_reports, sms_outbox

CAMPAIGN, WEEK = "2018-2019", 2


def _two_senders_at_once(engine, out_dir) -> int:
    queue_week(engine, CAMPAIGN, WEEK)
    gateway = FileGateway(out_dir)
    with ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(lambda _: send_queued(engine, CAMPAIGN, WEEK, gateway, chunk_size=7), range(2)))
    return sum(r.sent for r in runs)


def _lines(out_dir) -> list[str]:
    return (out_dir / CAMPAIGN / f"week-{WEEK:02d}.jsonl").read_text(encoding="utf-8").splitlines()


def test_two_senders_at_once_on_sqlite_send_each_message_once(engine, program, tmp_path):
    for i in range(60):
        program.beneficiary(f"B{i:02d}")
    assert _two_senders_at_once(engine, tmp_path / "sms") == 60
    assert len(set(_lines(tmp_path / "sms"))) == len(_lines(tmp_path / "sms")) == 60


@pytest.mark.postgres
def test_two_senders_at_once_on_postgresql_send_each_message_once(pg_engine, pg_program, tmp_path):
    for i in range(60):
        pg_program.beneficiary(f"B{i:02d}")
    assert _two_senders_at_once(pg_engine, tmp_path / "sms") == 60
    assert len(set(_lines(tmp_path / "sms"))) == len(_lines(tmp_path / "sms")) == 60
    assert queue_week(pg_engine, CAMPAIGN, WEEK).queued_new == 0


@pytest.mark.postgres
def test_delivery_report_precedence_holds_on_postgresql(pg_engine, pg_program, tmp_path):
    pg_program.beneficiary("B1").beneficiary("B2")
    queue_week(pg_engine, CAMPAIGN, WEEK)
    send_queued(pg_engine, CAMPAIGN, WEEK, FileGateway(tmp_path))
    reports = [("B1", "delivered", 2), ("B1", "accepted", 4), ("B2", "accepted", 1), ("B2", "undelivered", 6)]
    with pg_engine.begin() as conn:
        conn.execute(
            insert(sms_delivery_reports),
            [
                {"message_id": f"{CAMPAIGN}-w02-{b}", "status": s, "status_at": datetime(2018, 11, 12, 8, m),
                 "batch_id": 1, "source_row": i}
                for i, (b, s, m) in enumerate(reports)
            ],
        )  # fmt: skip
    assert apply_delivery_reports(pg_engine) == 2
    with pg_engine.connect() as conn:
        rows = conn.execute(select(sms_outbox.c.beneficiary_id, sms_outbox.c.status, sms_outbox.c.final_at))
        assert sorted(tuple(r) for r in rows) == [
            ("B1", "delivered", datetime(2018, 11, 12, 8, 2)),
            ("B2", "undelivered", datetime(2018, 11, 12, 8, 6)),
        ]
