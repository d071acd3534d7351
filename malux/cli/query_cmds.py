"""`malux indicators compute|show` and `malux query`: the numbers, as stored, for people and scripts."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from malux.cli.environment import warehouse_engine
from malux.cli.errors import user_errors
from malux.cli.formats import TabularFormat
from tasks.safe_cells import safe_csv_cell

out = Console()
err = Console(stderr=True, highlight=False)


COLUMNS = (
    "indicator",
    "period",
    "disaggregation",
    "numerator",
    "denominator",
    "value",
    "target",
    "aggregation",
    "note",
)


def _emit(columns: list[str], rows: list[dict[str, Any]], fmt: TabularFormat) -> None:
    """Rows as JSON (a list of objects), CSV (a header line) or a table for the eye."""
    if fmt is TabularFormat.json:
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False, default=str))
    elif fmt is TabularFormat.csv:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\r\n")  # RFC 4180: a CR is quoted
        writer.writeheader()
        for row in rows:
            writer.writerow({k: safe_csv_cell(_csv_value(v)) for k, v in row.items()})
        typer.echo(buffer.getvalue(), nl=False)
    else:
        # Text, not markup: a value such as "[/foo]" is shown as it is stored.
        table = Table()
        for column in columns:
            table.add_column(Text(column))
        for row in rows:
            table.add_row(*(Text("" if row[c] is None else _cell(row[c])) for c in columns))
        out.print(table)


def _csv_value(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else value


def _cell(value: Any) -> str:
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float):
        return f"{value:,.4g}"
    return str(value)


@user_errors
def indicators_compute(period: str = typer.Option(..., help="DHIS2 bimonthly period, e.g. 201903B.")) -> None:
    """Compute and store every indicator of one period."""
    from malux.cli.environment import in_process_flows
    from tasks.indicators.periods import parse_period

    parse_period(period)
    with in_process_flows():
        from flows.compute_indicators import compute_indicators

        stored = compute_indicators(period)
    out.print(f"{period}: {stored} indicator values stored.")


def _whole(number: float | None) -> float | int | None:
    """A stored count (a float column) as the integer it is, so JSON says 12, not 12.0."""
    return int(number) if number is not None and float(number).is_integer() else number


def indicator_rows(period: str) -> list[dict[str, Any]]:
    """The stored values of a period in issue #5's JSON shape (a ratio's value is a fraction), each with its
    kind (period, to_date, at_end) and why it is empty; a count indicator's numbers are integers."""
    from tasks.indicators.catalogue import load_catalogue
    from warehouse.indicator_values import period_values

    counts = {i.id for i in load_catalogue().values() if i.unit == "count"}
    rows = []
    for v in period_values(warehouse_engine(), period):
        numbers = {f: getattr(v, f) for f in ("numerator", "denominator", "value", "target")}
        if v.indicator in counts:
            numbers = {f: _whole(n) for f, n in numbers.items()}
        key = {"indicator": v.indicator, "period": v.period, "disaggregation": json.loads(v.disaggregation)}
        rows.append({**key, **numbers, "aggregation": v.aggregation, "note": v.note})
    return rows


@user_errors
def indicators_show(
    period: str = typer.Option(..., help="DHIS2 bimonthly period, e.g. 201903B."),
    fmt: TabularFormat = typer.Option(TabularFormat.table, "--format", help="table, json or csv"),
) -> None:
    """Show the stored values of one period (a ratio's value is a fraction: 0.125, not 12.5)."""
    from tasks.indicators.periods import parse_period

    parse_period(period)
    rows = indicator_rows(period)
    columns = list(COLUMNS)
    _emit(columns, rows, fmt)
    if not rows:
        Console(stderr=True).print(
            f"No values stored for {period}: run `malux indicators compute --period {period}` first."
        )


@user_errors
def query(
    sql: str = typer.Argument(
        ..., help='One SELECT or WITH statement, e.g. "SELECT * FROM mart_sms_weekly".'
    ),
    fmt: TabularFormat = typer.Option(TabularFormat.table, "--format", help="table, json or csv"),
) -> None:
    """Run one read-only SQL query on the analyst views (the mart_* views of docs/data-dictionary.md)."""
    from sqlalchemy import make_url

    from malux.settings import get_settings
    from warehouse.analyst_query import execute, reader_connection
    from warehouse.read_only_sql import read_only_statement
    from warehouse.reader_role import query_url, role_of

    settings = get_settings()
    url = query_url(settings.database_url, settings.query.role, settings.query.url)
    statement = read_only_statement(sql, make_url(url).get_backend_name())
    if settings.query.url is None:
        warehouse_engine()  # as every read command: no schema yet, or an old one, says to upgrade
    limit = settings.query.timeout_s
    role = role_of(url)
    try:
        with reader_connection(url, limit) as conn:
            where = f"as role {role}" if role else "on the SQLite file opened read-only"
            err.print(f"malux query: {where}, {limit:g} s limit", markup=False)
            columns, rows = execute(conn, statement, limit)
    except KeyboardInterrupt:
        err.print("interrupted: the query was stopped", markup=False)
        raise typer.Exit(130) from None
    _emit(columns, rows, fmt)
