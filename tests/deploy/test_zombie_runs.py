"""A run whose worker is killed is marked Crashed by the heartbeat automation of deployments/automations/."""

from __future__ import annotations

import os
import signal
import time
from contextlib import suppress
from datetime import timedelta
from pathlib import Path

import yaml
from deploy_runs import client_for
from deploy_stack import REPO, wait_for

POOL = "malux-zombie-test"  # its own pool, so the run lands on the worker this test kills and no other
FLOW = "malux-test-sleeper"
WINDOW_S = 45  # heartbeats every 30 s (Prefect's minimum), so 45 s tolerates one late heartbeat
PRODUCTION = REPO / "deployments" / "automations" / "crash-zombie-flow-runs.yaml"


def _test_automation() -> object:
    """The production automation as written, with a shorter window and scoped to the test flow only."""
    from prefect.events.schemas.automations import AutomationCore

    spec = yaml.safe_load(PRODUCTION.read_text(encoding="utf-8"))
    spec["name"] = "malux-crash-zombie-flow-runs-test"
    spec["trigger"]["within"] = WINDOW_S
    spec["trigger"]["match_related"] = {"prefect.resource.role": "flow", "prefect.resource.name": FLOW}
    return AutomationCore.model_validate(spec)


def _deploy_sleeper(client: object) -> object:
    """A process pool of its own and a deployment of the sleeper flow on it, heartbeats as in prefect.yaml."""
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.workers.process import ProcessWorker

    template = ProcessWorker.get_default_base_job_template()
    client.create_work_pool(WorkPoolCreate(name=POOL, type="process", base_job_template=template))
    return client.create_deployment(
        client.create_flow_from_name(FLOW),
        "zombie-test",
        work_pool_name=POOL,
        entrypoint="tests/deploy/sleeper_flow.py:sleeper",
        pull_steps=[{"prefect.deployments.steps.set_working_directory": {"directory": str(REPO)}}],
        job_variables={"env": {"PREFECT_FLOWS_HEARTBEAT_FREQUENCY": "30"}},
    )


def _alive(pid: int) -> bool:
    """True while the process exists and is not a zombie waiting to be reaped."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False


def test_a_run_whose_worker_is_killed_is_marked_crashed_by_the_heartbeat_automation(stack) -> None:
    pid_file = stack.data_dir.parent / "sleeper.pid"
    with client_for(stack.api_url) as client:
        automation_id = client.create_automation(_test_automation())
        deployment_id = _deploy_sleeper(client)
        params = {"pid_file": str(pid_file)}
        run_id = client.create_flow_run_from_deployment(deployment_id, parameters=params).id
    worker = stack.start_worker("worker-doomed", pool=POOL)
    flow_pid = None
    try:
        wait_for("the sleeper run to start and write its pid", pid_file.exists, 90)
        flow_pid = int(pid_file.read_text(encoding="utf-8"))
        time.sleep(2)  # let the run's first heartbeat reach the server
        # A dead machine: the worker's process group and the run's process, which Prefect starts in a session
        # of its own (it outlives a worker killed alone, and keeps sending heartbeats).
        os.killpg(worker.pid, signal.SIGKILL)
        os.kill(flow_pid, signal.SIGKILL)
        killed_at = time.monotonic()
        worker.wait(timeout=10)
        wait_for("the flow-run process to die", lambda: not _alive(flow_pid), 10)

        def crashed() -> object:
            """The run once Crashed; any other final state fails now rather than after the deadline."""
            with client_for(stack.api_url) as client:
                run = client.read_flow_run(run_id)
            assert not run.state.is_final() or run.state.is_crashed(), f"run ended {run.state.name}"
            return run if run.state.is_crashed() else None

        run = wait_for("the automation to mark the run Crashed", crashed, WINDOW_S + 60)
        took = time.monotonic() - killed_at
        print(f"zombie run marked Crashed {took:.0f} s after its worker was killed (window {WINDOW_S} s)")
        assert "missing heartbeats" in run.state.message
    finally:
        if flow_pid is not None and _alive(flow_pid):
            with suppress(ProcessLookupError):
                os.kill(flow_pid, signal.SIGKILL)
        with client_for(stack.api_url) as client:
            client.delete_automation(automation_id)
    with client_for(stack.api_url) as client:
        [production] = client.read_automations_by_name("malux-crash-zombie-flow-runs")
    assert production.trigger.within == timedelta(seconds=90)  # the copy differs by window and scope only
