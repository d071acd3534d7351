"""Wall and CPU seconds of named steps, and a process's own peak RSS: what each benchmark child reports."""

from __future__ import annotations

import resource
import time
from pathlib import Path


def peak_mb() -> float:
    """This process's own peak RSS (VmHWM: ru_maxrss would count the parent's pages inherited at fork)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Clock:
    """Wall and CPU seconds of named steps: on a shared machine, CPU time is the figure that holds."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}

    def step(self, name: str, started: tuple[float, float]) -> None:
        self.wall[name] = time.perf_counter() - started[0]
        self.cpu[name] = time.process_time() - started[1]


def now() -> tuple[float, float]:
    """Where a step starts: (wall, CPU) seconds, for `Clock.step`."""
    return time.perf_counter(), time.process_time()
