"""`malux quarantine show|report`: the rows a batch held back, and the report that tells the partner why."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from malux.cli.errors import user_errors
from malux.cli.shown import shown
from warehouse.capped import capped

out = Console()


def _batch(batch_id: int):
    from malux.cli.environment import warehouse_engine
    from warehouse import batches

    engine = warehouse_engine()
    try:
        return engine, batches.get(engine, batch_id)
    except Exception as exc:  # NoResultFound: a batch id nobody ingested
        raise ValueError(f"no batch {batch_id}: see `malux batches` for the batch ids") from exc


@user_errors
def quarantine_show(batch_id: int = typer.Argument(..., help="Batch id, from `malux batches`.")) -> None:
    """List the rows a batch held back: row, column, value and reason; and where its validation report is."""
    from malux.settings import get_settings
    from tasks.ingest.models import work_dir
    from tasks.ingest.rejection_report import held_rows
    from tasks.validate.data_docs import REPORT_NAME

    engine, batch = _batch(batch_id)
    rows = held_rows(engine, batch_id)
    title = f"Batch {batch_id}: {shown(batch.file_name)} ({batch.dataset})"
    table = Table("row", "column", "value", "reason", title=title)
    for row in rows:  # Text, not markup: a held-back value such as "[/foo]" is shown as it was sent, capped
        cells = (row.column or "", capped(row.value or ""), capped(row.reason))
        table.add_row(str(row.source_row), *(Text(cell) for cell in cells))
    out.print(table)
    out.print(
        f"{batch.status}: rows in {batch.rows_in}, loaded {batch.rows_loaded}, quarantined "
        f"{batch.rows_quarantined}; {len(rows)} reason(s) listed.",
        highlight=False,
    )
    if batch.error:
        out.print(f"error: {shown(batch.error)}", highlight=False, soft_wrap=True)
    report = work_dir(get_settings().root, batch_id) / REPORT_NAME
    if report.exists():
        out.print(f"Validation report: {shown(report.as_uri())}", highlight=False, soft_wrap=True)


@user_errors
def quarantine_report(
    batch_id: int = typer.Argument(..., help="Batch id, from `malux batches`."),
    out_path: Path | None = typer.Option(
        None, "--out", help="Where to write the XLSX; default data/reports/rejet-lot-<batch>.xlsx."
    ),
) -> None:
    """Write the partner's rejection report (XLSX, in French): ligne, colonne, valeur, ce qui est attendu."""
    from malux.settings import get_settings
    from tasks.ingest.rejection_report import write_rejection_report

    settings = get_settings()
    engine, _ = _batch(batch_id)
    target = out_path or settings.reports_dir / f"rejet-lot-{batch_id}.xlsx"
    path, count = write_rejection_report(
        engine, batch_id, target, settings.config_dir, settings.expectations_dir
    )
    out.print(f"Rejection report of batch {batch_id} ({count} reason(s)): {shown(path)}", highlight=False)
