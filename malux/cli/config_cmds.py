"""`malux config show`: the settings in force, secrets masked, and where each value came from."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from malux.cli.errors import user_errors
from malux.cli.formats import Format
from malux.settings import get_settings
from malux.settings.describe import effective

out = Console()


@user_errors
def config_show(fmt: Format = typer.Option(Format.table, "--format", help="table or json")) -> None:
    """Print every setting in force, secrets masked, with the variable that set it or `default`."""
    rows = effective(get_settings())
    if fmt is Format.json:
        data: dict[str, dict[str, dict[str, object]]] = {}
        for row in rows:
            data.setdefault(row.section, {})[row.name] = {
                "value": row.value,
                "source": row.source,
                "variable": row.variable,
            }
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    # Names and values fold rather than end in "…": a truncated path or URL is worse than a taller table.
    table = Table(title="MALUX settings")
    for header in ("setting", "value", "source", "variable"):
        table.add_column(header, overflow="fold")
    for row in rows:
        value = "unset" if row.value is None else str(row.value)
        table.add_row(row.path, value, row.source, row.variable)
    out.print(table)
