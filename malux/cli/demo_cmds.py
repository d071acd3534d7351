"""`malux demo` and `malux generate`: the whole chain on program-scale data, and the data alone."""

from __future__ import annotations

import time
from collections import defaultdict
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from malux.cli.errors import user_errors

out = Console(width=max(Console().width, 110))  # the tables stay readable when piped
HEADLINE = [
    "trained_producers",
    "contact_coverage",
    "sms_sent",
    "sms_delivery_rate",
    "sms_weekly_reach",
    "loans_disbursed_xof",
    "gross_loan_portfolio_xof",
    "par30",
    "repayment_rate",
]


@user_errors
def generate_cmd(
    out_dir: Path = typer.Option(..., "--out", help="Folder to write the partner files into."),
    scale: int = typer.Option(1, min=1, help="Multiply the population (producers, organisations, loans)."),
    seed: int = typer.Option(2019, help="Same seed, same bytes."),
) -> None:
    """Write the demo data set in partner layouts (landing/<partner>/<dataset>/...)."""
    from tasks.generate import generate

    files = generate(out_dir, scale=scale, seed=seed)
    for f in files:
        out.print(f"{f.dataset:<22} {f.partner:<8} {f.path}", highlight=False)


@user_errors
def demo_cmd(
    scale: int = typer.Option(1, min=1, help="Multiply the population, for benchmarks."),
    lang: str = typer.Option("fr", help="The notes' language: fr or en."),
) -> None:
    """Run the whole pipeline through Prefect flows on generated data, then print what it did."""
    from malux.cli.environment import in_process_flows
    from malux.settings import get_settings

    if lang not in ("fr", "en"):
        raise ValueError(f"unknown language {lang!r}: fr or en")
    settings = get_settings()
    started = time.perf_counter()
    with out.status("Running the MALUX demo through Prefect flows…"), in_process_flows():
        from flows.demo import demo

        summary = demo(scale=scale, lang=lang)
    elapsed = time.perf_counter() - started
    _print_batches(summary.batches)
    _print_sms(summary.broadcasts)
    _print_headline(settings.database_url, summary.latest_period)
    new = [b for b in summary.batches if b.status != "already_ingested"]
    sent = sum(b.sent for b in summary.broadcasts)
    if not new and not sent:
        out.print(
            "[bold]Nothing new:[/] every file was already ingested and every message already sent; "
            "the warehouse is unchanged."
        )
    out.print(f"Warehouse: {settings.database_url}", highlight=False)
    out.print(f"Lake: {settings.lake_dir}", highlight=False)
    out.print(f"SMS as the file gateway wrote them: {settings.outbox_dir}", highlight=False)
    out.print(f"Monitoring notes issued, one per period of the calendar: {', '.join(summary.notes)}")
    out.print(f"Monitoring note: [bold]{summary.note}[/]", highlight=False)
    out.print(f"Done in {elapsed:.1f} s.")


def _print_batches(batches: list) -> None:
    per = defaultdict(lambda: [0, 0, 0, 0, 0])
    for b in batches:
        row = per[b.dataset]
        row[0] += 1
        row[1] += b.status == "already_ingested"
        row[2] += b.rows_in
        row[3] += b.rows_loaded
        row[4] += b.rows_quarantined
    table = Table("dataset", "files", "already ingested", "rows in", "loaded", "quarantined", title="Ingest")
    for dataset, values in per.items():
        table.add_row(dataset, *(str(v) for v in values))
    out.print(table)


def _print_sms(broadcasts: list) -> None:
    table = Table("campaign", "weeks", "queued (new)", "already queued", "sent", "failed", title="Weekly SMS")
    per = defaultdict(lambda: [0, 0, 0, 0, 0])
    for b in broadcasts:
        row = per[b.campaign]
        row[0] += 1
        row[1] += b.queued_new
        row[2] += b.already_queued
        row[3] += b.sent
        row[4] += b.failed
    for campaign, values in per.items():
        table.add_row(campaign, *(str(v) for v in values))
    out.print(table)


def _print_headline(url: str, period: str) -> None:
    from tasks.indicators.catalogue import load_catalogue
    from warehouse.db import engine_for
    from warehouse.indicator_values import headline_values

    catalogue = load_catalogue()
    table = Table("indicator", "value", "target", "progress", title=f"Indicators, period {period}")
    for v in headline_values(engine_for(url), period, HEADLINE):
        indicator = catalogue[v.indicator]
        ratio_target = indicator.unit == "ratio" and indicator.target_of == "value"
        shown = (
            "—" if v.value is None else (f"{v.value:.1%}" if indicator.unit == "ratio" else f"{v.value:,.0f}")
        )
        if indicator.target_of == "numerator" and v.numerator is not None:
            shown += f" ({v.numerator:,.0f})"
        target = "" if v.target is None else (f"{v.target:.0%}" if ratio_target else f"{v.target:,.0f}")
        progress = indicator.progress(v.value, v.numerator, v.target)
        table.add_row(indicator.name_en, shown, target, "" if progress is None else f"{progress:.0%}")
    out.print(table)
