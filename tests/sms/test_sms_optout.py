"""STOP replies and gateway opt-outs: the subscriber is never messaged again, and the date is kept."""

from __future__ import annotations

import logging
from datetime import datetime

import pytest
from receiver.dlr_harness import (
    SECRET,
    add_beneficiaries,
    get,
    migrated_warehouse,
    optouts,
    post,
    running_receiver,
    wire_week,
)
from sqlalchemy import select

from tasks.sms.optout import is_stop, mask_phone
from tasks.sms.outbox import queue_week
from tasks.sms.receiver.callbacks import gateway_token
from warehouse.schema import sms_outbox

KANNEL_MO = "/mo/kannel?token=" + gateway_token("kannel-mo", SECRET)
AT_MO = "/mo/africastalking/" + gateway_token("africastalking-mo", SECRET)
WEEK_2_SENT = 1542009600  # 12 Nov 2018 08:00 UTC, week 2's send time
A_DAY_LATER = WEEK_2_SENT + 86400


@pytest.mark.parametrize(
    "text", ["STOP", "stop", " Stop. ", "ARRET", "arrêt", "ARRÊT", "A R R Ê T", "s t o p!"]
)
def test_stop_and_arret_are_recognised_whatever_the_case_accents_or_spaces(text):
    assert is_stop(text)


@pytest.mark.parametrize("text", ["", "STOPPER", "stop svp merci", "arrete", "Prix?", None])
def test_other_texts_are_not_an_opt_out(text):
    assert not is_stop(text)


def test_a_masked_phone_keeps_only_the_country_code_and_two_digits():
    assert mask_phone("+22376123456") == "+223******56"


def test_a_stop_through_kannel_stops_next_weeks_message_end_to_end(warehouse_url, tmp_path):
    engine = migrated_warehouse(warehouse_url)
    add_beneficiaries(engine, 3)
    wire_week(engine, tmp_path / "sms", week=2)
    with running_receiver(engine) as receiver:
        # Kannel's sms-service get-url: from=%p (as the SMSC gives it, without the +), text=%a, at=%T
        answer = get(receiver, f"{KANNEL_MO}&from=22376000001&text=ARR%C3%8AT&at={A_DAY_LATER}")
    assert (answer.status_code, answer.text) == (200, "")  # empty: Kannel sends no reply SMS
    assert optouts(engine) == {"B0001": (datetime(2018, 11, 13, 8, 0), "stop_reply")}
    queue_week(engine, "2018-2019", 3)
    with engine.connect() as conn:
        week_3 = set(conn.scalars(select(sms_outbox.c.beneficiary_id).where(sms_outbox.c.week == 3)))
    assert week_3 == {"B0000", "B0002"}


def test_a_stop_through_africastalking_opts_out_every_subscriber_on_that_number(warehouse_url):
    engine = migrated_warehouse(warehouse_url)
    add_beneficiaries(engine, 2)
    # an organisation registered with its president's number
    add_beneficiaries(engine, 1, beneficiary_id="ORG1", category="producer_org", source_row=99)
    form = {"from": "+22376000000", "to": "36123", "text": "Stop", "date": "2018-11-13T10:00:00Z", "id": "x"}
    with running_receiver(engine) as receiver:
        assert post(receiver, AT_MO, form).status_code == 200
    assert optouts(engine) == {
        "B0000": (datetime(2018, 11, 13, 10, 0), "stop_reply"),
        "ORG1": (datetime(2018, 11, 13, 10, 0), "stop_reply"),
    }


def test_an_incoming_message_that_is_not_stop_or_has_a_bad_token_opts_no_one_out(warehouse_url, caplog):
    engine = migrated_warehouse(warehouse_url)
    add_beneficiaries(engine, 1)
    caplog.set_level(logging.INFO, logger="malux.dlr")
    with running_receiver(engine) as receiver:
        other = get(receiver, f"{KANNEL_MO}&from=%2B22376000000&text=Prix+Bla%3F")
        forged = get(receiver, "/mo/kannel?token=" + "0" * 32 + "&from=%2B22376000000&text=STOP")
        anonymous = get(receiver, f"{KANNEL_MO}&text=STOP")
    assert (other.status_code, forged.status_code, anonymous.status_code) == (200, 403, 400)
    assert optouts(engine) == {}
    assert "76000000" not in caplog.text


def test_a_second_stop_keeps_the_date_of_the_first(warehouse_url):
    engine = migrated_warehouse(warehouse_url)
    add_beneficiaries(engine, 1)
    with running_receiver(engine) as receiver:
        get(receiver, f"{KANNEL_MO}&from=%2B22376000000&text=STOP&at={A_DAY_LATER}")
        get(receiver, f"{KANNEL_MO}&from=%2B22376000000&text=STOP&at={A_DAY_LATER + 3600}")
    assert optouts(engine)["B0000"][0] == datetime(2018, 11, 13, 8, 0)
