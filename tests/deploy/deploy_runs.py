"""Launch deployment runs on the test server and wait for their final states, through Prefect's own client."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from deploy_stack import wait_for


@contextmanager
def client_for(api_url: str) -> Iterator[Any]:
    """A sync Prefect client for the test server (the test process has no PREFECT_API_URL of its own)."""
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: api_url}), get_client(sync_client=True) as client:
        yield client


def launch(api_url: str, deployment: str, parameters: dict[str, Any]) -> UUID:
    """Create a run of a deployment ("flow/deployment") for the worker to pick up; returns its id."""
    with client_for(api_url) as client:
        dep = client.read_deployment_by_name(deployment)
        return client.create_flow_run_from_deployment(dep.id, parameters=parameters).id


def wait_final(api_url: str, run_id: UUID, deadline_s: float = 150) -> Any:
    """The run once it reached a final state (Completed, Failed, Crashed, Cancelled)."""

    def final() -> Any:
        with client_for(api_url) as client:
            run = client.read_flow_run(run_id)
        return run if run.state and run.state.is_final() else None

    return wait_for(f"flow run {run_id} to finish", final, deadline_s)


def flow_runs(api_url: str, flow_name: str) -> list[Any]:
    """Every run of a flow (deployment runs and subflow runs alike)."""
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName

    with client_for(api_url) as client:
        return client.read_flow_runs(flow_filter=FlowFilter(name=FlowFilterName(any_=[flow_name])), limit=200)


def wait_run_where(api_url: str, flow_name: str, what: str, predicate: Any, deadline_s: float = 150) -> Any:
    """The first run of a flow matching predicate once it is final, e.g. the ingest of one given file."""

    def found() -> Any:
        for run in flow_runs(api_url, flow_name):
            if predicate(run) and run.state and run.state.is_final():
                return run
        return None

    return wait_for(what, found, deadline_s)
