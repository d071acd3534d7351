"""`malux report note|evaluation` and `malux export dhis2`: what the program hands to people and systems."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from pathlib import Path

import typer
from rich.console import Console

from malux.cli.errors import user_errors
from malux.cli.formats import ReportFormat

out = Console()


def _lang(lang: str) -> str:
    if lang not in ("fr", "en"):
        raise ValueError(f"unknown language {lang!r}: fr or en")
    return lang


@user_errors
def report_note(
    period: str | None = typer.Option(
        None, help="DHIS2 bimonthly period, e.g. 201903B; default: the latest closed one of the calendar."
    ),
    lang: str = typer.Option("fr", help="fr or en"),
    comments: Path | None = typer.Option(
        None, help="The officer's commentary, a Markdown file, shown as the note's Comments section."
    ),
) -> None:
    """Issue the monitoring note of one period (HTML and PDF): a new version only when its values or its
    commentary changed."""
    from malux.cli.environment import in_process_flows, upgraded_warehouse_engine
    from tasks.indicators.periods import parse_period
    from tasks.report.calendar import latest_closed_period
    from tasks.report.issue import latest_issue

    period = period or latest_closed_period()  # config/program.yaml reporting_periods
    parse_period(period)
    _lang(lang)
    if comments is not None and not comments.is_file():
        raise ValueError(f"no comments file at {comments}")
    engine = upgraded_warehouse_engine()  # read before the flow, which would migrate it anyway
    before = latest_issue(engine, period)
    with in_process_flows():
        from flows.monitoring_note import monitoring_note

        monitoring_note(period, lang, comments.resolve() if comments else None)
    issued = latest_issue(engine, period, lang)
    if issued is None:
        raise ValueError(f"the note of {period} was not issued")
    out.print(f"Monitoring note {period} version {issued.version}: {issued.html}", highlight=False)
    out.print(f"PDF: {issued.pdf}" if issued.pdf else "PDF: not printed (no Chromium found)", highlight=False)
    if before is not None and before.version == issued.version:
        out.print(
            f"Already issued as version {issued.version}: the stored values and the commentary have not "
            "changed since. "
            f"After new data, `malux indicators compute --period {period}` then this command make version "
            f"{issued.version + 1}."
        )
    elif issued.version == 1:
        out.print("First version.")
    elif not issued.changes:
        out.print("No value changed since the previous version.")
    else:
        values = [c for c in issued.changes if c.get("kind") != "comments"]
        if len(values) < len(issued.changes):
            out.print(f"The commentary changed since version {issued.version - 1}.")
        if values:
            out.print(f"{len(values)} values changed since version {issued.version - 1}:")
        for change in values[:20]:
            before = (change["previous"] or {}).get("value")
            after = (change["current"] or {}).get("value")
            detail = json.dumps(change["disaggregation"], ensure_ascii=False)
            out.print(
                f"  {change['indicator']} {change['period']} {detail}: {before} -> {after}", highlight=False
            )
        if len(values) > 20:
            out.print(f"  … and {len(values) - 20} more (see the note's first section).")


@user_errors
def report_evaluation(
    campaign: str = typer.Option(..., help="SMS campaign, e.g. 2019-2020."),
    lang: str = typer.Option("fr", help="fr or en"),
    output: ReportFormat = typer.Option(
        ReportFormat.html, "--format", help="html (and PDF with Chromium) or json (printed, nothing written)."
    ),
) -> None:
    """The evaluation and capitalisation report over a whole campaign, beside the previous one."""
    _lang(lang)
    if output is ReportFormat.json:
        from malux.cli.environment import warehouse_engine
        from tasks.report.evaluation_numbers import evaluate_campaign

        evaluation = evaluate_campaign(warehouse_engine(), campaign)
        typer.echo(json.dumps(evaluation.as_json(), indent=2, ensure_ascii=False))
        return
    from malux.cli.environment import in_process_flows

    with in_process_flows():
        from flows.evaluation_report import evaluation_report

        html, pdf = evaluation_report(campaign, lang)
    out.print(f"Evaluation report {campaign}: {html}", highlight=False)
    out.print(f"PDF: {pdf}" if pdf else "PDF: not printed (no Chromium found)", highlight=False)


@user_errors
def export_dhis2(
    period: str | None = typer.Option(None, help="DHIS2 bimonthly period, e.g. 201903B."),
    out_file: Path | None = typer.Option(None, "--out", help="Write the JSON here instead of stdout."),
    check: bool = typer.Option(False, "--check", help="Only check config/dhis2.yaml; export nothing."),
    allow_placeholders: bool = typer.Option(
        False, "--allow-placeholders", help="Accept `TODO-` placeholder uids (for a test instance)."
    ),
    complete_date: datetime | None = typer.Option(
        None, formats=["%Y-%m-%d"], help="Register the data set complete on this date (needs data_set)."
    ),
) -> None:
    """The period's stored values as a DHIS2 dataValueSets JSON payload (mapping: config/dhis2.yaml)."""
    if check:
        _check_dhis2_mapping(allow_placeholders)
        return
    if period is None:
        raise ValueError("--period is required to export (or --check to only check the mapping)")
    from malux.cli.environment import warehouse_engine
    from tasks.report.dhis2 import build_export

    when = complete_date.date() if complete_date else None
    export = build_export(
        warehouse_engine(), period, allow_placeholders=allow_placeholders, complete_date=when
    )
    count = len(export.payload["dataValues"])
    if not count:
        raise ValueError(
            f"no value to export for {period}: run `malux indicators compute --period {period}` first"
        )
    payload = json.dumps(export.payload, indent=2, ensure_ascii=False)
    err = Console(stderr=True)
    if out_file:
        out_file.parent.mkdir(parents=True, exist_ok=True)
        out_file.write_text(payload + "\n", encoding="utf-8")
        out.print(f"{count} data values written to {out_file}", highlight=False)
    else:
        typer.echo(payload)
    if export.skipped:
        reasons = Counter(why for _, why in export.skipped)
        summary = "; ".join(f"{n} × {why}" for why, n in reasons.most_common())
        err.print(f"{len(export.skipped)} stored values not sent: {summary}", highlight=False, soft_wrap=True)
    for short in export.short_of_total:
        err.print(f"DHIS2's total will differ: {short}", highlight=False, soft_wrap=True)


def _check_dhis2_mapping(allow_placeholders: bool) -> None:
    """What in config/dhis2.yaml would not import as meant; exit 1 on a problem or a placeholder."""
    from tasks.report.dhis2_mapping import check_mapping

    result = check_mapping()
    for problem in result.problems:
        out.print(f"problem: {problem}", highlight=False, soft_wrap=True)
    if result.placeholders:
        shown = ", ".join(result.placeholders[:5]) + (" …" if len(result.placeholders) > 5 else "")
        out.print(
            f"{len(result.placeholders)} placeholder uids (TODO-): {shown}", highlight=False, soft_wrap=True
        )
    elements = len(result.mapping.data_elements)
    if result.problems or (result.placeholders and not allow_placeholders):
        out.print(
            f"config/dhis2.yaml: {elements} data elements, not ready to import",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(1)
    out.print(f"config/dhis2.yaml: {elements} data elements, each sent once; ok", highlight=False)
