"""`malux ingest` and `malux batches`: load partner files and see what became of every row."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from malux.cli.errors import err, user_errors
from malux.cli.formats import Format
from malux.cli.shown import shown

out = Console()


@user_errors
def ingest(
    dataset: str = typer.Argument(..., help="Dataset name, e.g. loans, beneficiaries, market_prices."),
    files: list[Path] = typer.Argument(..., help="One or more partner files (CSV, XLSX)."),
    partner: str | None = typer.Option(
        None, help="Partner whose layout mapping applies (config/partners/<partner>)."
    ),
) -> None:
    """Ingest partner files: print rows in / loaded / quarantined; exit 1 if a file was rejected."""
    from flows.ingest_file import ingest_file
    from malux.cli.environment import in_process_flows
    from tasks.ingest.models import BatchRejected
    from tasks.ingest.register import check_input

    for path in files:
        check_input(path, dataset)  # refuse at once, before any flow starts
    rejected = 0
    for path in files:
        try:
            with in_process_flows():
                s = ingest_file(path=path, dataset=dataset, partner=partner)
        except BatchRejected as exc:
            err.print(f"[bold red]rejected:[/] {shown(exc)}", highlight=False, soft_wrap=True)
            rejected += 1
            continue
        out.print(f"{shown(path)}: {s.describe()}", highlight=False, soft_wrap=True)
    if rejected:
        raise typer.Exit(1)


@user_errors
def list_batches(fmt: Format = typer.Option(Format.table, "--format", help="table or json")) -> None:
    """List every ingest batch with its row counts and status."""
    from malux.cli.environment import warehouse_engine
    from warehouse.batches import list_batches as ledger

    rows = ledger(warehouse_engine())
    if fmt is Format.json:
        keep = [
            "batch_id",
            "partner",
            "dataset",
            "sha256",
            "rows_in",
            "rows_loaded",
            "rows_quarantined",
            "status",
        ]
        typer.echo(
            json.dumps([{**{k: asdict(r)[k] for k in keep}, "file": r.file_name} for r in rows], indent=2)
        )
        return
    table = Table("batch", "partner", "dataset", "file", "in", "loaded", "quarantined", "status")
    for r in rows:
        table.add_row(
            str(r.batch_id),
            shown(r.partner),
            r.dataset,
            shown(r.file_name),
            *(str(v) for v in (r.rows_in, r.rows_loaded, r.rows_quarantined)),
            r.status,
        )
    out.print(table)
