"""Wall time of `malux demo` (cold, repeated) and `make demo`, beside a start-up floor from the same run.

Run: `.venv/bin/python bench/demo_wall_time.py [--repeat N]` (or `make bench`). It writes its figures into
docs/benchmarks.md between the markers of its section, with the machine and the command.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
DOC = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- bench/demo_wall_time.py: begin -->", "<!-- bench/demo_wall_time.py: end -->"

FLOOR_IMPORTS = "import prefect, great_expectations, pandas, sqlalchemy, pyarrow"
FLOOR_FLOW = "from prefect import flow\n@flow\ndef nothing():\n    return 1\nnothing()"


def timed(cmd: list[str], env: dict[str, str], cwd: Path = ROOT) -> float:
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stderr[-2000:]}")
    return elapsed


def fresh_env(folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MALUX_", "PREFECT_"))}
    env.update(
        MALUX_DATA_DIR=str(folder / "data"),
        PREFECT_HOME=str(folder / "prefect"),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
    )
    (folder / "prefect").mkdir(parents=True, exist_ok=True)
    return env


def measure(repeat: int) -> dict[str, list[float]]:
    runs: dict[str, list[float]] = {k: [] for k in ("imports", "flow", "cold", "again", "make")}
    python, malux = str(VENV_BIN / "python"), str(VENV_BIN / "malux")
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="malux-bench-") as tmp:
            env = fresh_env(Path(tmp))
            runs["imports"].append(timed([python, "-c", FLOOR_IMPORTS], env))
            runs["flow"].append(timed([python, "-c", FLOOR_FLOW], env))
        with tempfile.TemporaryDirectory(prefix="malux-bench-") as tmp:
            env = fresh_env(Path(tmp))
            env.pop("PREFECT_HOME")  # as a user runs it: MALUX keeps Prefect's state in the data dir
            runs["cold"].append(timed([malux, "demo"], env))
            runs["again"].append(timed([malux, "demo"], env))
        with tempfile.TemporaryDirectory(prefix="malux-bench-") as tmp:
            env = fresh_env(Path(tmp))
            env.pop("PREFECT_HOME")
            runs["make"].append(timed(["make", "demo"], env))
    return runs


def render(runs: dict[str, list[float]], repeat: int, load: float) -> str:
    med = {k: statistics.median(v) for k, v in runs.items()}
    floor = med["imports"] + med["flow"]
    rows = [
        ("floor: import prefect, GX, pandas, SQLAlchemy, pyarrow", med["imports"], ""),
        ("floor: one empty flow on Prefect's temporary server", med["flow"], ""),
        ("`malux demo`, fresh data dir", med["cold"], f"{med['cold'] / floor:.1f}x the floor"),
        ("`malux demo` again (nothing new)", med["again"], f"{med['again'] / floor:.1f}x the floor"),
        ("`make demo` after install, fresh data dir", med["make"], f"{med['make'] / floor:.1f}x the floor"),
    ]
    lines = [
        BEGIN,
        f"Measured {time.strftime('%Y-%m-%d')} on {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, median of {repeat}, load average {load:.1f} at the start:",
        f"`.venv/bin/python bench/demo_wall_time.py --repeat {repeat}`.",
        "",
        "| what | wall time | ratio |",
        "|---|---|---|",
        *[f"| {name} | {seconds:.1f} s | {ratio} |" for name, seconds, ratio in rows],
        "",
        f"The floor ({floor:.1f} s) is what a Prefect run importing MALUX's libraries pays before any work.",
        END,
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    if not shutil.which("make"):
        raise SystemExit("make is needed")
    load = os.getloadavg()[0]
    section = render(measure(args.repeat), args.repeat, load)
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    if BEGIN in text:
        text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _m: section, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n## The demo\n\n" + section + "\n"
    DOC.write_text(text, encoding="utf-8")
    print(section)


if __name__ == "__main__":
    main()
