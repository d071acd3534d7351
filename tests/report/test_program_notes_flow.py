"""The demo's note step, the `program-notes` flow: one issued note per period of the program's calendar."""

from __future__ import annotations

import pytest
from program_builder import two_trained_in_may
from sqlalchemy import select

from tasks.report.calendar import reporting_periods
from warehouse.schema import note_issue

pytestmark = pytest.mark.usefixtures("prefect_harness")


def _issues(program) -> list[tuple[str, int, str]]:
    with program.engine.connect() as conn:
        rows = conn.execute(select(note_issue.c.period, note_issue.c.version, note_issue.c.lang)).all()
    return sorted(tuple(r) for r in rows)


def test_every_period_of_the_calendar_gets_its_note_in_time_order(settled_program, data_dir):
    from flows.monitoring_note import program_notes

    program = two_trained_in_may(settled_program)
    calendar = reporting_periods(program.config_dir)
    notes = program_notes("fr")
    assert list(notes) == calendar and len(calendar) == 6
    assert _issues(program) == [(p, 1, "fr") for p in calendar]
    for period, page in notes.items():
        assert page.parent == data_dir.resolve() / "reports" and page.name == f"note-{period}-v1-fr.html"
        assert f"({period})" in page.read_text(encoding="utf-8").split("</title>")[0]
