"""`malux`: the console command over the flows. Heavy imports wait until a command needs them."""

from __future__ import annotations

import typer

from malux.cli.environment import prepare_prefect

prepare_prefect()  # before anything imports Prefect

from malux.cli import (  # noqa: E402
    config_cmds,
    demo_cmds,
    docs_cmds,
    ingest_cmds,
    kobo_cmds,
    loans_cmds,
    partners_cmds,
    pipeline_cmds,
    quarantine_cmds,
    query_cmds,
    reader_cmds,
    report_cmds,
    sms_cmds,
)

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
app.command("receiver")(sms_cmds.dlr_server)
app.command("dlr-server")(sms_cmds.dlr_server)  # the old name, kept for existing set-ups

partners = typer.Typer(help="Partner layouts (config/partners/).", no_args_is_help=True)
partners.command("check")(partners_cmds.partners_check)
app.add_typer(partners, name="partners")

quarantine = typer.Typer(help="Rows held back and the partner's rejection report.", no_args_is_help=True)
quarantine.command("show")(quarantine_cmds.quarantine_show)
quarantine.command("report")(quarantine_cmds.quarantine_report)
app.add_typer(quarantine, name="quarantine")

docs = typer.Typer(help="Documentation written from the declarations.", no_args_is_help=True)
docs.command("data-dictionary")(docs_cmds.data_dictionary)
docs.command("config-table")(docs_cmds.config_table)
app.add_typer(docs, name="docs")

db = typer.Typer(help="The warehouse schema.", no_args_is_help=True)
db.command("upgrade")(pipeline_cmds.db_upgrade)
db.command("grant-reader")(reader_cmds.db_grant_reader)
app.add_typer(db, name="db")

indicators = typer.Typer(help="Bimonthly indicators (DHIS2 periods such as 201903B).", no_args_is_help=True)
indicators.command("compute")(query_cmds.indicators_compute)
indicators.command("show")(query_cmds.indicators_show)
app.add_typer(indicators, name="indicators")

sms = typer.Typer(help="The weekly market SMS.", no_args_is_help=True)
sms.command("broadcast")(pipeline_cmds.sms_broadcast)
sms.command("preview")(sms_cmds.sms_preview)
sms.command("callback-urls")(sms_cmds.sms_callback_urls)
sms.command("kannel-config")(sms_cmds.sms_kannel_config)
sms.command("inbox")(sms_cmds.sms_inbox)
app.add_typer(sms, name="sms")

report = typer.Typer(help="The monitoring note and the campaign evaluation.", no_args_is_help=True)
report.command("note")(report_cmds.report_note)
report.command("evaluation")(report_cmds.report_evaluation)
app.add_typer(report, name="report")

export = typer.Typer(help="The values for other systems (DHIS2).", no_args_is_help=True)
export.command("dhis2")(report_cmds.export_dhis2)
app.add_typer(export, name="export")
app.command("query")(query_cmds.query)

kobo = typer.Typer(help="KoboToolbox forms (training attendance).", no_args_is_help=True)
kobo.command("pull")(kobo_cmds.kobo_pull_cmd)
app.add_typer(kobo, name="kobo")

loans = typer.Typer(help="Loan follow-up: portfolio aging and the arrears list.", no_args_is_help=True)
loans.command("aging")(loans_cmds.loans_aging)
loans.command("arrears")(loans_cmds.loans_arrears)
app.add_typer(loans, name="loans")

config = typer.Typer(help="The settings in force (MALUX_* variables).", no_args_is_help=True)
config.command("show")(config_cmds.config_show)
app.add_typer(config, name="config")


if __name__ == "__main__":
    app()
