"""Prefect's environment for a CLI process, set before Prefect is first imported."""

from __future__ import annotations

import os

from malux.settings import get_settings


def prepare_prefect() -> None:
    """Keep a server-less run's Prefect state beside the data, quiet, and away from the user's ~/.prefect."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")  # "database is locked" otherwise (DESIGN §9)
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    if "PREFECT_API_URL" not in os.environ and "PREFECT_HOME" not in os.environ:
        os.environ["PREFECT_HOME"] = str(get_settings().root / "prefect")
