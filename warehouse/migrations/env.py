"""Alembic environment: migrates the warehouse named by the caller or by MALUX_WAREHOUSE_URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from malux.settings import get_settings
from warehouse.db import make_engine
from warehouse.schema import metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things in place
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    url = context.config.get_main_option("sqlalchemy.url") or get_settings().database_url
    with make_engine(url).connect() as conn:
        _run(conn)
