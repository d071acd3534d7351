"""`malux db|sms`: run one step of the pipeline by hand."""

from __future__ import annotations

import typer
from rich.console import Console

from malux.cli.errors import user_errors

out = Console()


@user_errors
def db_upgrade() -> None:
    """Create or migrate the warehouse schema (Alembic) at MALUX_WAREHOUSE_URL, then the read-only role."""
    from sqlalchemy import make_url

    from malux.settings import get_settings
    from warehouse.migrate import upgrade

    url = get_settings().database_url
    done = upgrade(url)
    where = f"Warehouse at {make_url(url).render_as_string(hide_password=True)}"
    if not done.changed:
        out.print(f"{where} is already at revision {done.head}: nothing to do.", highlight=False)
    elif not done.before:
        out.print(f"{where}: schema created at revision {done.head}.", highlight=False)
    else:
        before = ", ".join(done.before)
        out.print(f"{where}: upgraded from revision {before} to {done.head}.", highlight=False)
    from malux.cli.reader_cmds import grant_for_analysts

    try:
        out.print(grant_for_analysts(), highlight=False, markup=False, soft_wrap=True)
    except PermissionError as exc:  # the schema is done; `malux query` will say it cannot log in
        out.print(f"warning: {exc}", highlight=False, markup=False, soft_wrap=True)


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
    held = s.held.describe(campaign, week)
    if held:
        out.print(held, highlight=False)
