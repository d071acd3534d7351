from datetime import datetime

from sqlalchemy import insert, select

from tasks.sms.gateways import FileGateway
from tasks.sms.outbox import queue_week, send_queued
from tasks.sms.reports import apply_delivery_reports
from warehouse.schema import sms_delivery_reports, sms_outbox

CAMPAIGN, WEEK = "2018-2019", 2


def _wired(engine, program, tmp_path, *ids: str) -> None:
    for beneficiary_id in ids:
        program.beneficiary(beneficiary_id)
    queue_week(engine, CAMPAIGN, WEEK)
    send_queued(engine, CAMPAIGN, WEEK, FileGateway(tmp_path))


def _report(engine, beneficiary_id: str, status: str, minute: int, source_row: int) -> None:
    row = {
        "message_id": f"{CAMPAIGN}-w{WEEK:02d}-{beneficiary_id}", "status": status,
        "status_at": datetime(2018, 11, 12, 8, minute), "batch_id": 1, "source_row": source_row,
    }  # fmt: skip
    with engine.begin() as conn:
        conn.execute(insert(sms_delivery_reports), row)


def _states(engine) -> dict[str, tuple]:
    with engine.connect() as conn:
        rows = conn.execute(select(sms_outbox.c.beneficiary_id, sms_outbox.c.status, sms_outbox.c.final_at))
        return {r.beneficiary_id: (r.status, r.final_at) for r in rows}


def test_an_accepted_report_moves_a_wired_message_to_sent(engine, program, tmp_path):
    _wired(engine, program, tmp_path, "B1")
    _report(engine, "B1", "accepted", 1, 1)
    assert apply_delivery_reports(engine) == 1
    assert _states(engine)["B1"] == ("sent", None)


def test_a_delivered_report_is_final_with_its_time(engine, program, tmp_path):
    _wired(engine, program, tmp_path, "B1")
    _report(engine, "B1", "delivered", 5, 1)
    apply_delivery_reports(engine)
    assert _states(engine)["B1"] == ("delivered", datetime(2018, 11, 12, 8, 5))


def test_a_late_accepted_after_delivered_leaves_the_message_delivered(engine, program, tmp_path):
    _wired(engine, program, tmp_path, "B1")
    _report(engine, "B1", "delivered", 5, 1)
    apply_delivery_reports(engine)
    _report(engine, "B1", "accepted", 9, 2)
    assert apply_delivery_reports(engine) == 0
    assert _states(engine)["B1"] == ("delivered", datetime(2018, 11, 12, 8, 5))


def test_reports_arriving_in_one_batch_out_of_order_end_delivered(engine, program, tmp_path):
    _wired(engine, program, tmp_path, "B1")
    _report(engine, "B1", "delivered", 2, 1)
    _report(engine, "B1", "buffered", 3, 2)
    _report(engine, "B1", "accepted", 4, 3)
    apply_delivery_reports(engine)
    assert _states(engine)["B1"] == ("delivered", datetime(2018, 11, 12, 8, 2))


def test_rejected_and_undelivered_reports_both_end_undelivered(engine, program, tmp_path):
    _wired(engine, program, tmp_path, "B1", "B2")
    _report(engine, "B1", "rejected", 1, 1)
    _report(engine, "B2", "undelivered", 7, 2)
    apply_delivery_reports(engine)
    assert _states(engine) == {
        "B1": ("undelivered", datetime(2018, 11, 12, 8, 1)),
        "B2": ("undelivered", datetime(2018, 11, 12, 8, 7)),
    }


def test_applying_the_same_reports_again_changes_nothing(engine, program, tmp_path):
    _wired(engine, program, tmp_path, "B1", "B2")
    _report(engine, "B1", "accepted", 1, 1)
    _report(engine, "B2", "delivered", 2, 2)
    assert apply_delivery_reports(engine) == 2
    assert apply_delivery_reports(engine) == 0
