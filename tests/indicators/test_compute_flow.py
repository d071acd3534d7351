"""The compute-indicators flow as the event trigger starts it: an upstream run id, the period defaulted."""

import pytest
from sqlalchemy import func, select

from warehouse.schema import indicator_value

pytestmark = pytest.mark.usefixtures("prefect_harness")


def test_a_triggered_run_computes_the_last_closed_bimonth(data_dir):
    from flows.compute_indicators import compute_indicators
    from malux.settings import get_settings
    from tasks.indicators.steps import last_closed_period
    from warehouse.db import engine_for

    stored = compute_indicators(upstream_flow_run_id="2f7c1a9e-0000-4000-8000-000000000001")
    with engine_for(get_settings().database_url).connect() as conn:
        periods = conn.execute(select(indicator_value.c.period, func.count()).group_by("period")).all()
    assert periods == [(last_closed_period(), stored)] and stored > 0
