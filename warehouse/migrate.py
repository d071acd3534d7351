"""Bring a warehouse to the single head of its Alembic migrations, or say that it is not there.

Nothing migrates by surprise: `malux db upgrade` and the start of each flow that writes call `upgrade`; a
command that only reads calls `require_schema`. Once an engine is known to be at the head, neither touches
the database again in this process, and finding that out is one query of `alembic_version`.
"""

from __future__ import annotations

import functools
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import DBAPIError, OperationalError

from warehouse.db import PG_SCHEMA_LOCK_KEY, WarehouseError, engine_for
from warehouse.reader_role import configured_reader, grant_views

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
NO_SCHEMA = "the warehouse has no schema yet: run `malux db upgrade`"

_at_head: weakref.WeakSet[Engine] = weakref.WeakSet()  # a disposed-and-replaced engine is checked again
_lock = threading.Lock()  # flows may start in threads of one process


@dataclass(frozen=True)
class Upgrade:
    """What an upgrade found and left: the revisions before (none for an empty warehouse) and the head."""

    before: tuple[str, ...]
    head: str

    @property
    def changed(self) -> bool:
        """Whether a migration ran."""
        return self.before != (self.head,)


def alembic_config(url: str | None = None) -> Config:
    """An Alembic config pointing at the migrations shipped in this package."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


@functools.cache
def head_revision() -> str:
    """The one head of the shipped migrations; Alembic raises if a new migration forked a second one."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise WarehouseError(f"no migration found in {MIGRATIONS_DIR}")
    return head


def current_revisions(engine: Engine) -> tuple[str, ...]:
    """The revisions stamped in the warehouse, sorted; () when it has no schema yet. Usually one query."""
    with _connect(engine) as conn:
        try:
            return _stamped(conn)
        except DBAPIError:
            conn.rollback()
            if not inspect(conn).has_table("alembic_version"):
                return ()
            # It is there now: another process's migration committed between the two looks. Read it again;
            # a failure this time is something else, and says what.
            return _stamped(conn)


def upgrade(target: str | Engine) -> Upgrade:
    """Run every pending migration up to the head; at the head already, it is one query, then none."""
    engine = engine_for(target) if isinstance(target, str) else target
    head = head_revision()
    if engine in _at_head:
        return Upgrade((head,), head)
    with _lock:
        before = current_revisions(engine)
        if before != (head,):
            before = _migrate(engine)
        _at_head.add(engine)
    return Upgrade(before, head)


def require_schema(url: str) -> Engine:
    """The warehouse's engine, once its schema is at the head; otherwise a WarehouseError says what to run."""
    engine = engine_for(url)
    if engine in _at_head:
        return engine
    found, head = current_revisions(engine), head_revision()
    if not found:
        raise WarehouseError(NO_SCHEMA)
    if found != (head,):
        raise WarehouseError(
            f"the warehouse schema is at revision {', '.join(found)}, not this code's {head}: "
            "run `malux db upgrade`"
        )
    _at_head.add(engine)
    return engine


def _migrate(engine: Engine) -> tuple[str, ...]:
    """Upgrade in one transaction; returns the revisions found once no other process is migrating."""
    with _connect(engine) as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_SCHEMA_LOCK_KEY})
        # Read again under the lock: another process may have migrated while we waited.
        before = _stamped(conn) if inspect(conn).has_table("alembic_version") else ()
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
        if conn.dialect.name == "postgresql":
            grant_views(conn, configured_reader())  # a re-created view lost the reader's SELECT
    return before


def _stamped(conn: Connection) -> tuple[str, ...]:
    """The rows of alembic_version (several while the branches were unmerged)."""
    return tuple(sorted(conn.execute(text("SELECT version_num FROM alembic_version")).scalars()))


def _connect(engine: Engine) -> Connection:
    """A connection, or one line saying which warehouse cannot be reached and why."""
    try:
        return engine.connect()
    except OperationalError as exc:
        raise WarehouseError(
            f"cannot reach the warehouse at {engine.url.render_as_string(hide_password=True)}: "
            f"{str(exc.orig).strip().splitlines()[0]}"
        ) from exc
