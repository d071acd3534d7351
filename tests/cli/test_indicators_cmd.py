"""`malux indicators compute`: a period's indicators computed and stored, and a count a user can check."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from warehouse.schema import indicator_value

pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture
def trained(settled_program):
    """Two producers of San trained in May 2019, one of them twice; nothing computed yet."""
    program = settled_program
    for producer in ("P1", "P2"):
        program.beneficiary(producer)
    program.session("S1", held_on="2019-05-10")
    program.session("S2", held_on="2019-06-20")
    for session, producer in (("S1", "P1"), ("S1", "P2"), ("S2", "P1")):
        program.attended(session, producer)
    return program


def test_compute_stores_the_period_s_values_and_says_how_many(malux, trained):
    result = malux("indicators", "compute", "--period", "201903B")
    assert result.exit_code == 0, result.output
    with trained.engine.connect() as conn:
        stored = conn.scalar(
            select(func.count()).select_from(indicator_value).where(indicator_value.c.period == "201903B")
        )
    assert f"201903B: {stored} indicator values stored." in result.output and stored > 0
    assert trained.indicator("trained_producers", "201903B", compute=False).value == 2
    assert trained.indicator("training_sessions_held", "201903B", compute=False).value == 2


def test_a_malformed_period_is_refused_with_the_expected_shape_and_nothing_stored(malux, trained):
    result = malux("indicators", "compute", "--period", "2019-05")
    assert result.exit_code == 1
    assert "'2019-05' is not a DHIS2 bimonthly period id" in result.stderr
    with trained.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(indicator_value)) == 0
