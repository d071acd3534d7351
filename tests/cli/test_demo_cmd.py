"""`malux demo` as a newcomer runs it: a fresh data dir filled, and a summary that matches the warehouse."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from warehouse.db import engine_for
from warehouse.schema import ingest_batch

# The whole chain at its smallest scale (1): ~45 s on a quiet machine, 215 s measured at load 7 on 2 cores.
pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("prefect_harness"), pytest.mark.timeout(1200)]


def _row(output: str, first_cell: str) -> list[str]:
    """The cells of the table row that starts with `first_cell`."""
    for line in output.splitlines():
        cells = [c.strip() for c in re.split(r"[│┃|]", line) if c.strip()]
        if cells and cells[0] == first_cell:
            return cells
    raise AssertionError(f"no table row {first_cell!r} in:\n{output}")


def test_the_demo_fills_a_fresh_data_dir_and_its_summary_matches_the_warehouse(malux, data_dir):
    result = malux("demo", "--scale", "1")
    assert result.exit_code == 0, result.output
    unwrapped = result.output.replace("\n", "")  # the demo's console wraps long paths at 110 columns
    url = f"sqlite:///{data_dir.resolve() / 'warehouse.sqlite'}"
    assert re.search(r"Warehouse: ?(sqlite:///\S+?\.sqlite)", unwrapped).group(1) == url
    b = ingest_batch.c
    totals = (func.count(), func.sum(b.rows_in), func.sum(b.rows_loaded), func.sum(b.rows_quarantined))
    with engine_for(url).connect() as conn:
        ledger = conn.execute(select(b.dataset, *totals).group_by(b.dataset)).all()
    assert {dataset for dataset, *_ in ledger} >= {"beneficiaries", "loans", "sms_delivery_reports"}
    for dataset, files, rows_in, loaded, quarantined in ledger:
        assert _row(result.output, dataset) == [dataset, *map(str, (files, 0, rows_in, loaded, quarantined))]
    note = Path(re.search(r"Monitoring note: ?(\S+?\.html)", unwrapped).group(1))
    assert note.parent == data_dir.resolve() / "reports" and "<html" in note.read_text(encoding="utf-8")
