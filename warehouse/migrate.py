"""Bring a warehouse to the latest schema with Alembic, the same way on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from warehouse.db import MIGRATIONS_DIR, WarehouseError


def alembic_config(url: str | None = None) -> Config:
    """An Alembic config pointing at the migrations shipped in this package."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(engine: Engine) -> None:
    """Run every pending migration; a warehouse that cannot be reached raises WarehouseError."""
    cfg = alembic_config()
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "heads")  # issues add migrations side by side; every branch applies
    except OperationalError as exc:
        raise WarehouseError(
            f"cannot reach the warehouse at {engine.url.render_as_string(hide_password=True)}: "
            f"{str(exc.orig).strip().splitlines()[0]}"
        ) from exc
