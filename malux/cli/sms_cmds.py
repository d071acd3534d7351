"""`malux receiver` (alias `dlr-server`) and `malux sms preview|callback-urls|kannel-config|inbox`."""

from __future__ import annotations

import json
from datetime import datetime

import typer
from rich.console import Console
from rich.table import Table

from malux.cli.environment import upgraded_warehouse_engine, warehouse_engine
from malux.cli.errors import user_errors
from malux.cli.formats import Format

out = Console()


@user_errors
def dlr_server(
    host: str = typer.Option("127.0.0.1", help="Address to listen on (0.0.0.0 for every interface)."),
    port: int = typer.Option(8090, min=0, max=65535, help="Port to listen on."),
) -> None:
    """Receive delivery reports and incoming SMS (answered by keyword) until stopped (Ctrl-C or SIGTERM)."""
    import contextlib
    import logging
    import signal

    from tasks.sms.receiver.server import Receiver

    # A service that writes: it migrates the warehouse first, before our log level lets Alembic talk.
    receiver = Receiver(upgraded_warehouse_engine(), host, port)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    def _stop(_signum, _frame) -> None:
        raise KeyboardInterrupt

    # SIGINT too: a process started in the background inherits it ignored, and Ctrl-C must still stop it
    for stop_signal in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop_signal, _stop)
    out.print(f"dlr-server listening on {receiver.url} (`malux sms callback-urls` shows what to configure)")
    with contextlib.suppress(KeyboardInterrupt):
        receiver.serve_forever()  # on stop: every reply in flight finishes, every queued report is written
    out.print("dlr-server stopped; every callback answered 200 is stored.")


@user_errors
def sms_callback_urls(
    base_url: str | None = typer.Option(None, help="Where dlr-server is reached (default MALUX_DLR_URL)."),
) -> None:
    """Print the callback URLs to set at each gateway; they hold secret tokens, so keep them out of logs."""
    from malux.settings import get_settings
    from tasks.sms.receiver.server import callback_urls

    base = base_url or get_settings().receiver.url
    if not base:
        raise ValueError("give --base-url or set MALUX_DLR_URL (where the gateways reach `malux dlr-server`)")
    for what, url in callback_urls(base).items():
        typer.echo(f"{what}:\n  {url}")


@user_errors
def sms_preview(
    campaign: str = typer.Option(..., help="Campaign, e.g. 2019-2020."),
    week: int = typer.Option(..., min=1, help="Campaign week, 1-21."),
    fmt: Format = typer.Option(Format.table, "--format", help="table or json"),
) -> None:
    """Show each text of a campaign week per language and cercle: encoding, segments, recipients, cost."""
    from dataclasses import asdict

    from malux.settings import get_settings
    from tasks.sms.calendar import week_for
    from tasks.sms.preview import preview_week

    week_for(campaign, week)
    settings = get_settings()
    preview = preview_week(
        warehouse_engine(), campaign, week, settings.sms.cost_per_segment_xof, settings.config_dir
    )
    if fmt is Format.json:
        data = asdict(preview) | {"cost_per_segment_xof": settings.sms.cost_per_segment_xof}
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))
        return
    table = Table(
        "lang", "cercle", "text", "encoding", "UCS-2 forced by", "segments", "recipients", "cost (XOF)",
        title=f"{campaign} week {week}", show_lines=True,
    )  # fmt: skip
    for line in preview.lines:
        table.add_row(
            line.language, line.cercle, line.text, line.encoding, " ".join(line.ucs2_chars),
            str(line.segments), f"{line.recipients:,}", f"{line.cost_xof:,.0f}",
        )  # fmt: skip
    out.print(table)
    replies = preview.replies
    out.print(
        f"Broadcast: {preview.recipients:,} recipients, {preview.segments:,} segments, "
        f"{preview.cost_xof:,.0f} XOF at {settings.sms.cost_per_segment_xof:g} XOF a segment."
    )
    out.print(
        f"Replies to incoming SMS ({replies.starts_at:%d/%m/%Y} to {replies.ends_before:%d/%m/%Y}): "
        f"{replies.replies:,} sent, {replies.segments:,} segments, {replies.cost_xof:,.0f} XOF."
    )
    out.print(f"Total: {preview.total_cost_xof:,.0f} XOF.")


@user_errors
def sms_kannel_config(
    base_url: str | None = typer.Option(None, help="Where the receiver is reached (default MALUX_DLR_URL)."),
) -> None:
    """Print the kannel.conf sms-service group that hands incoming SMS to the receiver (holds a token)."""
    from malux.settings import get_settings
    from tasks.sms.receiver.server import kannel_sms_service

    base = base_url or get_settings().receiver.url
    if not base:
        raise ValueError("give --base-url or set MALUX_DLR_URL (where Kannel reaches `malux receiver`)")
    typer.echo(kannel_sms_service(base), nl=False)


@user_errors
def sms_inbox(
    since: datetime | None = typer.Option(None, formats=["%Y-%m-%d"], help="First day listed (YYYY-MM-DD)."),
    fmt: Format = typer.Option(Format.table, "--format", help="table or json"),
) -> None:
    """List incoming messages with their keyword and reply status (phone numbers masked)."""
    from tasks.sms.inbox_listing import inbox_rows

    rows = inbox_rows(warehouse_engine(), since.date() if since else None)
    if fmt is Format.json:
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    headers = ("id", "received", "from", "text", "keyword", "lang", "reply", "reply status")
    table = Table(*headers, title="SMS inbox")
    for r in rows:
        table.add_row(
            str(r["inbox_id"]), r["received_at"], r["sender"], r["text"], r["keyword"], r["language"],
            r["reply_status"], r["reply_outbox_status"] or "-",
        )  # fmt: skip
    out.print(table)
    out.print(f"{len(rows)} incoming message{'s' if len(rows) != 1 else ''}.")
