"""`malux db|indicators|sms|report`: run one step of the pipeline by hand."""

from __future__ import annotations

import csv
import io
import json
from enum import StrEnum

import typer
from rich.console import Console
from rich.table import Table

from malux.cli.errors import user_errors

out = Console()


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def _engine():
    from malux.settings import get_settings
    from warehouse.db import engine_for

    return engine_for(get_settings().database_url)


@user_errors
def db_upgrade() -> None:
    """Create or migrate the warehouse schema (Alembic) at MALUX_WAREHOUSE_URL."""
    engine = _engine()
    out.print(f"Warehouse at {engine.url.render_as_string(hide_password=True)} is up to date.")


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


@user_errors
def indicators_show(
    period: str = typer.Option(..., help="DHIS2 bimonthly period, e.g. 201903B."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, json or csv"),
) -> None:
    """Show the stored values of one period (a ratio's value is a fraction: 0.125, not 12.5)."""
    from tasks.indicators.periods import parse_period
    from warehouse.indicator_values import period_values

    parse_period(period)
    values = period_values(_engine(), period)
    rows = [
        {
            "indicator": v.indicator,
            "period": v.period,
            "disaggregation": json.loads(v.disaggregation),
            "numerator": v.numerator,
            "denominator": v.denominator,
            "value": v.value,
            "target": v.target,
        }
        for v in values
    ]
    if fmt is Format.json:
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    elif fmt is Format.csv:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]) if rows else ["indicator"])
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "disaggregation": json.dumps(row["disaggregation"], ensure_ascii=False)})
        typer.echo(buffer.getvalue(), nl=False)
    else:
        table = Table("indicator", "disaggregation", "numerator", "denominator", "value", "target")
        for r in rows:
            table.add_row(
                r["indicator"],
                json.dumps(r["disaggregation"], ensure_ascii=False),
                *(
                    "" if r[k] is None else f"{r[k]:,.4g}"
                    for k in ("numerator", "denominator", "value", "target")
                ),
            )
        out.print(table)
    if not rows:
        out.print(f"No values stored for {period}: run `malux indicators compute --period {period}` first.")


@user_errors
def sms_broadcast(
    campaign: str = typer.Option(..., help="Campaign, e.g. 2019-2020."),
    week: int = typer.Option(..., min=1, help="Campaign week, 1-21."),
    gateway: str | None = typer.Option(None, help="file (default, MALUX_SMS_GATEWAY), ..."),
) -> None:
    """Queue and send one campaign week's market SMS; each recipient gets it once, however often this runs."""
    from malux.cli.environment import in_process_flows
    from tasks.sms.calendar import week_for

    week_for(campaign, week)
    with in_process_flows():
        from flows.weekly_broadcast import weekly_broadcast

        s = weekly_broadcast(campaign, week, gateway)
    out.print(
        f"{campaign} week {week}: queued {s.queued_new} (already queued {s.already_queued}), "
        f"sent {s.sent}, failed {s.failed}"
    )


@user_errors
def report_note(
    period: str = typer.Option(..., help="DHIS2 bimonthly period, e.g. 201903B."),
    lang: str = typer.Option("fr", help="fr or en"),
) -> None:
    """Write the monitoring note of one period (HTML) from the stored indicator values."""
    from malux.cli.environment import in_process_flows
    from tasks.indicators.periods import parse_period

    parse_period(period)
    if lang not in ("fr", "en"):
        raise ValueError(f"unknown language {lang!r}: fr or en")
    with in_process_flows():
        from flows.monitoring_note import monitoring_note

        path = monitoring_note(period, lang)
    out.print(f"Monitoring note: {path}", highlight=False)
