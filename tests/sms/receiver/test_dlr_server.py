"""`malux dlr-server` as the gateways call it: real HTTP on 127.0.0.1, a real warehouse behind it."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from dlr_harness import (
    add_beneficiaries,
    as_africastalking,
    as_stored,
    get,
    kannel_path,
    migrated_warehouse,
    optouts,
    post,
    report_count,
    reports,
    running_receiver,
    statuses,
    unix_now,
    wire_week,
)
from sqlalchemy import select

from tasks.sms.receiver.callbacks import gateway_token
from warehouse.schema import ingest_batch

AT_PATH = "/dlr/africastalking/" + gateway_token("africastalking-dlr", b"test-dlr-secret")


@pytest.fixture
def wired(warehouse_url, tmp_path):
    """A warehouse where three subscribers' week-2 messages were handed to the gateway."""
    engine = migrated_warehouse(warehouse_url)
    add_beneficiaries(engine, 3)
    return engine, wire_week(engine, tmp_path / "sms")


def test_a_delivered_callback_is_stored_and_the_message_becomes_delivered(wired):
    engine, (m0, m1, _) = wired
    at = unix_now()
    with running_receiver(engine) as receiver:
        answer = get(receiver, kannel_path(m0, 1, at=at))
        assert (answer.status_code, answer.text) == (200, "stored")
        assert get(receiver, kannel_path(m1, 8, at=at + 1)).status_code == 200
    assert reports(engine) == [
        (m0, "delivered", as_stored(at), 1),
        (m1, "accepted", as_stored(at + 1), 2),
    ]
    assert statuses(engine)[m0] == "delivered"
    assert statuses(engine)[m1] == "sent"


def test_callbacks_belong_to_one_ingest_batch_per_day_that_counts_them(wired):
    engine, (m0, m1, _) = wired
    with running_receiver(engine) as receiver:
        get(receiver, kannel_path(m0, 8))
        get(receiver, kannel_path(m0, 8))  # a duplicate is not counted twice
        get(receiver, kannel_path(m1, 1))
    with engine.connect() as conn:
        batch = conn.execute(select(ingest_batch).where(ingest_batch.c.partner == "gateway")).one()
    assert batch.file_name == f"callbacks-{datetime.now(UTC).date().isoformat()}"
    assert (batch.dataset, batch.rows_in, batch.rows_loaded, batch.rows_quarantined) == (
        "sms_delivery_reports",
        2,
        2,
        0,
    )


@pytest.mark.parametrize(
    "dlr_type,status", [(1, "delivered"), (2, "undelivered"), (4, "sent"), (8, "sent"), (16, "undelivered")]
)
def test_each_kannel_dlr_type_moves_the_message_to_its_status(wired, dlr_type, status):
    engine, (m0, *_) = wired
    with running_receiver(engine) as receiver:
        assert get(receiver, kannel_path(m0, dlr_type)).status_code == 200
    assert statuses(engine)[m0] == status


def test_a_late_accepted_callback_never_moves_a_delivered_message_back(wired):
    engine, (m0, *_) = wired
    with running_receiver(engine) as receiver:
        get(receiver, kannel_path(m0, 1, at=unix_now()))
        get(receiver, kannel_path(m0, 8, at=unix_now(5)))
    assert statuses(engine)[m0] == "delivered"
    assert [r[1] for r in reports(engine)] == ["delivered", "accepted"]


def test_a_repeated_callback_is_answered_and_stored_once(wired):
    engine, (m0, *_) = wired
    with running_receiver(engine) as receiver:
        answers = [get(receiver, kannel_path(m0, 1)) for _ in range(3)]
    assert [(a.status_code, a.text) for a in answers] == [
        (200, "stored"),
        (200, "duplicate"),
        (200, "duplicate"),
    ]
    assert report_count(engine) == 1


def test_a_callback_with_a_forged_token_is_refused_and_stores_nothing(wired, caplog):
    engine, (m0, m1, _) = wired
    caplog.set_level(logging.WARNING, logger="malux.dlr")
    with running_receiver(engine) as receiver:
        forged = get(receiver, kannel_path(m0, 1, token="0" * 32))
        borrowed = get(receiver, kannel_path(m0, 1).replace(m0, m1, 1))  # m0's token on m1
        missing = get(receiver, f"/dlr/kannel?mid={m0}&status=1&at={unix_now()}")
    assert [forged.status_code, borrowed.status_code, missing.status_code] == [403, 403, 403]
    assert report_count(engine) == 0
    assert statuses(engine)[m0] == "wired"
    assert f"refused a Kannel callback for message {m0}: bad token" in caplog.text


@pytest.mark.parametrize(
    "query",
    [
        "status=3&at={now}",
        "status=1",
        "status=one&at={now}",
        "status=1&at=yesterday",
        "at={now}",
    ],
)
def test_a_malformed_callback_is_answered_400(wired, query):
    engine, (m0, *_) = wired
    from tasks.sms.dlr_token import token_for

    query = query.format(now=unix_now())
    with running_receiver(engine) as receiver:
        answer = get(receiver, f"/dlr/kannel?mid={m0}&token={token_for(m0, b'test-dlr-secret')}&{query}")
    assert answer.status_code == 400
    assert report_count(engine) == 0


def test_a_callback_for_a_message_never_sent_is_answered_404(wired):
    engine, _ = wired
    with running_receiver(engine) as receiver:
        answer = get(receiver, kannel_path("2018-2019-w02-B9999", 1))
    assert answer.status_code == 404
    assert report_count(engine) == 0


def test_an_africastalking_report_moves_the_message_it_names_by_at_id(wired):
    engine, (m0, *_) = wired
    as_africastalking(engine, m0, "ATXid_0a1b2c")
    form = {"id": "ATXid_0a1b2c", "status": "Success", "phoneNumber": "+22376000000", "networkCode": "61001"}
    with running_receiver(engine) as receiver:
        assert post(receiver, AT_PATH, form).status_code == 200
        assert post(receiver, AT_PATH, form).text == "duplicate"  # AT resends until it gets a 200
    assert statuses(engine)[m0] == "delivered"
    assert report_count(engine) == 1


def test_an_africastalking_report_with_another_phone_or_a_bad_path_token_is_refused(wired, caplog):
    engine, (m0, *_) = wired
    as_africastalking(engine, m0, "ATXid_0a1b2c")
    caplog.set_level(logging.INFO, logger="malux.dlr")
    form = {"id": "ATXid_0a1b2c", "status": "Success", "phoneNumber": "+22376999999"}
    with running_receiver(engine) as receiver:
        wrong_phone = post(receiver, AT_PATH, form)
        wrong_token = post(
            receiver, "/dlr/africastalking/" + "f" * 32, form | {"phoneNumber": "+22376000000"}
        )
    assert (wrong_phone.status_code, wrong_token.status_code) == (404, 403)
    assert statuses(engine)[m0] == "wired"
    assert "76999999" not in caplog.text and "76000000" not in caplog.text
    assert "+223******99" in caplog.text


def test_an_africastalking_blacklist_report_opts_the_subscriber_out(wired):
    engine, (m0, *_) = wired
    as_africastalking(engine, m0, "ATXid_77")
    form = {
        "id": "ATXid_77",
        "status": "Failed",
        "phoneNumber": "+22376000000",
        "failureReason": "UserInBlackList",
    }
    with running_receiver(engine) as receiver:
        assert post(receiver, AT_PATH, form).status_code == 200
    assert statuses(engine)[m0] == "undelivered"
    assert list(optouts(engine)) == ["B0000"]
    assert optouts(engine)["B0000"][1] == "gateway"


def test_an_unknown_path_is_404_and_health_answers(wired):
    engine, _ = wired
    with running_receiver(engine) as receiver:
        assert get(receiver, "/dlr/other").status_code == 404
        assert get(receiver, "/health").text == "ok"
