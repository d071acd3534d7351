"""The Alembic migrations build exactly the schema the code writes to, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import inspect

from warehouse.db import engine_for
from warehouse.schema import metadata


def test_migrations_create_every_table_with_every_column(warehouse_url: str) -> None:
    inspector = inspect(engine_for(warehouse_url))
    for table in metadata.sorted_tables:
        columns = {c["name"] for c in inspector.get_columns(table.name)}
        assert columns == {c.name for c in table.columns}, table.name


def test_schema_matches_the_models_with_nothing_left_to_migrate(warehouse_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with engine_for(warehouse_url).connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
    assert diff == []


def test_an_unreachable_warehouse_is_one_clear_error() -> None:
    import pytest

    from warehouse.db import WarehouseError

    with pytest.raises(WarehouseError, match="cannot reach the warehouse at postgresql"):
        engine_for("postgresql+psycopg://nobody@127.0.0.1:1/none")
