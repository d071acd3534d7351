"""The whole demo chain on the embedded SQLite warehouse, as `make demo` runs it, twice."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from tasks.generate import _LAYOUTS
from warehouse.db import engine_for
from warehouse.schema import beneficiaries, indicator_value, ingest_batch, sms_outbox

# The first test pays for two demo runs (~80 s on a quiet machine, ~430 s at load 7 on 2 cores).
# every demo partner file (tasks/generate) and the delivery-report export the aggregator sends back
FILES = len(_LAYOUTS) + 1

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("prefect_harness"), pytest.mark.timeout(1200)]


@pytest.fixture(scope="module")
def demo_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple:
    """Run the demo flow twice on one fresh data dir; the module's tests read what the runs left."""
    from malux.cli.environment import in_process_flows

    mp = pytest.MonkeyPatch()
    root = tmp_path_factory.mktemp("demo") / "data"
    mp.setenv("MALUX_DATA_DIR", str(root))
    try:
        from flows.demo import demo

        with in_process_flows():
            first = demo()
            values_after_first = _indicator_values(root)
            second = demo()
        yield root, first, second, values_after_first
    finally:
        mp.undo()


def _engine(root: Path):
    return engine_for(f"sqlite:///{root / 'warehouse.sqlite'}")


def _indicator_values(root: Path) -> list[tuple]:
    """Every stored value with its key, to compare two runs."""
    v = indicator_value.c
    with _engine(root).connect() as conn:
        return sorted(conn.execute(select(v.indicator, v.period, v.disaggregation, v.value)).all())


def test_every_file_accounts_for_every_row(demo_runs: tuple) -> None:
    root, first, _, _ = demo_runs
    with _engine(root).connect() as conn:
        ledger = conn.execute(select(ingest_batch)).mappings().all()
    assert len(ledger) == len(first.batches) == FILES
    for batch in ledger:
        assert batch["status"] == "loaded", batch["file_name"]
        assert batch["rows_in"] == batch["rows_loaded"] + batch["rows_quarantined"], batch["file_name"]
    # the generator plants a few percent of defects: some rows are held back, most are loaded
    assert 0 < sum(b["rows_quarantined"] for b in ledger) < 0.03 * sum(b["rows_in"] for b in ledger)


def test_every_subscriber_gets_one_message_per_campaign_week(demo_runs: tuple) -> None:
    root, first, _, _ = demo_runs
    with _engine(root).connect() as conn:
        recipients = func.count(sms_outbox.c.beneficiary_id.distinct())
        per_week = conn.execute(
            select(sms_outbox.c.campaign, sms_outbox.c.week, func.count(), recipients).group_by(
                sms_outbox.c.campaign, sms_outbox.c.week
            )
        ).all()
        audience = conn.execute(
            select(func.count()).where(
                beneficiaries.c.category.in_(["producer", "producer_org", "mse", "seed_company"]),
                beneficiaries.c.sms_consent.is_(True),
                beneficiaries.c.phone_valid.is_(True),
            )
        ).scalar_one()
    assert len(per_week) == 42
    assert audience > 1500
    assert all(total == distinct == audience for _, _, total, distinct in per_week)
    written = sum(1 for f in (root / "sms").rglob("*.jsonl") for _ in f.open(encoding="utf-8"))
    assert written == sum(total for *_, total, _ in per_week) == sum(b.sent for b in first.broadcasts)


def test_the_note_shows_the_latest_period_headline(demo_runs: tuple) -> None:
    root, first, _, _ = demo_runs
    assert first.note is not None and first.note.is_relative_to(root)
    html = first.note.read_text(encoding="utf-8")
    assert first.latest_period in html
    with _engine(root).connect() as conn:
        trained = conn.execute(
            select(indicator_value.c.value).where(
                indicator_value.c.indicator == "trained_producers",
                indicator_value.c.period == first.latest_period,
                indicator_value.c.disaggregation == "{}",
            )
        ).scalar_one()
    assert 1500 < trained <= 2000
    assert f"{trained:,.0f}".replace(",", "\u202f") in html or f"{trained:.0f}" in html


def test_a_second_run_ingests_nothing_sends_nothing_and_changes_no_value(demo_runs: tuple) -> None:
    root, _, second, values_after_first = demo_runs
    assert {b.status for b in second.batches} == {"already_ingested"}
    assert sum(b.sent + b.queued_new for b in second.broadcasts) == 0
    with _engine(root).connect() as conn:
        assert conn.execute(select(func.count()).select_from(ingest_batch)).scalar_one() == FILES
    assert _indicator_values(root) == values_after_first


def test_the_demo_issues_the_note_of_every_period_of_the_calendar_once(demo_runs: tuple) -> None:
    from tasks.report.calendar import reporting_periods

    root, first, second, _ = demo_runs
    calendar = reporting_periods()
    assert list(first.notes) == calendar and first.latest_period == calendar[-1]
    for period, page in first.notes.items():
        assert page.is_file() and page.name == f"note-{period}-v1-fr.html"
    assert second.notes == first.notes  # the second run changed no value: the same versions
