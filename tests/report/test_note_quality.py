"""The note's data-quality section counts only the files whose rows fed the period's values."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import insert

from tasks.indicators.periods import parse_period
from tasks.report.snapshot import take_snapshot
from warehouse.schema import quarantine


def _quarantined(program, batch: int, check: str, reason: str) -> None:
    with program.engine.begin() as conn:
        conn.execute(
            insert(quarantine).values(
                batch_id=batch, source_row=2, column_name="c", value="v", check_name=check, reason=reason
            )
        )


@pytest.fixture
def two_periods(program):
    """A May loan file (with a held-back row), a September loan file, and a price file no indicator reads."""
    may = program.batch("amassa", "loans", rows_in=5, rows_loaded=4, rows_quarantined=1)
    _quarantined(program, may, "date_valid", "31/02/2019 is not a date")
    program.loan("L1", principal=1_000_000, maturity="2019-08-30", disbursed="2019-05-02", batch=may)
    september = program.batch("kafo", "loans", rows_in=7, rows_loaded=5, rows_quarantined=2)
    _quarantined(program, september, "principal_positive", "-5 is not positive")
    program.loan("L2", principal=500_000, maturity="2020-01-30", disbursed="2019-09-10", batch=september)
    prices = program.batch("wfp", "market_prices", rows_in=9, rows_loaded=8, rows_quarantined=1)
    _quarantined(program, prices, "price_positive", "0 is not a price")
    for period in ("201903B", "201905B"):
        program.compute(period)
    return program, {"may": may, "september": september, "prices": prices}


def _quality(program, period: str) -> dict:
    with program.engine.connect() as conn:
        return take_snapshot(conn, parse_period(period))


def test_a_period_counts_the_files_of_its_values_only(two_periods):
    program, batches = two_periods
    may = _quality(program, "201903B")
    assert batches["may"] in may["batches"]
    assert batches["september"] not in may["batches"] and batches["prices"] not in may["batches"]
    amassa = next(p for p in may["partners"] if p["partner"] == "amassa")
    counts = (amassa["files"], amassa["rows_in"], amassa["rows_loaded"], amassa["rows_quarantined"])
    assert counts == (1, 5, 4, 1)
    assert {p["partner"] for p in may["partners"]} <= {"amassa", "fixture"}
    assert [r["check_name"] for r in may["reasons"]] == ["date_valid"]


def test_a_later_period_adds_the_files_that_fed_it(two_periods):
    program, batches = two_periods
    september = _quality(program, "201905B")
    assert {batches["may"], batches["september"]} <= set(september["batches"])  # L1 is still outstanding
    assert {r["check_name"] for r in september["reasons"]} == {"date_valid", "principal_positive"}
    assert "wfp" not in {p["partner"] for p in september["partners"]}


def test_the_rendered_section_shows_the_period_s_reasons_and_not_the_others(two_periods, tmp_path):
    from tasks.report.note import write_note

    program, _ = two_periods
    page = write_note(program.engine, "201903B", tmp_path, config_dir=program.config_dir).read_text()
    quality = page.split('id="quality"')[1].split("</section>")[0]
    assert "31/02/2019 is not a date" in quality
    assert "-5 is not positive" not in quality and "0 is not a price" not in quality and "wfp" not in quality


def test_a_file_rejected_whole_during_the_period_is_shown_though_it_fed_no_value(two_periods):
    program, batches = two_periods
    rejected = program.batch(
        "amassa",
        "loans",
        status="rejected",
        rows_in=3,
        rows_loaded=0,
        started_at=datetime(2019, 6, 3, tzinfo=UTC),
    )
    later = program.batch("amassa", "loans", status="rejected", started_at=datetime(2019, 9, 3, tzinfo=UTC))
    may_june = _quality(program, "201903B")
    assert rejected in may_june["batches"] and later not in may_june["batches"]
    amassa = next(p for p in may_june["partners"] if p["partner"] == "amassa")
    assert (amassa["files"], amassa["rejected"]) == (2, 1)  # the May file and the rejected June one
    assert later in _quality(program, "201905B")["batches"]
