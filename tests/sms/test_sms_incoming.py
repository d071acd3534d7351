"""Incoming SMS: stored once, read whatever the case and accents, answered by one outbox row (no gateway)."""

from __future__ import annotations

import time
from datetime import date, datetime

import pytest
import yaml
from sqlalchemy import func, select

from malux.settings import PROJECT_ROOT
from tasks.sms.inbox import Incoming, store_and_answer
from tasks.sms.keywords import fold
from warehouse.schema import sms_inbox, sms_optout, sms_outbox

REPLIES = yaml.safe_load((PROJECT_ROOT / "config" / "sms" / "keywords.yaml").read_text(encoding="utf-8"))
FR, BM = REPLIES["languages"]["fr"], REPLIES["languages"]["bm"]
AT = datetime(2019, 3, 4, 9, 30)


def _mo(text: str, sender: str = "+22376123456", at: datetime = AT, gid: str | None = None) -> Incoming:
    return Incoming("kannel", sender, text, at, "36123", gid)


def _reply(engine, inbox_id: int) -> str | None:
    with engine.connect() as conn:
        return conn.scalar(select(sms_outbox.c.body).where(sms_outbox.c.message_id == f"mo-{inbox_id}"))


def _count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(table))


@pytest.fixture
def prices(program):
    """Sesame at San (the subscriber's cercle) twice and at Ségou once: the values the replies must quote."""
    program.beneficiary("B1").beneficiary("B2", phone="+22366000002", language="bm", cercle="Tominian")
    program.price(date(2019, 2, 18), "San", "ML0405", 400.0)
    program.price(date(2019, 2, 25), "San", "ML0405", 440.0)
    program.price(date(2019, 2, 25), "Ségou", "ML0401", 380.0)
    return program


def test_price_for_the_senders_cercle_with_its_date_and_the_rise_since_the_last_price(engine, prices):
    stored = store_and_answer(engine, _mo("prix sesame"), daily_cap=5)
    rise = FR["trend"]["up"].format(previous="400", previous_date="18/02")  # 440 is 10 % over 400
    assert _reply(engine, stored.inbox_id) == FR["price"].format(
        product="sesame", market="San", price="440", date="25/02/2019", trend=rise
    )


def test_a_named_market_in_lower_case_with_accents_and_a_bambara_keyword_from_a_bambara_speaker(
    engine, prices
):
    stored = store_and_answer(engine, _mo("Songo Bɛnɛ  ségou !", sender="+22366000002"), daily_cap=5)
    [reply] = [_reply(engine, stored.inbox_id)]
    assert reply == BM["price"].format(
        product="sesame", market="Ségou", price="380", date="25/02/2019", trend=BM["trend"]["unknown"]
    )


def test_an_unknown_market_lists_the_markets_and_an_unknown_product_the_products(engine, prices):
    market = store_and_answer(engine, _mo("PRIX sesame Kayes"), daily_cap=5)
    product = store_and_answer(engine, _mo("PRIX or San"), daily_cap=5)
    assert _reply(engine, market.inbox_id) == FR["unknown_market"].format(markets="San, Ségou")
    assert _reply(engine, product.inbox_id) == FR["unknown_product"].format(
        products=", ".join(REPLIES["products"])
    )


def test_help_in_every_spelling_and_anything_unknown_get_the_help_in_one_segment(engine, prices):
    from tasks.sms.encoding import segment_count

    for i, text in enumerate(["AIDE", "help", "Demisen", "bonjour", ""]):
        stored = store_and_answer(engine, _mo(text, at=AT.replace(minute=i)), daily_cap=50)
        assert _reply(engine, stored.inbox_id) == FR["help"], text
    assert segment_count(FR["help"]) == 1


def test_an_unknown_sender_is_answered_in_french_and_asked_for_a_market(engine, prices):
    stored = store_and_answer(engine, _mo("PRIX sesame", sender="+22370999999"), daily_cap=5)
    assert _reply(engine, stored.inbox_id) == FR["which_market"].format(
        product="sesame", markets="San, Ségou"
    )
    with engine.connect() as conn:
        row = conn.execute(select(sms_inbox).where(sms_inbox.c.inbox_id == stored.inbox_id)).one()
    assert (row.beneficiary_id, row.language, row.keyword) == (None, "fr", "price")


def test_stop_opts_out_with_a_confirmation_and_start_brings_back_with_one(engine, prices):
    stop = store_and_answer(engine, _mo("Arrêt"), daily_cap=5)
    with engine.connect() as conn:
        assert list(conn.scalars(select(sms_optout.c.beneficiary_id))) == ["B1"]
    start = store_and_answer(engine, _mo("reprendre", at=AT.replace(hour=10)), daily_cap=5)
    assert (_reply(engine, stop.inbox_id), _reply(engine, start.inbox_id)) == (FR["stop"], FR["start"])
    assert _count(engine, sms_optout) == 0


def test_the_same_request_twice_by_id_or_by_sender_time_and_text_stores_once_and_answers_once(engine, prices):
    first = store_and_answer(engine, _mo("AIDE", gid="uuid-1"), daily_cap=5)
    again_same_id = store_and_answer(engine, _mo("AIDE", gid="uuid-1", at=AT.replace(second=7)), daily_cap=5)
    again_same_text = store_and_answer(engine, _mo("AIDE", gid="uuid-2"), daily_cap=5)
    assert first.new and not again_same_id.new and not again_same_text.new
    assert again_same_id.inbox_id == again_same_text.inbox_id == first.inbox_id
    assert (_count(engine, sms_inbox), _count(engine, sms_outbox)) == (1, 1)


def test_over_the_daily_cap_one_limit_reply_then_silence_and_the_next_day_answers_again(engine, prices):
    cap = 3
    results = [
        store_and_answer(engine, _mo("AIDE", at=AT.replace(minute=m)), daily_cap=cap) for m in range(6)
    ]
    replies = [_reply(engine, r.inbox_id) for r in results]
    assert replies == [FR["help"]] * cap + [FR["capped"].format(cap=cap), None, None]
    tomorrow = store_and_answer(engine, _mo("AIDE", at=AT.replace(day=AT.day + 1)), daily_cap=cap)
    assert _reply(engine, tomorrow.inbox_id) == FR["help"]


def test_fold_makes_case_and_accents_one_name() -> None:
    assert fold("SÉGOU") == fold("ségou") == "segou"


def test_on_postgresql_a_repeated_request_is_answered_once_and_the_cap_holds(pg_engine, pg_program):
    pg_program.beneficiary("B1")
    first = store_and_answer(pg_engine, _mo("AIDE", gid="uuid-1"), daily_cap=2)
    again = store_and_answer(pg_engine, _mo("aide", gid="uuid-1", at=AT.replace(second=9)), daily_cap=2)
    later = [
        store_and_answer(pg_engine, _mo("AIDE", at=AT.replace(minute=m)), daily_cap=2) for m in (40, 41, 42)
    ]
    assert again.inbox_id == first.inbox_id and not again.new
    replies = [_reply(pg_engine, r.inbox_id) for r in [first, *later]]
    assert replies == [FR["help"], FR["help"], FR["capped"].format(cap=2), None]


class _BusyOnce:
    """A gateway that turns the first request away for now (e.g. Kannel's queue is full), then accepts."""

    name, concurrency = "stub", 1

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.refused = 0

    def send(self, messages):
        from tasks.sms.gateways.base import SendResult

        if not self.refused:
            self.refused += 1
            return [SendResult(m.message_id, False, None, "busy", transient=True) for m in messages]
        self.sent += [(m.to, m.text) for m in messages]
        return [SendResult(m.message_id, True, f"gw-{m.message_id}", None) for m in messages]


def test_a_reply_the_gateway_turned_away_for_now_is_sent_once_when_the_sender_tries_again(engine, prices):
    from datetime import timedelta

    from tasks.sms.replies import ReplySender

    gateway = _BusyOnce()
    sender = ReplySender(
        engine, lambda: gateway, timedelta(minutes=10), timedelta(seconds=45), retry_every_s=0.1,
        pace=lambda _name: lambda _n: None,  # the stub has no rate limit: pacing is test_sms_replies_paced's
    )  # fmt: skip
    sender.start()
    stored = store_and_answer(engine, _mo("AIDE"), daily_cap=5)
    sender.submit(stored.reply_week)
    try:
        for _ in range(300):  # until the retry sent it (the test's own deadline, not a timing claim)
            if gateway.sent:
                break
            time.sleep(0.05)
    finally:
        sender.stop()
    assert (gateway.refused, gateway.sent) == (1, [("+22376123456", FR["help"])])
    with engine.connect() as conn:
        status = conn.scalar(
            select(sms_outbox.c.status).where(sms_outbox.c.message_id == f"mo-{stored.inbox_id}")
        )
    assert status == "wired"


def test_abonne_adds_a_markets_line_to_the_weekly_sms_and_desabonne_takes_it_off(engine, prices):
    from tasks.sms.compose import compose_week

    prices.beneficiary("B3", phone="+22376000003")  # San, French, no subscription: the plain weekly text
    stranger = store_and_answer(engine, _mo("ABONNE sesame Segou", sender="+22370999999"), daily_cap=5)
    assert _reply(engine, stranger.inbox_id) == FR["not_registered"]
    subscribed = store_and_answer(engine, _mo("abonne Sésame ségou"), daily_cap=5)
    assert _reply(engine, subscribed.inbox_id) == FR["subscribed"].format(product="sesame", market="Ségou")

    week = {m.beneficiary_id: m.body for m in compose_week(engine, "2018-2019", 17)}  # sent 25/02/2019
    line = FR["subscription_line"].format(product="sesame", market="Ségou", price="380", date="25/02")
    assert week["B1"] == week["B3"] + "\n" + line

    off = store_and_answer(engine, _mo("DESABONNE sesame segou", at=AT.replace(hour=11)), daily_cap=5)
    assert _reply(engine, off.inbox_id) == FR["unsubscribed"].format(count=1)
    week = {m.beneficiary_id: m.body for m in compose_week(engine, "2018-2019", 17)}
    assert week["B1"] == week["B3"]
