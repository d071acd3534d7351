"""SMS indicators, on a three-week test campaign sent on 4, 11 and 18 November 2019 at 08:00."""

import pytest


def test_delivery_rate_is_delivered_over_messages_accepted_by_the_gateway(program):
    program.message(1, "P1", "delivered", final_at="2019-11-04 09:00")
    program.message(1, "P2", "delivered", final_at="2019-11-04 09:00", operator="malitel")
    program.message(1, "P3", "delivered", final_at="2019-11-04 09:00")
    program.message(1, "P4", "undelivered", final_at="2019-11-04 09:00")
    program.message(1, "P5", "queued")
    program.message(1, "P6", "failed")
    assert program.indicator("sms_sent", period="201906B").value == 4
    assert program.indicator("sms_delivered", period="201906B", compute=False).value == 3
    rate = program.indicator("sms_delivery_rate", period="201906B", compute=False)
    assert (rate.numerator, rate.denominator, rate.value) == (3, 4, 0.75)
    by_operator = program.indicator("sms_delivery_rate", "201906B", compute=False, operator="orange")
    assert (by_operator.numerator, by_operator.denominator) == (2, 3)


def _subscribers(program):
    for producer in ("P1", "P2", "P3"):
        program.beneficiary(producer)
    program.beneficiary("P4", sms_consent=False)
    program.beneficiary("P5", phone_valid=False)
    program.beneficiary("P6")
    program.opted_out("P6", at="2019-11-10 12:00")  # active in week 1 only
    program.beneficiary("P7", registered_on="2019-11-12")  # active from week 3
    program.beneficiary("T1", category="trainer")  # not in the SMS audience


def test_weekly_reach_counts_deliveries_before_the_next_send_among_active_subscribers(program):
    _subscribers(program)
    program.message(1, "P1", "delivered", final_at="2019-11-04 09:00")
    program.message(1, "P6", "delivered", final_at="2019-11-05 10:00")
    program.message(1, "P3", "undelivered", final_at="2019-11-04 09:00")
    value = program.indicator("sms_weekly_reach", period="201906B", campaign="2019-2020", week=1)
    assert (value.numerator, value.denominator, value.value) == (2, 4, 0.5)


def test_a_message_delivered_after_its_week_does_not_reach_that_week(program):
    _subscribers(program)
    program.message(1, "P1", "delivered", final_at="2019-11-11 07:59")
    program.message(1, "P2", "delivered", final_at="2019-11-11 08:00")
    value = program.indicator("sms_weekly_reach", period="201906B", campaign="2019-2020", week=1)
    assert value.numerator == 1


def test_a_week_with_no_broadcast_has_zero_reach_over_its_subscribers(program):
    _subscribers(program)
    program.message(1, "P1", "delivered", final_at="2019-11-04 09:00")
    value = program.indicator("sms_weekly_reach", period="201906B", campaign="2019-2020", week=2)
    assert (value.numerator, value.denominator, value.value) == (0, 3, 0.0)  # P6 opted out, P7 not yet


def test_the_period_reach_sums_numerators_and_denominators_over_its_weeks(program):
    _subscribers(program)
    program.message(1, "P1", "delivered", final_at="2019-11-04 09:00")
    program.message(1, "P6", "delivered", final_at="2019-11-04 09:00")
    for producer in ("P1", "P2", "P7"):
        program.message(3, producer, "delivered", final_at="2019-11-18 09:00")
    value = program.indicator("sms_weekly_reach", period="201906B")
    assert (value.numerator, value.denominator) == (5, 11)  # weeks: 2/4, 0/3, 3/4
    assert value.value == pytest.approx(5 / 11)


def test_weeks_broadcast_counts_weeks_with_an_accepted_message(program):
    program.message(1, "P1", "delivered", final_at="2019-11-04 09:00")
    program.message(2, "P1", "failed")
    program.message(3, "P1", "wired")
    value = program.indicator("sms_weeks_broadcast", period="201906B", campaign="2019-2020")
    assert (value.value, value.target) == (2, 21)


def _query(program, inbox_id: int, at: str, keyword: str, beneficiary: str | None, reply: str | None) -> None:
    """An incoming SMS, and its reply in the outbox with this status (None: no reply, e.g. past the cap)."""
    from datetime import UTC, datetime

    from warehouse.schema import sms_inbox, sms_outbox

    received = datetime.fromisoformat(at)
    program.insert(
        sms_inbox, inbox_id=inbox_id, gateway="kannel", sender=f"+2237600000{inbox_id}", text=keyword,
        received_at=received, keyword=keyword, beneficiary_id=beneficiary, language="fr",
        reply_status="queued" if reply else "none", stored_at=datetime.now(UTC),
    )  # fmt: skip
    if reply:
        program.insert(
            sms_outbox, message_id=f"mo-{inbox_id}", campaign="mo", week=inbox_id,
            beneficiary_id=f"inbox-{inbox_id}", phone="+22376000000", language="fr", body="reply",
            encoding="GSM-7", segments=1, scheduled_at=received, status=reply, attempts=1,
            queued_at=datetime.now(UTC),
        )  # fmt: skip


def test_queries_by_keyword_and_sender_and_the_share_the_gateway_accepted_a_reply_for(program):
    program.beneficiary("P1")
    queries = [  # (id, received, keyword, beneficiary, reply status)
        (1, "2019-11-04 10:00", "price", "P1", "delivered"),
        (2, "2019-11-05 10:00", "price", None, "wired"),
        (3, "2019-12-01 10:00", "help", "P1", "queued"),  # not yet accepted by the gateway
        (4, "2019-12-02 10:00", "price", "P1", None),  # past the daily cap: no reply
        (5, "2020-01-02 10:00", "price", "P1", "delivered"),  # the next period
    ]
    for row in queries:
        _query(program, *row)
    in_period = [q for q in queries if q[1] < "2020-01-01"]
    accepted = {"wired", "sent", "delivered", "undelivered"}
    assert program.indicator("sms_queries", period="201906B").value == len(in_period)
    price = program.indicator("sms_queries", "201906B", compute=False, keyword="price")
    assert price.value == len([q for q in in_period if q[2] == "price"])
    registered = program.indicator("sms_queries", "201906B", compute=False, sender_type="registered")
    assert registered.value == len([q for q in in_period if q[3] is not None])
    rate = program.indicator("sms_query_reply_rate", period="201906B", compute=False)
    assert (rate.numerator, rate.denominator) == (sum(q[4] in accepted for q in in_period), len(in_period))
    unknown = program.indicator("sms_query_reply_rate", "201906B", compute=False, sender_type="unknown")
    assert (unknown.numerator, unknown.denominator) == (1, 1)


def test_replies_to_incoming_messages_are_not_counted_as_broadcast_sms(program):
    program.message(1, "P1", "delivered", final_at="2019-11-04 09:00")
    program.message(1, "P2", "undelivered", final_at="2019-11-04 09:00")
    _query(program, 1, "2019-11-04 10:00", "price", None, "delivered")  # a reply, accepted and delivered
    _query(program, 2, "2019-11-05 10:00", "help", None, "wired")
    broadcast = 2  # the two weekly messages above; the replies count in sms_query_reply_rate only
    assert program.indicator("sms_sent", period="201906B").value == broadcast
    rate = program.indicator("sms_delivery_rate", period="201906B", compute=False)
    assert (rate.numerator, rate.denominator) == (1, broadcast)
