"""`malux`: the console command over the flows. Heavy imports wait until a command needs them."""

from __future__ import annotations

import typer

from malux.cli.environment import prepare_prefect

prepare_prefect()  # before anything imports Prefect

from malux.cli import demo_cmds, ingest_cmds, pipeline_cmds  # noqa: E402

app = typer.Typer(
    name="malux",
    help="MALUX: partner data in, validated warehouse, bimonthly indicators and the weekly market SMS out.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.command("demo")(demo_cmds.demo_cmd)
app.command("generate")(demo_cmds.generate_cmd)
app.command("ingest")(ingest_cmds.ingest)
app.command("batches")(ingest_cmds.list_batches)

db = typer.Typer(help="The warehouse schema.", no_args_is_help=True)
db.command("upgrade")(pipeline_cmds.db_upgrade)
app.add_typer(db, name="db")

indicators = typer.Typer(help="Bimonthly indicators (DHIS2 periods such as 201903B).", no_args_is_help=True)
indicators.command("compute")(pipeline_cmds.indicators_compute)
indicators.command("show")(pipeline_cmds.indicators_show)
app.add_typer(indicators, name="indicators")

sms = typer.Typer(help="The weekly market SMS.", no_args_is_help=True)
sms.command("broadcast")(pipeline_cmds.sms_broadcast)
app.add_typer(sms, name="sms")

report = typer.Typer(help="The monitoring note.", no_args_is_help=True)
report.command("note")(pipeline_cmds.report_note)
app.add_typer(report, name="report")

if __name__ == "__main__":
    app()
