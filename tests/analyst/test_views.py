"""The analyst views answer on SQLite and PostgreSQL, and none of them shows a phone number."""

from sqlalchemy import inspect, text

from warehouse.views import VIEWS


def _rows(program, sql: str) -> list[dict]:
    with program.engine.connect() as conn:
        return [dict(r) for r in conn.execute(text(sql)).mappings()]


def test_every_documented_view_exists_after_migration(warehouse):
    assert set(VIEWS) <= set(inspect(warehouse.engine).get_view_names())
    assert {
        "mart_training_coverage",
        "mart_sms_weekly",
        "mart_loan_portfolio",
        "mart_indicator_values",
    } <= set(VIEWS)


def test_no_view_exposes_an_e164_number(warehouse):
    warehouse.beneficiary("P1")  # phone +22376000000
    warehouse.message(1, "P1", "delivered", final_at="2019-11-04 09:00")
    for view in VIEWS:
        for row in _rows(warehouse, f"SELECT * FROM {view}"):
            assert "+22376000000" not in {str(v) for v in row.values()}, view
    (beneficiary,) = _rows(warehouse, "SELECT phone_masked FROM mart_beneficiaries")
    assert beneficiary["phone_masked"] == "+22376****00"


def test_training_coverage_counts_a_producer_trained_twice_as_trained_once(warehouse):
    warehouse.beneficiary("P1")
    warehouse.beneficiary("P2")
    warehouse.session("S1", held_on="2019-03-10")
    warehouse.session("S2", held_on="2019-05-10", module="nkalo_info")
    warehouse.attended("S1", "P1")
    warehouse.attended("S2", "P1")
    rows = {r["beneficiary_id"]: r for r in _rows(warehouse, "SELECT * FROM mart_training_coverage")}
    assert (rows["P1"]["trained"], rows["P1"]["sessions_attended"], rows["P1"]["modules_attended"]) == (
        1,
        2,
        2,
    )
    assert (rows["P2"]["trained"], rows["P2"]["sessions_attended"]) == (0, 0)


def test_sms_weekly_counts_messages_by_status_per_week_and_operator(warehouse):
    warehouse.message(1, "P1", "delivered", final_at="2019-11-04 09:00")
    warehouse.message(1, "P2", "undelivered", final_at="2019-11-04 09:00")
    warehouse.message(1, "P3", "failed")
    (week,) = _rows(warehouse, "SELECT * FROM mart_sms_weekly")
    assert (week["messages"], week["accepted"], week["delivered"], week["failed"]) == (3, 2, 1, 1)


def test_loan_portfolio_shows_what_is_still_outstanding(warehouse):
    warehouse.loan("L1", principal=1_000_000, maturity="2019-05-30").repaid(400_000, on="2019-05-30")
    warehouse.loan("L2", principal=500_000, maturity="2019-05-30").repaid(600_000, on="2019-05-30")
    rows = {r["loan_id"]: r for r in _rows(warehouse, "SELECT * FROM mart_loan_portfolio")}
    assert (rows["L1"]["principal_repaid_xof"], rows["L1"]["outstanding_xof"]) == (400_000, 600_000)
    assert rows["L2"]["outstanding_xof"] == 0


def test_a_written_off_loan_leaves_the_outstanding_portfolio_with_its_unpaid_principal(warehouse):
    warehouse.loan("L1", principal=900_000, maturity="2019-05-30", written_off="2019-12-01").repaid(
        250_000, on="2019-05-30"
    )
    warehouse.loan("L2", principal=700_000, maturity="2020-05-30", restructured="2019-10-01")
    rows = {r["loan_id"]: r for r in _rows(warehouse, "SELECT * FROM mart_loan_portfolio")}
    written_off, restructured = rows["L1"], rows["L2"]
    assert (written_off["outstanding_xof"], written_off["written_off_xof"]) == (0, 900_000 - 250_000)
    assert str(written_off["written_off_on"])[:10] == "2019-12-01"
    assert (restructured["outstanding_xof"], restructured["written_off_xof"]) == (700_000, 0)
    assert str(restructured["restructured_on"])[:10] == "2019-10-01"


def test_indicator_values_flag_the_totals(warehouse):
    warehouse.beneficiary("P1")
    warehouse.compute("201903B")
    totals = _rows(warehouse, "SELECT indicator FROM mart_indicator_values WHERE is_total = 1")
    assert "contact_coverage" in {r["indicator"] for r in totals}


def test_the_inbox_view_masks_the_sender_hides_the_text_and_shows_the_replys_status(warehouse):
    from datetime import UTC, datetime

    from warehouse.schema import sms_inbox, sms_outbox

    sender, text_sent = "+22376123456", "PRIX sesame chez Awa Traore"
    warehouse.insert(
        sms_inbox, inbox_id=7, gateway="kannel", sender=sender, text=text_sent,
        received_at=datetime(2019, 11, 4, 10), keyword="price", beneficiary_id=None, language="fr",
        reply_status="queued", stored_at=datetime.now(UTC),
    )  # fmt: skip
    warehouse.insert(
        sms_outbox, message_id="mo-7", campaign="mo", week=7, beneficiary_id="inbox-7", phone=sender,
        language="fr", body="reply", encoding="GSM-7", segments=1, scheduled_at=datetime(2019, 11, 4, 10),
        status="delivered", attempts=1, queued_at=datetime.now(UTC),
    )  # fmt: skip
    (row,) = _rows(warehouse, "SELECT * FROM mart_sms_inbox")
    assert row["sender_masked"] == sender[:6] + "****" + sender[-2:]
    assert (row["keyword"], row["reply_status"], row["reply_outbox_status"]) == (
        "price",
        "queued",
        "delivered",
    )
    assert not {sender, text_sent} & {str(v) for v in row.values()}
