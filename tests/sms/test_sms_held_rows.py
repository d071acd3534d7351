"""A run that finds messages another run holds (handed to the gateway, or claimed) says how many and when."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from tasks.sms.claims import Unsettled
from tasks.sms.gateways import FileGateway
from tasks.sms.outbox import queue_week, send_queued
from warehouse.schema import sms_outbox

CAMPAIGN, WEEK = "2018-2019", 2


def _set(engine, message_id: str, **values) -> None:
    with engine.begin() as conn:
        conn.execute(update(sms_outbox).where(sms_outbox.c.message_id == message_id).values(**values))


def _stamp(at: datetime) -> str:
    return f"{at:%Y-%m-%d %H:%M:%S} UTC"


def test_a_run_that_finds_rows_in_doubt_and_claimed_says_how_many_and_when_the_last_settles(
    engine, program, tmp_path
):
    for b in ("B1", "B2", "B3", "B4"):
        program.beneficiary(b)
    queue_week(engine, CAMPAIGN, WEEK)
    flipped = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=2)
    claimed = datetime.now(UTC).replace(microsecond=0)
    _set(engine, "2018-2019-w02-B1", status="sending", wired_at=flipped - timedelta(seconds=5), attempts=1)
    _set(engine, "2018-2019-w02-B2", status="sending", wired_at=flipped, attempts=1)
    _set(engine, "2018-2019-w02-B3", status="claimed", wired_at=claimed)
    in_doubt_after, lease = timedelta(minutes=10), timedelta(minutes=1)

    gateway = FileGateway(tmp_path / "sms")
    summary = send_queued(engine, CAMPAIGN, WEEK, gateway, in_doubt_after=in_doubt_after, claim_lease=lease)

    last = max(flipped + in_doubt_after, claimed + lease)  # the later of the two rules decides
    assert summary.sent == 1  # B4
    assert summary.held == Unsettled(in_doubt=2, claimed=1, settles_at=last)
    said = summary.held.describe(CAMPAIGN, WEEK)
    assert f"{CAMPAIGN} week {WEEK}: 3 messages not settled yet" in said
    assert "2 handed to the gateway with no answer, 1 claimed" in said
    assert f"they settle at {_stamp(last)}" in said


def test_a_claim_that_outlasts_the_in_doubt_rows_sets_when_the_week_settles(engine, program, tmp_path):
    program.beneficiary("B1").beneficiary("B2")
    queue_week(engine, CAMPAIGN, WEEK)
    now = datetime.now(UTC).replace(microsecond=0)
    _set(engine, "2018-2019-w02-B1", status="sending", wired_at=now - timedelta(seconds=50), attempts=1)
    _set(engine, "2018-2019-w02-B2", status="claimed", wired_at=now)
    in_doubt_after, lease = timedelta(seconds=60), timedelta(seconds=45)

    gateway = FileGateway(tmp_path / "sms")
    summary = send_queued(engine, CAMPAIGN, WEEK, gateway, in_doubt_after=in_doubt_after, claim_lease=lease)

    assert summary.held == Unsettled(1, 1, now + lease)


def test_a_week_nobody_holds_says_nothing(engine, program, tmp_path):
    program.beneficiary("B1")
    queue_week(engine, CAMPAIGN, WEEK)

    summary = send_queued(engine, CAMPAIGN, WEEK, FileGateway(tmp_path / "sms"))

    assert (summary.sent, summary.held) == (1, Unsettled(0, 0, None))
    assert summary.held.describe(CAMPAIGN, WEEK) is None


@pytest.mark.usefixtures("prefect_harness")
def test_malux_sms_broadcast_prints_the_rows_a_dead_run_left_in_doubt_and_when_they_settle(migrated):
    from malux.cli.main import app

    engine = migrated.engine
    for i, b in enumerate(("B1", "B2", "B3"), start=1):
        migrated.beneficiary(b, phone=f"+2237612345{i}")
    queue_week(engine, CAMPAIGN, WEEK)
    flipped = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    _set(engine, "2018-2019-w02-B2", status="sending", wired_at=flipped, attempts=1)  # a dead run's wire

    result = CliRunner().invoke(
        app,
        ["sms", "broadcast", "--campaign", CAMPAIGN, "--week", str(WEEK)],
        env={"COLUMNS": "250"},
        catch_exceptions=False,
    )

    assert result.exit_code == 0, result.output
    assert "queued 0 (already queued 3), sent 2, failed 0" in result.output
    settles = flipped + timedelta(seconds=600)  # MALUX_SMS_IN_DOUBT_SECONDS' default
    assert (
        f"{CAMPAIGN} week {WEEK}: 1 message not settled yet (1 handed to the gateway with no answer, "
        f"0 claimed by another run, running or dead): they settle at {_stamp(settles)}"
    ) in result.output
