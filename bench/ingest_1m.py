"""A 1 M-row loans CSV through the whole ingest, on SQLite and PostgreSQL, beside a floor from the same run.

Run: `.venv/bin/python bench/ingest_1m.py [--rows N] [--no-write]`. It generates AMASSA's loans layout
(cp1252, semicolons, "1 250 000" amounts, dd/mm/yyyy dates, a few defects), registers the borrowers and
MFIs first so references pass, then times the ingest tasks' own functions (register, standardise, validate,
publish) and the floor (pyarrow CSV read + Parquet write + the database's fastest bulk load) on the same
file. Each measurement runs in its own process so peak RSS is its own, and on PostgreSQL after a
CHECKPOINT, so that no path pays for the write-ahead log of the one before. The table goes into
docs/benchmarks.md between this script's markers. PostgreSQL: a database created on 127.0.0.1:5432
(trust auth) and dropped after.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from amassa_loans import write_beneficiaries, write_loans
from clock import Clock, now, peak_mb
from floors import child_floor

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DOC = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- bench/ingest_1m.py: begin -->", "<!-- bench/ingest_1m.py: end -->"
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def child_ingest(csv: Path, beneficiaries: Path) -> dict:
    """Time each ingest task on the loans file, in this process (whose peak RSS is reported)."""
    from malux.settings import get_settings
    from tasks.ingest.publish import publish_batch
    from tasks.ingest.register import register_batch
    from tasks.ingest.stage import standardise_batch
    from tasks.validate.steps import validate_batch
    from warehouse.migrate import upgrade

    upgrade(get_settings().database_url)  # as the ingest-file flow's first step does, before any clock starts

    def ingest(path: Path, dataset: str, partner: str | None) -> tuple[Clock, object]:
        clock = Clock()
        started = now()
        ticket = register_batch.fn(path, dataset, partner)
        clock.step("register", started)
        started = now()
        staged = standardise_batch.fn(ticket)
        clock.step("standardise", started)
        started = now()
        verdict = validate_batch.fn(staged)
        clock.step("validate", started)
        started = now()
        summary = publish_batch.fn(verdict)
        clock.step("publish", started)
        return clock, summary

    ingest(beneficiaries, "beneficiaries", None)  # also pays the imports and the migration once
    base = peak_mb()
    clock, summary = ingest(csv, "loans", "amassa")
    return {
        "times": clock.wall,
        "cpu": clock.cpu,
        "rows_in": summary.rows_in,
        "rows_loaded": summary.rows_loaded,
        "rows_quarantined": summary.rows_quarantined,
        "peak_mb": peak_mb(),
        "base_mb": base,
    }


def run_child(args: list[str], env: dict[str, str]) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, *args], env=env, capture_output=True, text=True, cwd=ROOT
    )
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _pg_database(action: str, name: str) -> None:
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", f'{action} DATABASE "{name}"'],
        check=True,
        capture_output=True,
    )


def _settle(backend: str) -> None:
    """Start a measurement with PostgreSQL's dirty pages written out: a checkpoint forced by the WAL of the
    run before (a million rows write ~0.5 GB, max_wal_size is 1 GB) would land on whichever path came next."""
    if backend == "postgresql":
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", "CHECKPOINT"],
            check=True,
            capture_output=True,
        )


def _one_run(backend: str, csv: Path, beneficiaries: Path, work: Path) -> dict:
    """The floors and the ingest once, each in its own process, into a fresh warehouse."""
    name = f"malux_bench_{uuid.uuid4().hex[:8]}"
    if backend == "sqlite":
        url = f"sqlite:///{work / 'data' / 'warehouse.sqlite'}"
        floor_url = f"sqlite:///{work / 'floor.sqlite'}"
    else:
        _pg_database("CREATE", name)
        url = floor_url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    (work / "data").mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MALUX_", "PREFECT_"))}
    env.update(
        MALUX_DATA_DIR=str(work / "data"),
        MALUX_WAREHOUSE_URL=url,
        PREFECT_HOME=str(work / "prefect"),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_LOGGING_LEVEL="WARNING",
    )
    try:
        floors = {}
        for loader in ("to_sql", "adbc") if backend == "sqlite" else ("copy",):
            floor_db = floor_url.replace("floor.sqlite", f"floor-{loader}.sqlite")
            _settle(backend)
            floors[loader] = run_child(["--child", "floor", str(csv), floor_db, str(work), loader], env)
        _settle(backend)
        ingest = run_child(["--child", "ingest", str(csv), str(beneficiaries)], env)
    finally:
        if backend == "postgresql":
            _pg_database("DROP", name)
    print(
        f"{backend}: floors { {k: v['times'] for k, v in floors.items()} }, ingest {ingest['times']}",
        file=sys.stderr,
    )
    return {"floors": floors, "ingest": ingest}


def _median_run(runs: list[dict]) -> dict:
    """Of each path (every floor, the ingest), the run with the median total: its steps add up."""

    def median(items: list[dict]) -> dict:
        return sorted(items, key=lambda r: sum(r["times"].values()))[len(items) // 2]

    floors = {k: median([r["floors"][k] for r in runs]) for k in runs[0]["floors"]}
    return {"floors": floors, "ingest": median([r["ingest"] for r in runs])}


def measure(rows: int, work: Path, repeats: int) -> dict:
    csv, beneficiaries = work / "amassa_prets_1m.csv", work / "beneficiaires.csv"
    started = time.perf_counter()
    defects = write_loans(csv, rows)
    write_beneficiaries(beneficiaries)
    generated = time.perf_counter() - started
    results: dict = {"rows": rows, "defects": defects, "csv_mb": csv.stat().st_size / 1e6, "gen_s": generated}
    results["load_before"] = os.getloadavg()[0]
    results["repeats"] = repeats
    for backend in ("sqlite", "postgresql"):
        runs = [_one_run(backend, csv, beneficiaries, work / f"{backend}-{k}") for k in range(repeats)]
        ratios = [
            sum(r["ingest"]["times"].values()) / sum(next(iter(r["floors"].values()))["times"].values())
            for r in runs
        ]
        results[backend] = _median_run(runs) | {"ratios": ratios}
    results["load_after"] = os.getloadavg()[0]
    return results


def render(results: dict, command: str) -> str:
    rows = results["rows"]
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, load average {results['load_before']:.1f} at the start and "
        f"{results['load_after']:.1f} at the end (a shared machine: wall seconds vary, CPU seconds of our "
        f"process hold); command: `{command}`. Each path ran {results['repeats']} times, alternating; "
        "each line is its run of median total, and the ratio of every run is listed under the table.",
        "",
        f"The file: {rows:,} AMASSA loan rows ({results['csv_mb']:.0f} MB, cp1252, `;`, "
        '"1 250 000" amounts with plain and no-break spaces, dd/mm/yyyy dates), '
        f"{results['defects']:,} defective cells that must be held back. Each line runs in its own process; "
        "peak RSS is that process's own high-water mark (the ingest's includes Prefect, GX and pandas "
        "imported, shown as *base*). Seconds are wall (CPU of the Python process in brackets; the "
        "database server's CPU is not in it). On PostgreSQL each line starts after a CHECKPOINT.",
        "",
        "| warehouse | path | read + standardise | validate | lake + load | total | rows/s | peak RSS "
        "| × floor |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    names = {"to_sql": "pandas `to_sql`", "adbc": "ADBC ingest", "copy": "COPY"}
    for backend in ("sqlite", "postgresql"):
        floors, ingest = results[backend]["floors"], results[backend]["ingest"]
        # the floor the issue names (to_sql on SQLite, COPY on PostgreSQL) is the first; others are shown
        # beside it with their own ratio, so the faster ADBC load is not hidden
        floor_total = sum(next(iter(floors.values()))["times"].values())
        for loader, floor in floors.items():
            ft, fc = floor["times"], floor["cpu"]
            total = sum(ft.values())
            lines.append(
                f"| {backend} | floor: pyarrow read + Parquet + {names[loader]} | {ft['read']:.2f} "
                f"({fc['read']:.2f}) | – | {ft['parquet'] + ft['load']:.2f} "
                f"({fc['parquet'] + fc['load']:.2f}) "
                f"| {total:.2f} ({sum(fc.values()):.2f}) | {rows / total:,.0f} | {floor['peak_mb']:,.0f} MB "
                f"| {total / floor_total:.1f} |"
            )
        it, ic = ingest["times"], ingest["cpu"]
        ingest_total = sum(it.values())
        others = [
            f"{ingest_total / sum(f['times'].values()):.1f} × {names[k]}" for k, f in list(floors.items())[1:]
        ]
        lines.append(
            f"| {backend} | MALUX ingest (register {it['register']:.2f}) | "
            f"{it['standardise']:.2f} ({ic['standardise']:.2f}) | "
            f"{it['validate']:.2f} ({ic['validate']:.2f}) | "
            f"{it['publish']:.2f} ({ic['publish']:.2f}) | {ingest_total:.2f} ({sum(ic.values()):.2f}) | "
            f"{rows / ingest_total:,.0f} | {ingest['peak_mb']:,.0f} MB (base {ingest['base_mb']:,.0f}) | "
            f"**{ingest_total / floor_total:.1f}**{''.join(f' ({o})' for o in others)} |"
        )
        lines.append(
            f"| | rows in / loaded / quarantined: {ingest['rows_in']:,} / {ingest['rows_loaded']:,} / "
            f"{ingest['rows_quarantined']:,} | | | | | | | |"
        )
    lines.append("")
    for backend in ("sqlite", "postgresql"):
        ratios = ", ".join(f"{r:.1f}" for r in results[backend]["ratios"])
        lines.append(f"- {backend}: ingest / floor in each run: {ratios}")
    return "\n".join(lines)


def write_doc(section: str) -> None:
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    block = f"{BEGIN}\n## Ingest, 1 M rows\n\n{section}\n{END}"
    if BEGIN in text:
        text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    DOC.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3, help="runs of each path; the median is shown")
    parser.add_argument("--no-write", action="store_true", help="print the table, leave docs/ alone")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "ingest":
            out = child_ingest(Path(rest[0]), Path(rest[1]))
        else:
            out = child_floor(Path(rest[0]), rest[1], Path(rest[2]), rest[3])
        print(json.dumps(out))
        return
    with tempfile.TemporaryDirectory(prefix="malux-bench-ingest-") as tmp:
        results = measure(args.rows, Path(tmp), args.repeats)
    command = ".venv/bin/python bench/ingest_1m.py"
    if args.rows != 1_000_000:
        command += f" --rows {args.rows}"
    if args.repeats != 3:
        command += f" --repeats {args.repeats}"
    section = render(results, command)
    print(section)
    if not args.no_write:
        write_doc(section)


if __name__ == "__main__":
    main()
