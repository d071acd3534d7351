"""`malux loans aging|arrears`: the loan portfolio as a credit officer follows it, on any day."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from malux.cli.errors import user_errors
from malux.cli.formats import Format

out = Console()


class ArrearsFormat(StrEnum):
    """The arrears list also goes to AMASSA as a French spreadsheet."""

    table = "table"
    json = "json"
    xlsx = "xlsx"


def _as_of(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"--as-of {text!r} is not a date: expected YYYY-MM-DD, e.g. 2019-06-30") from exc


def _json_default(value: object) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def _xof(value: float) -> str:
    return f"{value:,.0f}"


@user_errors
def loans_aging(
    as_of: str = typer.Option(..., "--as-of", help="Reporting day, YYYY-MM-DD."),
    fmt: Format = typer.Option(Format.table, "--format", help="table or json"),
) -> None:
    """Outstanding loans (not written off) by days past due: current, 1-30, 31-60, 61-90, 91-180, >180."""
    from malux.cli.environment import warehouse_engine
    from tasks.loans.follow_up import aging

    day = _as_of(as_of)
    rows = aging(warehouse_engine(), day)
    if fmt is Format.json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table("days past due", "loans", "outstanding (XOF)", "share", title=f"Portfolio aging at {day}")
    total = sum(r["outstanding_xof"] for r in rows)
    for r in rows:
        share = f"{r['outstanding_xof'] / total:.1%}" if total else "–"
        table.add_row(r["bucket"], str(r["loans"]), _xof(r["outstanding_xof"]), share)
    table.add_row("total", str(sum(r["loans"] for r in rows)), _xof(total), "", style="bold")
    out.print(table)


@user_errors
def loans_arrears(
    as_of: str = typer.Option(..., "--as-of", help="Reporting day, YYYY-MM-DD."),
    fmt: ArrearsFormat = typer.Option(ArrearsFormat.table, "--format", help="table, json or xlsx"),
    out_path: Path | None = typer.Option(
        None, "--out", help="Where to write the XLSX; default data/reports/prets-en-retard-<date>.xlsx."
    ),
) -> None:
    """Every loan with days past due > 0: who borrowed, how late, principal overdue and outstanding."""
    from malux.cli.environment import warehouse_engine
    from tasks.loans.follow_up import arrears

    day = _as_of(as_of)
    late = arrears(warehouse_engine(), day)
    if fmt is ArrearsFormat.json:
        typer.echo(json.dumps([asdict(loan) for loan in late], indent=2, default=_json_default))
        return
    if fmt is ArrearsFormat.xlsx:
        from malux.settings import get_settings
        from tasks.loans.arrears_xlsx import write_arrears_xlsx

        target = out_path or get_settings().reports_dir / f"prets-en-retard-{day}.xlsx"
        path = write_arrears_xlsx(late, day, target)
        out.print(f"{len(late)} loan(s) in arrears at {day}: {path}", highlight=False)
        return
    table = Table(
        "loan",
        "borrower",
        "name",
        "organisation",
        "MFI",
        "crop",
        "days",
        "overdue (XOF)",
        "outstanding (XOF)",
        title=f"Loans in arrears at {day}",
    )
    for loan in late:
        table.add_row(
            loan.loan_id,
            loan.borrower_id,
            loan.borrower_name or "",
            loan.farmer_organisation or "",
            loan.mfi_id,
            loan.crop,
            str(loan.days_past_due),
            _xof(loan.overdue_principal_xof),
            _xof(loan.outstanding_xof),
        )
    out.print(table)
    out.print(f"{len(late)} loan(s) in arrears.", highlight=False)
