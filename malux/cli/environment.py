"""Prefect's environment for a CLI process, set before Prefect is first imported."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from malux.settings import get_settings

if TYPE_CHECKING:
    from sqlalchemy import Engine


def prepare_prefect() -> None:
    """Keep a server-less run's Prefect state beside the data, quiet, and away from the user's ~/.prefect."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")  # "database is locked" otherwise
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    # The temporary server takes 6-9 s to start on a quiet machine and more than Prefect's 20 s on a busy one.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    logging.getLogger("great_expectations").setLevel(logging.WARNING)  # it announces every temporary folder
    if "PREFECT_API_URL" not in os.environ and "PREFECT_HOME" not in os.environ:
        home = get_settings().root / "prefect"
        home.mkdir(parents=True, exist_ok=True)  # Prefect creates only the last level itself
        os.environ["PREFECT_HOME"] = str(home)


@contextmanager
def in_process_flows() -> Iterator[None]:
    """Flows run by the CLI itself, not by a worker: no heartbeat thread, which costs ~1 s per sync flow run.

    Heartbeats let a server spot runs whose worker died; a CLI run reports its own end. Measured here:
    1.24 s per subflow with heartbeats, 0.17 s without.
    """
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}), _one_line_errors():
        yield


# Errors of the user's input or environment, which the command itself reports in one line (malux.cli.errors).
REPORTED = ("BatchRejected", "InputError", "KoboError", "WarehouseError", "MessageTooLongError")


class _ReportedBelow(logging.Filter):
    """Drop Prefect's console echo (with traceback) of an error the command prints as one line anyway."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.ERROR:
            return True
        failure = record.exc_info[1] if record.exc_info else None
        if failure is not None and type(failure).__name__ in REPORTED:
            return False
        message = record.getMessage()
        return not any(f"{name}(" in message or f"{name}:" in message for name in REPORTED)


@contextmanager
def _one_line_errors() -> Iterator[None]:
    """The console says a known error once; Prefect's run logs on the server keep it with its traceback."""
    handlers, echo = list(logging.getLogger().handlers), _ReportedBelow()
    for handler in handlers:
        handler.addFilter(echo)
    try:
        yield
    finally:
        for handler in handlers:
            handler.removeFilter(echo)


def warehouse_engine() -> Engine:
    """The warehouse of MALUX_WAREHOUSE_URL for a command that reads it; without a schema, one line says so.

    SQLAlchemy and Alembic are imported only here, when a command needs the warehouse.
    """
    from warehouse.migrate import require_schema

    return require_schema(get_settings().database_url)


def upgraded_warehouse_engine() -> Engine:
    """The warehouse for a command that writes it outside a flow, brought to the latest schema first."""
    from warehouse.db import engine_for
    from warehouse.migrate import upgrade

    engine = engine_for(get_settings().database_url)
    upgrade(engine)
    return engine
