"""`malux partners check`: how a file's headers meet a partner's mapping, before anything is loaded."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from malux.cli.errors import user_errors
from malux.cli.formats import Format
from malux.cli.shown import shown

out = Console()


@user_errors
def partners_check(
    file: Path = typer.Argument(..., help="The partner's file (CSV, XLSX or JSON)."),
    dataset: str = typer.Option(..., help="Dataset the file holds, e.g. loans."),
    partner: str | None = typer.Option(
        None, help="Partner whose mapping applies (config/partners/<partner>)."
    ),
    fmt: Format = typer.Option(Format.table, "--format", help="table or json"),
) -> None:
    """Say which columns the mapping finds, which required ones are missing and which headers are ignored."""
    from tasks.ingest.register import check_input
    from tasks.standardise.file import inspect_file

    check_input(file, dataset)
    layout = inspect_file(file, dataset, partner)
    if fmt is Format.json:
        typer.echo(json.dumps({**asdict(layout), "ok": layout.ok}, indent=2, ensure_ascii=False))
    else:
        where = f"sheet {layout.sheet!r}, " if layout.sheet else ""
        out.print(f"{shown(layout.file)}: {shown(where)}header row {layout.header_row}", highlight=False)
        if layout.skipped_rows:
            out.print(f"skipped tag row(s) under the header: {layout.skipped_rows}", highlight=False)
        table = Table("canonical column", "read from header", title=f"{dataset} ({partner or 'canonical'})")
        for name, header in layout.mapped.items():
            table.add_row(name, shown(header))
        for name, headers in layout.missing.items():
            table.add_row(name, f"[red]MISSING (required): {shown(' or '.join(map(repr, headers)))}[/]")
        for name in layout.absent_optional:
            table.add_row(name, "[dim]absent (optional)[/]")
        out.print(table)
        out.print(f"ignored headers: {shown(layout.ignored or 'none')}", highlight=False, soft_wrap=True)
        if layout.duplicated:
            out.print(f"duplicated headers: {shown(layout.duplicated)}", highlight=False)
    if not layout.ok:
        raise typer.Exit(1)
