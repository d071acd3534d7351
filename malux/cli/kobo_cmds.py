"""`malux kobo pull`: new KoboToolbox submissions of a form into the warehouse."""

from __future__ import annotations

import typer
from rich.console import Console

from malux.cli.errors import err, user_errors
from malux.cli.shown import shown

out = Console()


@user_errors
def kobo_pull_cmd(
    asset: str = typer.Option(..., "--asset", help="The form's asset uid, as in its KoboToolbox URL."),
    url: str | None = typer.Option(
        None, "--url", help="KoboToolbox server; default MALUX_KOBO_URL or https://kf.kobotoolbox.org."
    ),
) -> None:
    """Pull new submissions (token from MALUX_KOBO_TOKEN) and print rows in / loaded / quarantined."""
    from malux.settings import get_settings
    from tasks.sources.kobo import KoboError, required_token

    try:
        required_token(get_settings().kobo)  # refuse at once, before Prefect is even imported
    except KoboError as exc:
        err.print(f"[bold red]error:[/] {shown(exc)}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    from flows.kobo_pull import kobo_pull
    from malux.cli.environment import in_process_flows
    from tasks.ingest.models import BatchRejected

    try:
        with in_process_flows():
            s = kobo_pull(asset_uid=asset, base_url=url)
    except KoboError as exc:
        err.print(f"[bold red]error:[/] {shown(exc)}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    except BatchRejected as exc:
        err.print(f"[bold red]rejected:[/] {shown(exc)}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    if s is None:
        out.print(f"asset {asset}: nothing new", highlight=False)
        return
    out.print(f"asset {shown(asset)}: {shown(s.file_name)}: {s.describe()}", highlight=False, soft_wrap=True)
