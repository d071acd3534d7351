"""A weekly broadcast whose process is SIGKILLed half way is resumed by the server: each message once.

The broadcast goes through a real Kannel (fake SMSC), whose delivery reports a receiver stores as they come,
as `malux dlr-server` does: the messages the dead run had on the wire are vouched for by their reports.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import suppress
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from deploy_runs import client_for, flow_runs, wait_final
from deploy_stack import BIN, REPO, wait_for
from sqlalchemy import func, insert, select

from warehouse.db import engine_for
from warehouse.migrate import upgrade
from warehouse.schema import beneficiaries, ingest_batch, sms_outbox

sys.path.insert(0, str(REPO / "tests" / "sms" / "kannel"))
from dlr_sink import DlrSink  # noqa: E402
from kannel_harness import PASSWORD, USER, Kannel, decode_mt, kannel_missing  # noqa: E402

POOL = "malux-resume-test"  # its own pool and worker, whose settings shorten the windows
DEPLOYMENT = "resume-test"
PRODUCTION = REPO / "deployments" / "automations" / "resume-weekly-broadcast.yaml"
CAMPAIGN, WEEK = "2019-2020", 3
AUDIENCE = 700  # two chunks of the outbox (500, 200), paced at 30 a second by the server's sms-kannel limit
KILL_AFTER = 250  # messages at the fake SMSC: the first chunk is on the wire, the second not sent yet
LEASE_S, IN_DOUBT_S = 5, 10
SECRET = "test-dlr-secret"


def _test_automation() -> object:
    """The production automation as written, scoped to the test deployment, after the test's windows."""
    from prefect.events.schemas.automations import AutomationCore

    spec = yaml.safe_load(PRODUCTION.read_text(encoding="utf-8"))
    spec["name"] = "malux-resume-weekly-broadcast-test"
    spec["trigger"]["match_related"]["prefect.resource.name"] = DEPLOYMENT
    [action] = spec["actions"]
    action["schedule_after"] = LEASE_S + IN_DOUBT_S  # what setup_server.py puts there from these settings
    return AutomationCore.model_validate(spec)


def _deploy_broadcast(client: object) -> object:
    """The weekly-broadcast flow deployed on the test pool, heartbeats as in prefect.yaml."""
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.workers.process import ProcessWorker

    template = ProcessWorker.get_default_base_job_template()
    client.create_work_pool(WorkPoolCreate(name=POOL, type="process", base_job_template=template))
    return client.create_deployment(
        client.create_flow_from_name("weekly-broadcast"),
        DEPLOYMENT,
        work_pool_name=POOL,
        entrypoint="flows/weekly_broadcast.py:weekly_broadcast",
        pull_steps=[{"prefect.deployments.steps.set_working_directory": {"directory": str(REPO)}}],
        job_variables={"env": {"PREFECT_FLOWS_HEARTBEAT_FREQUENCY": "30"}},
    )


@pytest.fixture
def kannel(tmp_path: Path) -> Iterator[Kannel]:
    """A real Kannel for this test; skipped (failed under CI) when it is not installed."""
    why = kannel_missing()
    if why:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{why} (CI=true: the Kannel tests must run)")
        pytest.skip(why)
    instance = Kannel(tmp_path / "kannel")
    try:
        yield instance.start()
    finally:
        instance.stop()


@pytest.fixture
def receiver(pg_url: str) -> Iterator[DlrSink]:
    """Kannel's delivery reports, stored in the warehouse every half second as the real receiver would."""
    sink, stop = DlrSink(SECRET.encode()), threading.Event()

    def store() -> None:
        while not stop.wait(0.5):
            sink.store(engine_for(pg_url))

    thread = threading.Thread(target=store, daemon=True)
    _registry(pg_url)  # the reports' batch must exist before the first store
    thread.start()
    yield sink
    stop.set()
    thread.join(timeout=10)
    sink.close()


def _registry(url: str) -> None:
    """A migrated warehouse holding AUDIENCE subscribers with valid, distinct numbers."""
    upgrade(url)
    rows = [
        {
            "batch_id": 1, "source_row": i, "beneficiary_id": f"P{i:04d}", "category": "producer",
            "name": f"P{i:04d}", "cercle": "San", "cercle_pcode": "ML0405", "phone": f"+22376{i:06d}",
            "phone_raw": f"76{i:06d}", "phone_valid": True, "operator": "orange", "language": "fr",
            "gender": "F", "sms_consent": True, "registered_on": date(2019, 1, 15),
        }
        for i in range(1, AUDIENCE + 1)
    ]  # fmt: skip
    with engine_for(url).begin() as conn:
        conn.execute(
            insert(ingest_batch),
            {
                "batch_id": 1, "partner": "test", "dataset": "beneficiaries", "file_name": "registry.csv",
                "raw_path": "raw/registry.csv", "sha256": "0" * 64, "status": "loaded",
                "started_at": datetime(2019, 1, 15, tzinfo=UTC),
            },
        )  # fmt: skip
        conn.execute(insert(beneficiaries), rows)


def _by_status(url: str) -> dict[str, int]:
    with engine_for(url).connect() as conn:
        query = select(sms_outbox.c.status, func.count()).group_by(sms_outbox.c.status)
        return {status: n for status, n in conn.execute(query)}


def _flow_run_process(run_id: object) -> int | None:
    """The pid of the process running this flow run (the worker starts it with the run's id in its env)."""
    marker = f"PREFECT__FLOW_RUN_ID={run_id}".encode()
    for proc in Path("/proc").iterdir():
        with suppress(OSError):
            if proc.name.isdigit() and marker in (proc / "environ").read_bytes().split(b"\0"):
                return int(proc.name)
    return None


def test_a_broadcast_killed_half_way_is_resumed_by_the_server_and_sends_each_message_once(
    stack, pg_url, tmp_path, kannel, receiver
) -> None:
    env = stack.env | {
        "MALUX_WAREHOUSE_URL": pg_url, "MALUX_DATA_DIR": str(tmp_path / "data"),
        "MALUX_SMS_CLAIM_LEASE_SECONDS": str(LEASE_S), "MALUX_SMS_IN_DOUBT_SECONDS": str(IN_DOUBT_S),
        "MALUX_KANNEL_URL": kannel.url, "MALUX_KANNEL_USER": USER, "MALUX_KANNEL_PASSWORD": PASSWORD,
        "MALUX_DLR_URL": receiver.url, "MALUX_DLR_SECRET": SECRET, "PREFECT_FLOWS_HEARTBEAT_FREQUENCY": "30",
    }  # fmt: skip
    parameters = {"campaign": CAMPAIGN, "week": WEEK, "gateway": "kannel"}
    with client_for(stack.api_url) as client:
        automation_id = client.create_automation(_test_automation())
        deployment_id = _deploy_broadcast(client)
        run_id = client.create_flow_run_from_deployment(deployment_id, parameters=parameters).id
    worker_args = [str(BIN / "prefect"), "worker", "start", "--pool", POOL, "--name", "resume"]
    worker = stack.processes.start("worker-resume", worker_args, env)
    try:
        pid = wait_for("the broadcast's flow-run process", lambda: _flow_run_process(run_id), 120, 0.2)
        wait_for("the first chunk at the fake SMSC", lambda: len(kannel.mt_lines()) >= KILL_AFTER, 180, 0.05)
        os.kill(pid, signal.SIGKILL)  # the run's process only: its worker lives on and reports it Crashed

        crashed = wait_final(stack.api_url, run_id, 120)
        assert crashed.state.is_crashed(), f"the killed run ended {crashed.state.name}"
        assert len(kannel.mt_lines()) < AUDIENCE, (
            "the broadcast ended before it was killed: nothing to resume"
        )
        left = _by_status(pg_url)
        assert left.get("claimed", 0) + left.get("sending", 0) > 0, f"the dead run held nothing: {left}"

        def resumed() -> object:
            for run in flow_runs(stack.api_url, "weekly-broadcast"):
                if run.deployment_id == deployment_id and run.parameters.get("resumption") == 1:
                    return run
            return None

        resumption = wait_for("the server to resume the broadcast", resumed, 120)
        assert resumption.parameters == parameters | {"resumption": 1}
        done = wait_final(stack.api_url, resumption.id, 240)
        assert done.state.is_completed(), f"the resumption ended {done.state.name}: {done.state.message}"
        # Scheduled once the killed run's claims and messages on the wire have settled, not at once.
        assert done.expected_start_time >= crashed.state.timestamp + timedelta(seconds=LEASE_S + IN_DOUBT_S)

        phones = sorted(decode_mt(line)[0] for line in kannel.wait_for_mt(AUDIENCE, timeout=60))
        assert phones == [f"+22376{i:06d}" for i in range(1, AUDIENCE + 1)]  # every subscriber, each once
        statuses = _by_status(pg_url)
        assert sum(statuses.values()) == AUDIENCE and set(statuses) <= {"wired", "sent", "delivered"}
    finally:
        with suppress(ProcessLookupError):
            os.killpg(worker.pid, signal.SIGTERM)
        with client_for(stack.api_url) as client:
            client.delete_automation(automation_id)
