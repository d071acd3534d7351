"""One analyst's query on a connection that can only read, stops at a time limit, and stops on Ctrl-C.

PostgreSQL: logged in as the reader role (warehouse/reader_role.py), never a role that can write, own a table
or act as a superuser; `statement_timeout` stops the query on the server, and Ctrl-C sends the server a cancel
so the query does not outlive the client. SQLite: the file opened read-only, with a progress handler that
stops the query at the limit or on Ctrl-C (SQLite does not see Python's KeyboardInterrupt while it runs), and
an authorizer that lets it read the analyst views only, as the reader role does.
"""

from __future__ import annotations

import signal
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from sqlalchemy import make_url

from warehouse.db import WarehouseError
from warehouse.read_only_sql import read_only_statement, with_names
from warehouse.views import VIEWS

APPLICATION_NAME = "malux query"
# Memberships that reach the server's files, programs or other backends, or every table.
_POWERFUL = (
    "pg_read_server_files",
    "pg_write_server_files",
    "pg_execute_server_program",
    "pg_signal_backend",
    "pg_read_all_data",
    "pg_write_all_data",
)
_PROGRESS_STEPS = 10_000  # SQLite VM steps between two looks at the clock and at Ctrl-C


class QueryTimedOut(WarehouseError):
    """The query ran past its time limit and the database stopped it."""


@dataclass
class _Stop:
    """Set by Ctrl-C, read by SQLite's progress handler."""

    interrupted: bool = False
    deadline: float = field(default=0.0)

    def __call__(self) -> bool:
        return self.interrupted or time.monotonic() > self.deadline


def run_read_only(url: str, sql: str, timeout_s: float = 30.0) -> tuple[list[str], list[dict[str, Any]]]:
    """Columns and rows of one read-only statement; a ValueError says why it is refused, QueryTimedOut names
    the limit, and Ctrl-C raises KeyboardInterrupt once the database has stopped the query."""
    dialect = make_url(url).get_backend_name()
    statement = read_only_statement(sql, dialect)
    with reader_connection(url, timeout_s) as conn:
        return execute(conn, statement, timeout_s)


@contextmanager
def reader_connection(url: str, timeout_s: float) -> Iterator[Any]:
    """A DB-API connection that can only read, with the time limit set: sqlite3 or psycopg."""
    if make_url(url).get_backend_name() == "sqlite":
        with _sqlite(url, timeout_s) as conn:
            yield conn
    else:
        with _postgresql(url, timeout_s) as conn:
            yield conn


def execute(conn: Any, statement: str, timeout_s: float) -> tuple[list[str], list[dict[str, Any]]]:
    """Columns and rows of a statement `read_only_statement` accepted, on a `reader_connection`."""
    if isinstance(conn, sqlite3.Connection):
        return _run_sqlite(conn, statement, timeout_s)
    return _run_postgresql(conn, statement, timeout_s)


def _too_long(timeout_s: float) -> QueryTimedOut:
    return QueryTimedOut(
        f"the query ran past its {timeout_s:g} s limit and was stopped (MALUX_QUERY_TIMEOUT_S)"
    )


def _refused(exc: Exception) -> ValueError:
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return ValueError(f"the warehouse refused the query: {first[:300]}")


# SQLite


@contextmanager
def _sqlite(url: str, timeout_s: float) -> Iterator[sqlite3.Connection]:
    from warehouse.migrate import require_schema

    require_schema(url)  # the views exist once the warehouse is migrated: say so, rather than "no table"
    path = make_url(url).database or ""
    conn = sqlite3.connect(f"file:{quote(path)}?mode=ro", uri=True, timeout=min(timeout_s, 30.0))
    try:
        conn.execute("PRAGMA query_only = ON")
        conn.set_authorizer(_ViewsOnly(_tables(conn)))
        yield conn
    finally:
        conn.close()


_SQLITE_ALLOWED = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_FUNCTION, getattr(sqlite3, "SQLITE_RECURSIVE", 33)}


@dataclass(frozen=True)
class _ViewsOnly:
    """SQLite's counterpart of the reader role (an authorizer): columns are read from the analyst views, or by
    them from their tables, or from the query's own WITH names; never from a table directly. Anything but a
    read is denied."""

    tables: frozenset[str]
    with_names: frozenset[str] = frozenset()

    def __call__(
        self, action: int, table: str | None, _col: str | None, _db: str | None, view: str | None
    ) -> int:
        if action == sqlite3.SQLITE_READ:
            own = table in self.with_names and table not in self.tables  # a WITH name never hides a table
            # SQLite names a WITH clause as the "view" reading for it: a WITH named like a view is no view.
            by_view = view in VIEWS and view not in self.with_names
            return sqlite3.SQLITE_OK if table in VIEWS or by_view or own else sqlite3.SQLITE_DENY
        return sqlite3.SQLITE_OK if action in _SQLITE_ALLOWED else sqlite3.SQLITE_DENY


def _tables(conn: sqlite3.Connection) -> frozenset[str]:
    """Every table and view name of the file, read before the authorizer is set."""
    return frozenset(
        r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")
    )


def _run_sqlite(
    conn: sqlite3.Connection, statement: str, timeout_s: float
) -> tuple[list[str], list[dict[str, Any]]]:
    stop = _Stop(deadline=time.monotonic() + timeout_s)
    conn.set_authorizer(None)
    conn.set_authorizer(_ViewsOnly(_tables(conn), with_names(statement, "sqlite")))
    conn.set_progress_handler(stop, _PROGRESS_STEPS)
    try:
        with _ctrl_c_sets(stop):
            cursor = conn.execute(statement)
            columns = [d[0] for d in cursor.description or ()]
            rows = cursor.fetchall()  # the rows are computed here too, under the same handler
    except sqlite3.OperationalError as exc:
        if stop.interrupted:
            raise KeyboardInterrupt from None
        if "interrupted" in str(exc):
            raise _too_long(timeout_s) from None
        raise _refused(exc) from None
    except sqlite3.Error as exc:
        raise _refused(exc) from None
    finally:
        conn.set_progress_handler(None, 0)
    return columns, [dict(zip(columns, row, strict=True)) for row in rows]


@contextmanager
def _ctrl_c_sets(stop: _Stop) -> Iterator[None]:
    """While SQLite runs, Ctrl-C marks the query to stop (the progress handler sees it) instead of raising."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def _mark(_signum: int, _frame: object) -> None:
        stop.interrupted = True

    previous = signal.signal(signal.SIGINT, _mark)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


# PostgreSQL


@contextmanager
def _postgresql(url: str, timeout_s: float) -> Iterator[Any]:
    import psycopg

    parsed = make_url(url)
    conninfo = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    milliseconds = max(1, round(timeout_s * 1000))
    try:
        conn = psycopg.connect(
            conninfo,
            application_name=APPLICATION_NAME,
            options=f"-c statement_timeout={milliseconds} -c default_transaction_read_only=on "
            f"-c idle_in_transaction_session_timeout={milliseconds}",
            connect_timeout=10,
        )
    except psycopg.OperationalError as exc:
        first = (str(exc).strip().splitlines() or ["no answer"])[-1]
        raise WarehouseError(
            f"cannot log in as {parsed.username} at {parsed.render_as_string(hide_password=True)}: {first} — "
            "create the read-only role with `malux db grant-reader`, or set MALUX_QUERY_URL"
        ) from None
    try:
        _require_reader(conn, parsed.username or "")
        yield conn
    finally:
        conn.close()


def _require_reader(conn: Any, user: str) -> None:
    """Refuse a login that could do more than read the views; and say when it cannot read them yet."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT rolname FROM pg_roles WHERE pg_has_role(current_user, oid, 'USAGE') "
            "AND (rolsuper OR rolname = ANY(%s))",
            (list(_POWERFUL),),
        )
        powers = [r[0] for r in cur.fetchall()]
        cur.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm') "
            "AND (pg_has_role(current_user, c.relowner, 'USAGE') "
            "OR has_table_privilege(c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE'))",
        )
        writable = cur.fetchone()[0]
        cur.execute(
            "SELECT count(*) FROM pg_class c WHERE c.relkind = 'v' AND c.relname = ANY(%s) "
            "AND has_table_privilege(c.oid, 'SELECT')",
            (list(VIEWS),),
        )
        readable = cur.fetchone()[0]
    conn.rollback()
    if powers or writable:
        if user in powers or not powers:
            what = "is a superuser" if user in powers else f"can write or owns {writable} table(s)"
        else:
            what = f"acts as {', '.join(sorted(powers))}"
        raise WarehouseError(
            f"malux query will not log in as {user}, which {what}: use the read-only role "
            "(`malux db grant-reader`; MALUX_QUERY_URL)"
        )
    if not readable:
        raise WarehouseError(
            f"the role {user} cannot read the analyst views: run `malux db upgrade` "
            "(or `malux db grant-reader`)"
        )


def _run_postgresql(conn: Any, statement: str, timeout_s: float) -> tuple[list[str], list[dict[str, Any]]]:
    import psycopg
    from psycopg import errors

    try:
        with conn.cursor() as cur:
            # prepare=True: the extended protocol, so the server itself refuses a second statement.
            cur.execute(statement, prepare=True)
            columns = [d.name for d in cur.description or ()]
            rows = cur.fetchall()
        conn.rollback()
    except KeyboardInterrupt:
        # psycopg has already asked the server to cancel; a query still active is cancelled here.
        if not conn.closed and conn.info.transaction_status == psycopg.pq.TransactionStatus.ACTIVE:
            conn.cancel_safe(timeout=5.0)
        raise
    except errors.QueryCanceled as exc:
        if "statement timeout" in str(exc):
            raise _too_long(timeout_s) from None
        raise _refused(exc) from None
    except psycopg.Error as exc:
        raise _refused(exc) from None
    return columns, [dict(zip(columns, row, strict=True)) for row in rows]
