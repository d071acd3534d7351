"""Prefect's environment for a CLI process, set before Prefect is first imported."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager

from malux.settings import get_settings


def prepare_prefect() -> None:
    """Keep a server-less run's Prefect state beside the data, quiet, and away from the user's ~/.prefect."""
    os.environ.setdefault(
        "PREFECT_SERVER_ANALYTICS_ENABLED", "false"
    )  # "database is locked" otherwise (DESIGN §9)
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    logging.getLogger("great_expectations").setLevel(logging.WARNING)  # it announces every temporary folder
    if "PREFECT_API_URL" not in os.environ and "PREFECT_HOME" not in os.environ:
        home = get_settings().root / "prefect"
        home.mkdir(parents=True, exist_ok=True)  # Prefect creates only the last level itself
        os.environ["PREFECT_HOME"] = str(home)


@contextmanager
def in_process_flows() -> Iterator[None]:
    """Flows run by the CLI itself, not by a worker: no heartbeat thread, which costs ~1 s per sync flow run.

    Heartbeats let a server spot runs whose worker died; a CLI run reports its own end. Measured here:
    1.24 s per subflow with heartbeats, 0.17 s without (DESIGN §9 saw the same).
    """
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield
