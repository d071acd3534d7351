"""A test-only flow that runs long enough for its worker to be killed under it (the zombie-run test)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from prefect import flow


@flow(name="malux-test-sleeper")
def sleeper(pid_file: str, seconds: int = 600) -> None:
    """Write this process's pid so the test knows the run is live and which process dies, then wait."""
    Path(pid_file).write_text(str(os.getpid()), encoding="utf-8")
    time.sleep(seconds)
