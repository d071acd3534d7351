import os
import subprocess
from pathlib import Path

import pytest
from kannel_harness import decode_mt

from tasks.sms.outbox import queue_week
from tasks.sms.steps import send_week_task

pytestmark = pytest.mark.usefixtures("prefect_harness")
CAMPAIGN, WEEK = "2018-2019", 2
ROOT = Path(__file__).parents[3]


@pytest.fixture
def kannel_limit():
    """sms-kannel on the test server: 1000 slots that barely decay, so the slots taken stay readable."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        client.upsert_global_concurrency_limit_by_name("sms-kannel", limit=1000, slot_decay_per_second=0.001)
        yield lambda: client.read_global_concurrency_limit_by_name("sms-kannel")
        client.delete_global_concurrency_limit_by_name("sms-kannel")


def _three_subscribers(program) -> None:
    for i in range(3):
        program.beneficiary(f"B{i}", phone=f"+2237600000{i}")


def test_sending_through_kannel_without_its_rate_limit_fails_before_anything_is_sent(
    kannel, kannel_env, engine, program
):
    _three_subscribers(program)
    queue_week(engine, CAMPAIGN, WEEK)
    with pytest.raises(RuntimeError, match="no Prefect rate limit 'sms-kannel' on this server"):
        send_week_task.fn(CAMPAIGN, WEEK, "kannel")
    assert kannel.mt_lines() == []


def test_sending_through_kannel_takes_one_slot_of_its_rate_limit_per_message(
    kannel, kannel_env, engine, program, kannel_limit
):
    _three_subscribers(program)
    queue_week(engine, CAMPAIGN, WEEK)
    summary = send_week_task.fn(CAMPAIGN, WEEK, "kannel")
    assert (summary.sent, len(kannel.wait_for_mt(3))) == (3, 3)
    assert kannel_limit().active_slots == 3


def test_malux_sms_broadcast_with_the_kannel_gateway_sends_the_week_end_to_end(
    kannel, kannel_env, dlr_sink, engine, program, kannel_limit
):
    from prefect.settings import PREFECT_API_URL

    _three_subscribers(program)
    env = os.environ | {"PREFECT_API_URL": PREFECT_API_URL.value()}
    argv = [str(ROOT / ".venv/bin/malux"), "sms", "broadcast", "--campaign", CAMPAIGN, "--week", str(WEEK)]
    first = subprocess.run([*argv, "--gateway", "kannel"], env=env, capture_output=True, text=True, cwd=ROOT)
    assert "queued 3 (already queued 0), sent 3, failed 0" in first.stdout, first.stdout + first.stderr
    assert sorted(decode_mt(line)[0] for line in kannel.wait_for_mt(3)) == [
        f"+2237600000{i}" for i in range(3)
    ]
    assert len(dlr_sink.wait_delivered(3)) == 3
    assert kannel_env["MALUX_KANNEL_PASSWORD"] not in first.stdout + first.stderr
