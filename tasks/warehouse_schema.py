"""The warehouse schema a flow writes to, brought to the latest migration before its first step."""

from __future__ import annotations

from prefect import get_run_logger

from malux.settings import get_settings
from warehouse.migrate import upgrade


def ensure_schema() -> None:
    """Migrate MALUX_WAREHOUSE_URL's warehouse if it is behind; after the first call in a process, free."""
    done = upgrade(get_settings().database_url)
    if done.changed:
        before = ", ".join(done.before) or "an empty database"
        get_run_logger().info("warehouse schema upgraded from %s to revision %s", before, done.head)
