"""Benchmark: a broadcast through a real Kannel with delivery reports, beside Kannel's own ceiling.

For each size: (1) the ceiling, a bare concurrent sendsms loop (same workers, dlr-mask 31, no bookkeeping,
callbacks to an in-memory sink); (2) the pipeline, `send_queued` with the outbox bookkeeping on a SQLite
warehouse and `malux dlr-server`'s receiver storing every report. Prints one JSON line per size.
Usage: .venv/bin/python bench/broadcast_kannel.py [--sizes 2000,20000] [--workers 32]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path

import requests
from sqlalchemy import func, insert, select

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests/sms/kannel")]

from dlr_sink import DlrSink  # noqa: E402
from kannel_harness import PASSWORD, USER, Kannel, kannel_missing  # noqa: E402

from tasks.sms.gateways.base import OutgoingSms  # noqa: E402
from tasks.sms.gateways.kannel import KannelGateway  # noqa: E402
from tasks.sms.outbox import queue_week, send_queued  # noqa: E402
from tasks.sms.receiver.server import Receiver  # noqa: E402
from warehouse.db import engine_for  # noqa: E402
from warehouse.migrate import upgrade  # noqa: E402
from warehouse.schema import beneficiaries, ingest_batch, sms_delivery_reports  # noqa: E402

SECRET = b"bench-dlr-secret"
CAMPAIGN, WEEK = "2018-2019", 2


def ceiling(kannel: Kannel, n: int, workers: int) -> dict:
    """Kannel alone: n sendsms with dlr-mask 31 from `workers` threads, nothing recorded."""
    sink = DlrSink(SECRET)
    gateway = KannelGateway(kannel.url, USER, PASSWORD, sink.url, workers=workers, secret=SECRET)
    messages = [
        OutgoingSms(f"c{i}", CAMPAIGN, WEEK, f"+22370{i:06d}", "Prix du sésame", "GSM-7", 1) for i in range(n)
    ]
    t0 = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        answers = list(pool.map(gateway.send_one, messages))
    seconds = time.perf_counter() - t0
    delivered = len(sink.wait_delivered(n, timeout=120 + n / 100))  # smsbox calls back at ~900/s at best
    all_reports = time.perf_counter() - t0
    sink.close()
    assert all(a.accepted for a in answers)
    return {
        "seconds": round(seconds, 2), "msg_per_s": round(n / seconds), "reports_s": round(all_reports, 2),
        "delivered_reports": delivered,
    }  # fmt: skip


def warehouse_with(n: int, data_dir: Path):
    """A migrated SQLite warehouse holding n producers with distinct numbers."""
    engine = engine_for(f"sqlite:///{data_dir / 'warehouse.sqlite'}")
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(
            insert(ingest_batch),
            {"batch_id": 1, "partner": "bench", "dataset": "beneficiaries", "file_name": "bench.csv",
             "raw_path": "raw/bench.csv", "sha256": "0" * 64, "status": "loaded",
             "started_at": datetime.now(UTC)},
        )  # fmt: skip
        rows = [
            {"batch_id": 1, "source_row": i, "beneficiary_id": f"B{i:06d}", "category": "producer",
             "name": f"B{i}", "cercle": "San", "cercle_pcode": "ML0405", "phone": f"+22376{i:06d}",
             "phone_raw": f"76{i:06d}", "phone_valid": True, "operator": "orange", "language": "fr",
             "gender": "F", "sms_consent": True, "registered_on": date(2018, 10, 1)}
            for i in range(n)
        ]  # fmt: skip
        conn.execute(insert(beneficiaries), rows)
    return engine


def pipeline(kannel: Kannel, receiver: Receiver, n: int, workers: int) -> dict:
    """The outbox's send_queued through Kannel, with the real receiver storing the reports."""
    engine = receiver.engine
    t_queue = time.perf_counter()
    queue_week(engine, CAMPAIGN, WEEK)
    queue_s = time.perf_counter() - t_queue
    gateway = KannelGateway(kannel.url, USER, PASSWORD, receiver.url, workers=workers, secret=SECRET)
    t0 = time.perf_counter()
    summary = send_queued(engine, CAMPAIGN, WEEK, gateway)
    seconds = time.perf_counter() - t0
    delivered = select(func.count()).where(sms_delivery_reports.c.status == "delivered")
    deadline = t0 + seconds + 300 + n / 100
    while time.perf_counter() < deadline:
        with engine.connect() as conn:
            if conn.scalar(delivered) >= n:
                break
        time.sleep(0.1)
    stored_s = time.perf_counter() - t0
    with engine.connect() as conn:
        stored = conn.scalar(delivered)
    return {
        "queue_s": round(queue_s, 2), "seconds": round(seconds, 2), "msg_per_s": round(n / seconds),
        "sent": summary.sent, "reports_stored_s": round(stored_s, 2), "delivered_reports": stored,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,20000")
    parser.add_argument("--workers", type=int, default=32)
    args = parser.parse_args()
    if why := kannel_missing():
        sys.exit(why)
    for n in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory(prefix="malux-bench-") as tmp:
            kannel = Kannel(Path(tmp) / "kannel").start()
            receiver = Receiver(warehouse_with(n, Path(tmp)), secret=SECRET).start()
            try:
                bare = ceiling(kannel, n, args.workers)
                full = pipeline(kannel, receiver, n, args.workers)
            finally:
                kannel.stop()  # first: smsbox's keep-alive connections would hold the receiver's stop
                receiver.stop()
            fakesmsc = len(kannel.mt_lines())
        share = full["msg_per_s"] / bare["msg_per_s"]
        result = {"n": n, "workers": args.workers, "ceiling": bare, "pipeline": full,
                  "share_of_ceiling": round(share, 2), "fakesmsc_lines": fakesmsc}  # fmt: skip
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    requests.packages.urllib3.disable_warnings()
    main()
