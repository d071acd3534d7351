"""The analysts' PostgreSQL role: it logs in, reads the analyst views (phones masked), and nothing else.

A `SET ROLE` on a superuser's connection is no guard (`set_config('role', …)` or `RESET ROLE` undoes it),
so `malux query` logs in as this role itself. It is no superuser, inherits nothing, owns nothing and holds
SELECT on the `mart_*` views only; PostgreSQL keeps the server's files and other roles' backends from it.
Its defaults (`statement_timeout`, read-only transactions) hold for every tool an analyst connects with.
SQLite has no roles: `malux query` opens the file read-only instead (warehouse/analyst_query.py).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import URL, Connection, Engine, inspect, make_url, text
from sqlalchemy.exc import DBAPIError

from warehouse.db import PG_SCHEMA_LOCK_KEY
from warehouse.views import VIEWS

# Another process creating or altering the same (cluster-wide) role at the same moment: try again.
_RACES = {"XX000", "40001", "40P01", "23505", "42710"}  # tuple concurrently updated, serialization, deadlock…
_ATTEMPTS = 5


@dataclass(frozen=True)
class ReaderGrant:
    """What `grant_reader` left in force."""

    role: str
    views: tuple[str, ...]
    timeout_s: float


def query_url(warehouse_url: str, role: str, explicit: str | None = None) -> str:
    """The URL `malux query` logs in with: the explicit one, else the warehouse's as `role`, with no password
    (the superuser's password is never reused); SQLite's file is the warehouse's own, opened read-only."""
    if explicit:
        return explicit
    url = make_url(warehouse_url)
    if url.get_backend_name() != "postgresql":
        return warehouse_url
    reader = URL.create(url.drivername, role, None, url.host, url.port, url.database, url.query)
    return reader.render_as_string(hide_password=False)


def role_of(url: str) -> str | None:
    """The role a PostgreSQL URL logs in as (None for SQLite)."""
    parsed = make_url(url)
    return parsed.username if parsed.get_backend_name() == "postgresql" else None


def configured_reader() -> str:
    """The reader role the settings name: the user of MALUX_QUERY_URL, else MALUX_QUERY_ROLE."""
    from malux.settings import get_settings

    query = get_settings().query
    return (role_of(query.url) if query.url else None) or query.role


def grant_reader(engine: Engine, role: str, timeout_s: float, password: str | None = None) -> ReaderGrant:
    """Create or repair the reader role and its grants in this warehouse; running it again changes nothing."""
    for attempt in range(1, _ATTEMPTS + 1):
        try:
            with engine.begin() as conn:
                # Grants on this warehouse wait for its migration or another grant; the role itself is
                # cluster-wide, so a race with another warehouse's upgrade is retried below.
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_SCHEMA_LOCK_KEY})
                _create_role(conn, role)
                _restrict_role(conn, role, timeout_s, password)
                views = grant_views(conn, role)
            return ReaderGrant(role, views, timeout_s)
        except DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) not in _RACES or attempt == _ATTEMPTS:
                raise
            time.sleep(0.2 * attempt)
    raise AssertionError("unreachable")  # pragma: no cover


def grant_views(conn: Connection, role: str) -> tuple[str, ...]:
    """SELECT on the analyst views and nothing else in the schema; a migration that re-creates a view calls
    this again, since a dropped view takes its grants with it. A role that does not exist is left alone."""
    if not _exists(conn, role):
        return ()
    who = _quote(role)
    database = _quote(conn.execute(text("SELECT current_database()")).scalar_one())
    schema = _quote(conn.execute(text("SELECT current_schema()")).scalar_one())
    for statement in (
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {who}",  # tables and views alike
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {who}",
        f"REVOKE CREATE ON SCHEMA {schema} FROM {who}",
        f"GRANT USAGE ON SCHEMA {schema} TO {who}",
        f"GRANT CONNECT ON DATABASE {database} TO {who}",
    ):
        conn.execute(text(statement))
    present = set(inspect(conn).get_view_names())
    views = tuple(view for view in VIEWS if view in present)
    for view in views:
        conn.execute(text(f"GRANT SELECT ON {_quote(view)} TO {who}"))
    return views


def _create_role(conn: Connection, role: str) -> None:
    """CREATE ROLE unless it exists; a concurrent creator's role counts as ours."""
    if _exists(conn, role):
        return
    conn.execute(
        text(
            "DO $malux$ BEGIN "
            f"CREATE ROLE {_quote(role)} LOGIN; "
            "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; "
            "END $malux$"
        )
    )


_ATTRIBUTES = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS"


def _restrict_role(conn: Connection, role: str, timeout_s: float, password: str | None) -> None:
    """No privilege beyond logging in, no membership, and the read-only, time-limited session defaults.

    Each ALTER runs only when something differs: the role is cluster-wide and every warehouse's upgrade
    repeats this.
    """
    who = _quote(role)
    found = conn.execute(
        text(
            "SELECT rolcanlogin AND NOT (rolsuper OR rolcreatedb OR rolcreaterole OR rolinherit "
            "OR rolreplication OR rolbypassrls) FROM pg_roles WHERE rolname = :role"
        ),
        {"role": role},
    ).scalar_one()
    if not found:
        conn.execute(text(f"ALTER ROLE {who} WITH {_ATTRIBUTES}"))
    memberships = conn.execute(
        text(
            "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
            "JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = :role"
        ),
        {"role": role},
    ).scalars()
    for granted in list(memberships):
        conn.execute(text(f"REVOKE {_quote(granted)} FROM {who}"))
    wanted = {
        "statement_timeout": f"{max(1, round(timeout_s * 1000))}ms",
        "default_transaction_read_only": "on",
    }
    current = _role_settings(conn, role)
    for name, value in wanted.items():
        if current.get(name) != value:
            conn.execute(text(f"ALTER ROLE {who} SET {name} = '{value}'"))
    if password:
        from psycopg import sql

        statement = sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(role), sql.Literal(password))
        conn.exec_driver_sql(statement.as_string(conn.connection.dbapi_connection))


def _role_settings(conn: Connection, role: str) -> dict[str, str]:
    """The role's own defaults for every database (`ALTER ROLE … SET`), as name -> value."""
    rows = conn.execute(
        text(
            "SELECT unnest(s.setconfig) FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole "
            "WHERE r.rolname = :role AND s.setdatabase = 0"
        ),
        {"role": role},
    ).scalars()
    return dict(item.split("=", 1) for item in rows)


def _exists(conn: Connection, role: str) -> bool:
    found = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :role"), {"role": role}).first()
    return found is not None


def _quote(name: str) -> str:
    """An identifier quoted as PostgreSQL reads it, whatever it holds."""
    return '"' + name.replace('"', '""') + '"'
