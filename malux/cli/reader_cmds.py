"""`malux db grant-reader`: the analysts' read-only PostgreSQL role, created or repaired on demand."""

from __future__ import annotations

from rich.console import Console

from malux.cli.errors import user_errors

out = Console(highlight=False)


def grant_for_analysts() -> str:
    """Create or repair the reader role (MALUX_QUERY_URL's user, else MALUX_QUERY_ROLE); says what holds."""
    from sqlalchemy import make_url
    from sqlalchemy.exc import DBAPIError

    from malux.settings import get_settings
    from warehouse.db import engine_for
    from warehouse.reader_role import grant_reader, query_url, role_of

    settings = get_settings()
    url = query_url(settings.database_url, settings.query.role, settings.query.url)
    role = role_of(url)
    if role is None or make_url(settings.database_url).get_backend_name() != "postgresql":
        return "SQLite has no roles: `malux query` opens the warehouse file read-only."
    # A password in MALUX_QUERY_URL becomes the role's; the superuser's own is never reused.
    try:
        done = grant_reader(
            engine_for(settings.database_url), role, settings.query.timeout_s, make_url(url).password
        )
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) != "42501":  # insufficient_privilege
            raise
        first = str(exc.orig).strip().splitlines()[0]
        raise PermissionError(
            f"the reader role {role} was not created or repaired: {first}; run `malux db grant-reader` "
            "with a warehouse URL whose role may create roles (CREATEROLE)"
        ) from None
    return (
        f"Reader role {done.role}: SELECT on {len(done.views)} analyst view(s) only, read-only, "
        f"statement_timeout {done.timeout_s:g} s."
    )


@user_errors
def db_grant_reader() -> None:
    """Create or repair the read-only role `malux query` and analysts' tools log in as (PostgreSQL)."""
    out.print(grant_for_analysts(), markup=False, soft_wrap=True)
