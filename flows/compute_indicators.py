"""Flow: the bimonthly indicators of one period, computed in the warehouse and stored with their lineage."""

from __future__ import annotations

from prefect import flow

from tasks.indicators.steps import compute_period_task


@flow(name="compute-indicators", log_prints=True)
def compute_indicators(period: str) -> int:
    """Every indicator of the catalogue for a DHIS2 bimonthly period such as 201903B; returns the values stored."""
    return compute_period_task(period)
