"""Flow: the bimonthly indicators of one period, computed in the warehouse and stored with their lineage."""

from __future__ import annotations

from prefect import flow

from tasks.indicators.steps import compute_period_task, last_closed_period


@flow(name="compute-indicators", log_prints=True)
def compute_indicators(period: str | None = None) -> int:
    """Every catalogue indicator of a DHIS2 bi-month (e.g. 201903B; default: the one just closed)."""
    return compute_period_task(period or last_closed_period())
