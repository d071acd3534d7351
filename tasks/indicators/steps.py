"""Prefect tasks over the indicators: which periods have data, and computing one of them."""

from __future__ import annotations

from datetime import date, datetime

from prefect import task
from sqlalchemy import func, select, union_all

from malux.settings import get_settings
from tasks.indicators.compute import compute_period
from tasks.indicators.periods import period_of, periods_between
from warehouse.db import engine_for
from warehouse.schema import loans, market_prices, repayments, sms_outbox, training_sessions


def _as_date(value: date | datetime | str) -> date:
    if isinstance(value, str):  # SQLite hands MIN over a UNION back as text
        return date.fromisoformat(value[:10])
    return value.date() if isinstance(value, datetime) else value


@task(name="program-periods")
def program_periods() -> list[str]:
    """Every bi-month from the first dated fact in the warehouse to the last: the periods worth reporting."""
    dated = union_all(
        select(training_sessions.c.held_on.label("d")),
        select(loans.c.disbursed_on),
        select(repayments.c.paid_on),
        select(market_prices.c.observed_on),
        select(func.date(sms_outbox.c.scheduled_at)),
    ).subquery()
    with engine_for(get_settings().database_url).connect() as conn:
        first, last = conn.execute(select(func.min(dated.c.d), func.max(dated.c.d))).one()
    if first is None:
        return []
    return [p.id for p in periods_between(_as_date(first), _as_date(last))]


def last_closed_period(today: date | None = None) -> str:
    """The bi-month that ended most recently: what a scheduled run on the 1st of an odd month reports."""
    return period_of(today or date.today()).previous().id


@task(name="compute-period")
def compute_period_task(period: str) -> int:
    """Compute and store every catalogue indicator of one period; returns the number of values stored."""
    settings = get_settings()
    return compute_period(engine_for(settings.database_url), period, settings.config_dir)
