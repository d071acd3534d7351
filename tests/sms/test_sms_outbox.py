import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from tasks.sms.gateways import FileGateway, OutgoingSms, SendResult
from tasks.sms.outbox import QueueResult, SendSummary, queue_week, send_queued
from warehouse.schema import sms_outbox

CAMPAIGN, WEEK = "2018-2019", 2


def _outbox(engine) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(sms_outbox).order_by(sms_outbox.c.message_id))]


def _lines(tmp_path) -> list[str]:
    path = tmp_path / "sms" / CAMPAIGN / f"week-{WEEK:02d}.jsonl"
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


class Rejecting:
    """A gateway that refuses some numbers for good and some for now."""

    name = "test"

    def __init__(self, final: set[str], transient: set[str]) -> None:
        self.final, self.transient, self.calls = final, transient, 0

    def send(self, messages: list[OutgoingSms]) -> list[SendResult]:
        self.calls += 1
        return [
            SendResult(m.message_id, False, None, "rejected", transient=m.message_id in self.transient)
            if m.message_id in self.final | self.transient
            else SendResult(m.message_id, True, f"gw-{m.message_id}")
            for m in messages
        ]


def test_queue_week_queues_one_row_per_subscriber_for_the_send_time(engine, program):
    program.beneficiary("B1").beneficiary("B2")
    assert queue_week(engine, CAMPAIGN, WEEK) == QueueResult(queued_new=2, already_queued=0)
    rows = _outbox(engine)
    assert [(r["message_id"], r["status"], r["attempts"]) for r in rows] == [
        ("2018-2019-w02-B1", "queued", 0),
        ("2018-2019-w02-B2", "queued", 0),
    ]
    assert {r["scheduled_at"] for r in rows} == {datetime(2018, 11, 12, 8, 0)}


def test_queue_week_twice_leaves_the_same_rows(engine, program):
    program.beneficiary("B1").beneficiary("B2")
    queue_week(engine, CAMPAIGN, WEEK)
    before = _outbox(engine)
    assert queue_week(engine, CAMPAIGN, WEEK) == QueueResult(queued_new=0, already_queued=2)
    assert _outbox(engine) == before


def test_queue_week_adds_only_a_subscriber_who_joined_since(engine, program):
    program.beneficiary("B1")
    queue_week(engine, CAMPAIGN, WEEK)
    program.beneficiary("B2")
    assert queue_week(engine, CAMPAIGN, WEEK) == QueueResult(queued_new=1, already_queued=1)


def test_send_queued_twice_sends_each_message_once(engine, program, tmp_path):
    program.beneficiary("B1").beneficiary("B2").beneficiary("B3")
    queue_week(engine, CAMPAIGN, WEEK)
    gateway = FileGateway(tmp_path / "sms")
    assert send_queued(engine, CAMPAIGN, WEEK, gateway) == SendSummary(sent=3, failed=0, skipped=0)
    assert send_queued(engine, CAMPAIGN, WEEK, gateway) == SendSummary(sent=0, failed=0, skipped=0)
    assert len(_lines(tmp_path)) == 3


def test_a_wired_row_records_the_gateway_and_its_id(engine, program, tmp_path):
    program.beneficiary("B1")
    queue_week(engine, CAMPAIGN, WEEK)
    send_queued(engine, CAMPAIGN, WEEK, FileGateway(tmp_path / "sms"))
    row = _outbox(engine)[0]
    assert (row["status"], row["gateway"], row["gateway_message_id"], row["attempts"]) == (
        "wired",
        "file",
        "file-2018-2019-w02-B1",
        1,
    )
    assert row["wired_at"] is not None


def test_send_queued_works_through_every_chunk(engine, program, tmp_path):
    for i in range(5):
        program.beneficiary(f"B{i}")
    queue_week(engine, CAMPAIGN, WEEK)
    summary = send_queued(engine, CAMPAIGN, WEEK, FileGateway(tmp_path / "sms"), chunk_size=2)
    assert (summary.sent, len(_lines(tmp_path))) == (5, 5)


def test_a_rejected_message_fails_with_the_gateway_reason(engine, program):
    program.beneficiary("B1").beneficiary("B2")
    queue_week(engine, CAMPAIGN, WEEK)
    summary = send_queued(engine, CAMPAIGN, WEEK, Rejecting(final={"2018-2019-w02-B2"}, transient=set()))
    assert summary == SendSummary(sent=1, failed=1, skipped=0)
    assert [(r["status"], r["error"]) for r in _outbox(engine)] == [("wired", None), ("failed", "rejected")]


def test_a_transient_rejection_stays_queued_for_the_next_run_and_stops_this_one(engine, program):
    program.beneficiary("B1").beneficiary("B2").beneficiary("B3")
    queue_week(engine, CAMPAIGN, WEEK)
    gateway = Rejecting(final=set(), transient={"2018-2019-w02-B1"})
    summary = send_queued(engine, CAMPAIGN, WEEK, gateway, chunk_size=2)
    assert (summary, gateway.calls) == (SendSummary(sent=1, failed=0, skipped=0, retry_later=1), 1)
    assert [r["status"] for r in _outbox(engine)] == ["queued", "wired", "queued"]


def test_a_transient_rejection_fails_for_good_after_three_attempts(engine, program):
    program.beneficiary("B1")
    queue_week(engine, CAMPAIGN, WEEK)
    gateway = Rejecting(final=set(), transient={"2018-2019-w02-B1"})
    summaries = [send_queued(engine, CAMPAIGN, WEEK, gateway) for _ in range(3)]
    assert [s.failed for s in summaries] == [0, 0, 1]
    assert (_outbox(engine)[0]["status"], _outbox(engine)[0]["attempts"]) == ("failed", 3)


def test_a_subscriber_who_opts_out_after_queueing_gets_nothing(engine, program, tmp_path):
    program.beneficiary("B1").beneficiary("B2")
    queue_week(engine, CAMPAIGN, WEEK)
    program.opt_out("B2", datetime(2018, 11, 12, 7, 0))
    summary = send_queued(engine, CAMPAIGN, WEEK, FileGateway(tmp_path / "sms"))
    assert summary == SendSummary(sent=1, failed=0, skipped=1)
    assert [r["status"] for r in _outbox(engine)] == ["wired", "failed"]
    assert len(_lines(tmp_path)) == 1


def test_a_backfill_as_of_the_send_time_ignores_a_later_opt_out(engine, program, tmp_path):
    program.beneficiary("B1")
    queue_week(engine, CAMPAIGN, WEEK)
    program.opt_out("B1", datetime(2019, 1, 7, 9, 0))
    summary = send_queued(
        engine, CAMPAIGN, WEEK, FileGateway(tmp_path / "sms"), as_of=datetime(2018, 11, 12, 8)
    )
    assert summary == SendSummary(sent=1, failed=0, skipped=0)


def _set(engine, message_id: str, **values) -> None:
    with engine.begin() as conn:
        conn.execute(update(sms_outbox).where(sms_outbox.c.message_id == message_id).values(**values))


def test_rows_a_dead_sender_claimed_go_out_after_the_lease_but_its_rows_on_the_wire_stay_in_doubt(
    engine, program, tmp_path
):
    program.beneficiary("B1").beneficiary("B2").beneficiary("B3")
    queue_week(engine, CAMPAIGN, WEEK)
    two_minutes_ago, now = datetime.now(UTC) - timedelta(minutes=2), datetime.now(UTC)
    _set(engine, "2018-2019-w02-B1", status="claimed", wired_at=two_minutes_ago)  # a dead run's claim ahead
    _set(engine, "2018-2019-w02-B2", status="sending", wired_at=two_minutes_ago, attempts=1)  # on its wire
    _set(engine, "2018-2019-w02-B3", status="claimed", wired_at=now)  # a live run's claim ahead

    summary = send_queued(
        engine, CAMPAIGN, WEEK, FileGateway(tmp_path / "sms"), claim_lease=timedelta(minutes=1)
    )

    assert (summary.sent, summary.in_doubt) == (1, 1)
    assert [(r["status"], r["attempts"]) for r in _outbox(engine)] == [
        ("wired", 1),
        ("sending", 1),
        ("claimed", 0),
    ]
    assert [json.loads(line)["message_id"] for line in _lines(tmp_path)] == ["2018-2019-w02-B1"]


def test_a_chunk_another_run_took_over_after_the_lease_is_not_sent_by_the_run_that_lost_it(
    engine, program, tmp_path
):
    program.beneficiary("B1").beneficiary("B2")
    queue_week(engine, CAMPAIGN, WEEK)
    paced = []

    def another_run_takes_the_chunk_ahead_over(n: int) -> None:
        paced.append(n)
        if len(paced) == 2:  # B2 was claimed ahead by this run; another run re-queued it and claimed it again
            _set(
                engine,
                "2018-2019-w02-B2",
                status="claimed",
                wired_at=datetime.now(UTC) + timedelta(seconds=1),
            )

    gateway = FileGateway(tmp_path / "sms")
    summary = send_queued(
        engine, CAMPAIGN, WEEK, gateway, chunk_size=1, pace=another_run_takes_the_chunk_ahead_over
    )

    assert (paced, summary.sent) == ([1, 1], 1)
    assert [json.loads(line)["message_id"] for line in _lines(tmp_path)] == ["2018-2019-w02-B1"]
    assert [r["status"] for r in _outbox(engine)] == ["wired", "claimed"]  # left to the run that holds it
