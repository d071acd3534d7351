"""The whole computation: empty periods, totals for every indicator, replacing a period's rows."""

from sqlalchemy import func, select

from tasks.indicators.catalogue import load_catalogue
from warehouse.schema import indicator_value


def test_an_empty_period_gives_null_ratios_with_a_note_and_zero_counts(program):
    rate = program.indicator("sms_delivery_rate", period="201901B")
    par = program.indicator("par30", period="201901B", compute=False)
    trained = program.indicator("trained_producers", period="201901B", compute=False)
    reach = program.indicator("sms_weekly_reach", period="201901B", compute=False)
    assert rate.value is None and rate.note
    assert par.value is None and par.note
    assert reach.value is None and reach.note
    assert (trained.value, trained.note) == (0, None)


def test_every_catalogue_indicator_gets_a_total_row(program):
    program.compute("201903B")
    with program.engine.connect() as conn:
        totals = set(
            conn.execute(
                select(indicator_value.c.indicator).where(indicator_value.c.disaggregation == "{}")
            ).scalars()
        )
    assert totals == set(load_catalogue(program.config_dir / "indicators.yaml"))


def test_recomputing_a_period_replaces_its_rows(program):
    program.beneficiary("P1")
    first = program.compute("201903B")
    program.beneficiary("P2", category="mse")
    second = program.compute("201903B")
    with program.engine.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(indicator_value)).scalar()
    assert first == second == stored
    assert program.indicator("contact_coverage", "201903B", compute=False).denominator == 2
