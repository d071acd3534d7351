"""The compute-indicators flow as the event trigger starts it: an upstream run id, the period defaulted."""

from datetime import date

import pytest
from sqlalchemy import func, select

from warehouse.schema import indicator_value

pytestmark = pytest.mark.usefixtures("prefect_harness")


class _NewYearsDay2020(date):
    @classmethod
    def today(cls) -> date:
        return cls(2020, 1, 1)


def test_a_triggered_run_computes_the_last_closed_bimonth(warehouse_url, monkeypatch):
    from flows.compute_indicators import compute_indicators
    from malux.settings import get_settings
    from warehouse.db import engine_for

    monkeypatch.setattr("tasks.indicators.steps.date", _NewYearsDay2020)
    stored = compute_indicators(upstream_flow_run_id="2f7c1a9e-0000-4000-8000-000000000001")
    with engine_for(get_settings().database_url).connect() as conn:
        periods = conn.execute(select(indicator_value.c.period, func.count()).group_by("period")).all()
    assert periods == [("201906B", stored)] and stored > 0  # on 1 January, November-December has closed
