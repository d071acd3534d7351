"""A broadcast whose Kannel is down fails, and what it wrote anywhere holds no token and no password."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from kannel_harness import USER, free_port
from sqlalchemy import select

from tasks.sms.dlr_token import token_for
from warehouse.schema import sms_outbox

pytestmark = pytest.mark.usefixtures("prefect_harness")
CAMPAIGN, WEEK = "2018-2019", 2
ROOT = Path(__file__).parents[3]
SECRET = "dlr-secret-for-the-leak-test"
PASSWORD = "kannel-pw-Zq81/x+y"  # with characters that URL-encoding changes


@pytest.fixture
def kannel_limit():
    """The broadcast's rate limit on the test server, as deployments/limits.yaml creates it."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        client.upsert_global_concurrency_limit_by_name("sms-kannel", limit=1000, slot_decay_per_second=100)
        yield
        client.delete_global_concurrency_limit_by_name("sms-kannel")


def _prefect_texts() -> list[str]:
    """Every state message, result and log line the Prefect server holds for the runs of this test."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import LogFilter

    texts: list[str] = []
    with get_client(sync_client=True) as client:
        for flow_run in client.read_flow_runs():
            texts += [str(state) for state in client.read_flow_run_states(flow_run.id)]
        for task_run in client.read_task_runs():
            texts += [str(state) for state in client.read_task_run_states(task_run.id)]
        texts += [log.message for log in client.read_logs(LogFilter())]
    return texts


def test_a_broadcast_to_a_kannel_that_is_down_writes_no_token_or_password_anywhere(
    engine, program, data_dir, kannel_limit
):
    from prefect.settings import PREFECT_API_URL

    for i in range(12):
        program.beneficiary(f"B{i:02d}", phone=f"+2237600{i:04d}")
    env = os.environ | {
        "PREFECT_API_URL": PREFECT_API_URL.value(), "PREFECT_LOGGING_LEVEL": "DEBUG",
        "PREFECT_LOGGING_EXTRA_LOGGERS": "urllib3",  # the logger that prints sendsms URLs, into Prefect
        "MALUX_KANNEL_URL": f"http://127.0.0.1:{free_port()}/cgi-bin/sendsms",  # nothing listens: down
        "MALUX_KANNEL_USER": USER, "MALUX_KANNEL_PASSWORD": PASSWORD,
        "MALUX_DLR_URL": "http://127.0.0.1:8090", "MALUX_DLR_SECRET": SECRET,
    }  # fmt: skip
    argv = [sys.executable, "-m", "malux.cli.main", "sms", "broadcast", "--campaign", CAMPAIGN]
    run = subprocess.run(
        [*argv, "--week", str(WEEK), "--gateway", "kannel"],
        env=env, capture_output=True, text=True, cwd=ROOT, timeout=600,
    )  # fmt: skip

    with engine.connect() as conn:
        outbox = conn.execute(select(sms_outbox.c.message_id, sms_outbox.c.error)).all()
    assert "sent 0, failed 12" in run.stdout, run.stdout + run.stderr
    assert len(outbox) == 12 and all(error for _, error in outbox), "every message failed with its reason"
    assert "sendsms" in run.stderr  # urllib3 printed the requests it retried: the place a token would leak
    files = [
        p.read_text(errors="replace") for p in data_dir.rglob("*") if p.is_file() and p.suffix != ".sqlite"
    ]
    written = "\n".join([run.stdout, run.stderr, *(error for _, error in outbox), *files, *_prefect_texts()])
    # A token is hex, the same raw and URL-encoded; the password and the secret change when encoded.
    secrets = {token_for(mid, SECRET.encode()) for mid, _ in outbox}
    secrets |= {PASSWORD, quote(PASSWORD, safe=""), SECRET}
    leaked = sorted(s for s in secrets if s in written)
    assert leaked == []
