"""The largest broadcast and ingest two process workers handle here, on the real stack as deployed.

Run: `.venv/bin/python bench/two_workers.py [--audience 2000 20000 100000] [--loans 100000 500000 1000000]`.
It starts what tests/deploy starts (a Prefect server on a fresh PostgreSQL database on a free port,
deployments/setup_server.py, `prefect --no-prompt deploy --all`, a warehouse database), then two workers, and:
(a) per audience size, bulk-inserts generated subscribers and launches two `weekly-broadcast` runs of the same
week at once (one per worker); messages/s is the audience over the wall time from the first run's start to the
last run's end, and each message must be in the file gateway's output exactly once; (b) per loans size, drops
an AMASSA loans file in landing and runs the `landing-scan` deployment. It prints a Markdown table and stops
everything it started. PREFECT_HOME is a temporary folder; PostgreSQL on 127.0.0.1:5432 (trust auth).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "deploy"), str(ROOT / "bench")]

from deploy_runs import launch, wait_final  # noqa: E402
from deploy_stack import BIN, Processes, free_port, healthy, run_cli, stack_env, wait_for  # noqa: E402

PG_ADMIN = os.environ.get("MALUX_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
CAMPAIGN = "2019-2020"
SEED_PEOPLE = "beneficiary_id,category,name,org_id,cercle,commune,village,phone,language,gender,sms_consent,"
SEED_PEOPLE += (
    "registered_on\nOP01,producer_org,Union Jekafo,,San,San,San,+223 76 00 00 01,fr,M,true,2018-09-01\n"
)
PRICES = """observed_on,market,commodity,price_type,cercle,price_xof_per_kg,source
2019-11-12,San,sesame,farmgate,San,450,nkalo
2019-11-17,San,sesame,farmgate,San,475,nkalo
"""


def _admin(sql: list[str]) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        for statement in sql:
            conn.execute(text(statement))
    engine.dispose()


@contextmanager
def real_stack(root: Path) -> Iterator[dict[str, Any]]:
    """Server on PostgreSQL, setup, deploy, two workers; everything stopped and dropped on the way out."""
    suffix = uuid.uuid4().hex[:10]
    prefect_db, warehouse_db = f"malux_bench_prefect_{suffix}", f"malux_bench_wh_{suffix}"
    base = PG_ADMIN.rsplit("/", 1)[0]
    port = free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    env = stack_env(root, api_url, base, prefect_db, warehouse_db)
    (root / "logs").mkdir(parents=True)
    processes = Processes(root / "logs")
    _admin([f'CREATE DATABASE "{prefect_db}"', f'CREATE DATABASE "{warehouse_db}"'])
    try:
        server = processes.start(
            "server",
            [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            env,
        )
        wait_for("the Prefect server", lambda: healthy(api_url) or server.poll() is not None, 90)
        assert server.poll() is None, processes.log_tail("server")
        run_cli([str(BIN / "python"), "deployments/setup_server.py"], env)
        run_cli([str(BIN / "prefect"), "--no-prompt", "deploy", "--all"], env)
        for name in ("worker-1", "worker-2"):
            args = [str(BIN / "prefect"), "worker", "start", "--pool", "malux-process", "--name", name]
            processes.start(name, args, {**env, "PREFECT_FLOWS_HEARTBEAT_FREQUENCY": "30"})
        yield {
            "api_url": api_url,
            "data_dir": root / "data",
            "warehouse_url": env["MALUX_WAREHOUSE_URL"],
            "logs": root / "logs",
        }
    finally:
        processes.stop_all()
        from warehouse.db import _engines

        for engine in _engines.values():
            engine.dispose()
        _admin([f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)' for db in (prefect_db, warehouse_db)])


def drop(data_dir: Path, partner: str, dataset: str, name: str) -> Path:
    """Where a partner's upload lands: <data>/landing/<partner>/<dataset>/<name>."""
    folder = data_dir / "landing" / partner / dataset
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


def scan(api_url: str) -> Any:
    """One landing-scan deployment run to its end; the ingest subflows run inside it."""
    run = wait_final(api_url, launch(api_url, "landing-scan/landing-scan", {}), deadline_s=1800)
    assert run.state.is_completed(), f"landing scan ended {run.state.name}: {run.state.message}"
    return run


def add_subscribers(warehouse_url: str, total: int) -> int:
    """Generated producers (copies of OP01) up to `total` beneficiaries; returns how many have a phone."""
    from sqlalchemy import func, insert, select

    from warehouse.db import engine_for
    from warehouse.schema import beneficiaries

    engine = engine_for(warehouse_url)
    with engine.begin() as conn:
        have = conn.execute(select(func.count()).select_from(beneficiaries)).scalar_one()
        model = dict(
            conn.execute(select(beneficiaries).where(beneficiaries.c.beneficiary_id == "OP01")).one()._mapping
        )
        rows = []
        for i in range(have, total):
            phone = f"+2237{i:07d}"
            rows.append(model | {"beneficiary_id": f"B{i:07d}", "category": "producer", "org_id": "OP01",
                                 "phone": phone, "phone_raw": phone, "source_row": i})  # fmt: skip
        for start in range(0, len(rows), 20_000):
            conn.execute(insert(beneficiaries), rows[start : start + 20_000])
        subscribers = conn.execute(
            select(func.count()).select_from(beneficiaries).where(beneficiaries.c.phone.is_not(None))
        ).scalar_one()
    return subscribers


def broadcast(stack: dict[str, Any], week: int, audience: int) -> dict[str, Any]:
    """Two runs of one week at once on two workers: wall time, messages/s, and each message sent once."""
    api = stack["api_url"]
    load_before = os.getloadavg()
    ids = [
        launch(api, "weekly-broadcast/weekly-broadcast", {"campaign": CAMPAIGN, "week": week}) for _ in "ab"
    ]
    runs = [wait_final(api, run_id, deadline_s=1800) for run_id in ids]
    load_after = os.getloadavg()
    for run in runs:
        assert run.state.is_completed(), f"{run.name} ended {run.state.name}: {run.state.message}"
    wall = (max(r.end_time for r in runs) - min(r.start_time for r in runs)).total_seconds()
    lines = (stack["data_dir"] / "sms" / CAMPAIGN / f"week-{week:02d}.jsonl").read_text(encoding="utf-8")
    sent = [json.loads(line)["message_id"] for line in lines.splitlines()]
    logs = {p.stem: p.read_text(errors="replace") for p in stack["logs"].glob("worker-*.log")}
    workers = {name for r in runs for name, text in logs.items() if str(r.id) in text}
    return {
        "audience": audience,
        "sent": len(sent),
        "distinct": len(set(sent)),
        "wall": wall,
        "per_run": [r.total_run_time.total_seconds() for r in runs],
        "rate": len(set(sent)) / wall,
        "on_two_workers": sorted(workers) == ["worker-1", "worker-2"],
        "load": (load_before[0], load_after[0]),
    }


def ingest(stack: dict[str, Any], rows: int) -> dict[str, Any]:
    """An AMASSA loans file of `rows` rows dropped in landing and the landing-scan run that ingests it."""
    from amassa_loans import write_loans
    from sqlalchemy import select

    from warehouse.db import engine_for
    from warehouse.schema import ingest_batch

    path = drop(stack["data_dir"], "amassa", "loans", f"prets-{rows}.csv")
    write_loans(path, rows, seed=rows)
    size_mb = path.stat().st_size / 1e6
    load_before = os.getloadavg()
    run = scan(stack["api_url"])
    load_after = os.getloadavg()
    with engine_for(stack["warehouse_url"]).connect() as conn:
        batch = conn.execute(select(ingest_batch).where(ingest_batch.c.file_name == path.name)).one()
    wall = (run.end_time - run.start_time).total_seconds()
    return {
        "rows": rows,
        "mb": size_mb,
        "status": batch.status,
        "loaded": batch.rows_loaded,
        "quarantined": batch.rows_quarantined,
        "wall": wall,
        "rate": rows / wall,
        "load": (load_before[0], load_after[0]),
    }


def main() -> None:
    """Start the stack, run both measurements at growing sizes, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--audience", type=int, nargs="*", default=[2_000, 20_000, 100_000])
    parser.add_argument("--loans", type=int, nargs="*", default=[100_000, 500_000, 1_000_000])
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="malux-bench-two-workers-"))
    results: dict[str, list[dict]] = {"broadcast": [], "ingest": []}
    try:
        with real_stack(root) as stack:
            data = stack["data_dir"]
            drop(data, "canonical", "beneficiaries", "seed.csv").write_text(SEED_PEOPLE, encoding="utf-8")
            drop(data, "canonical", "market_prices", "prices.csv").write_text(PRICES, encoding="utf-8")
            borrowers = drop(data, "canonical", "beneficiaries", "borrowers.csv")
            from ingest_1m import write_beneficiaries

            write_beneficiaries(borrowers)
            scan(stack["api_url"])
            for week, audience in enumerate(sorted(args.audience), start=3):
                subscribers = add_subscribers(stack["warehouse_url"], audience)
                result = broadcast(stack, week, subscribers)
                results["broadcast"].append(result)
                print(json.dumps({"broadcast": result}), flush=True)
            for rows in sorted(args.loans):
                result = ingest(stack, rows)
                results["ingest"].append(result)
                print(json.dumps({"ingest": result}), flush=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)
        print(render(results))


def render(results: dict[str, list[dict]]) -> str:
    """The two tables for docs/scaling.md."""
    out = [
        f"Machine: {os.cpu_count()} cores; load average (1 min) before → after each step.",
        "",
        "| broadcast, 2 runs of one week on 2 workers | wall (first start → last end) | msg/s"
        " | lines / distinct | on 2 workers | load |",
        "|---|---:|---:|---:|---|---:|",
    ]
    for r in results["broadcast"]:
        out.append(
            f"| {r['audience']:,} subscribers | {r['wall']:.1f} s (runs {r['per_run'][0]:.1f} / "
            f"{r['per_run'][1]:.1f} s) | {r['rate']:,.0f} | {r['sent']:,} / {r['distinct']:,} | "
            f"{'yes' if r['on_two_workers'] else 'no'} | {r['load'][0]:.2f} → {r['load'][1]:.2f} |"
        )
    out += [
        "",
        "| ingest via landing-scan (AMASSA loans CSV) | MB | wall | rows/s | loaded / quarantined | load |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in results["ingest"]:
        out.append(
            f"| {r['rows']:,} rows ({r['status']}) | {r['mb']:.0f} | {r['wall']:.1f} s | {r['rate']:,.0f} | "
            f"{r['loaded'] or 0:,} / {r['quarantined'] or 0:,} | {r['load'][0]:.2f} → {r['load'][1]:.2f} |"
        )
    return "\n".join(out)


if __name__ == "__main__":
    main()
