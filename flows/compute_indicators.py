"""Flow: the bimonthly indicators of one period, computed in the warehouse and stored with their lineage."""

from __future__ import annotations

from prefect import flow, get_run_logger

from tasks.indicators.steps import compute_period_task, last_closed_period
from tasks.warehouse_schema import ensure_schema


@flow(name="compute-indicators", log_prints=True)
def compute_indicators(period: str | None = None, upstream_flow_run_id: str | None = None) -> int:
    """Every catalogue indicator of a DHIS2 bi-month (e.g. 201903B; default: the one just closed).

    `upstream_flow_run_id` is the ingest run whose completion triggered this one (the deployment's event
    trigger passes it), so the run says which new data it answers to.
    """
    ensure_schema()
    period = period or last_closed_period()
    if upstream_flow_run_id:
        get_run_logger().info("triggered by ingest flow run %s; computing %s", upstream_flow_run_id, period)
    return compute_period_task(period)
