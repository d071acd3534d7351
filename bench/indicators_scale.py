"""How long all indicators of one period take at 1×, 10× and 100× program scale, on SQLite and PostgreSQL.

The warehouse rows are synthesised in SQL (no partner files, no ingest): 2000·s producers and the other
beneficiaries, their trainings, 200·s loans with repayments, and one outbox row per SMS subscriber and
campaign week (42 weeks) with its delivery report, so 100× is ~8.7 M outbox rows.

    .venv/bin/python bench/indicators_scale.py --scales 1 10 100 --databases sqlite postgresql
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import Engine, create_engine, text

ROOT = Path(__file__).resolve().parents[1]
import sys  # noqa: E402

sys.path.insert(0, str(ROOT))

from tasks.indicators.compute import compute_period  # noqa: E402
from tasks.sms.calendar import all_campaign_weeks  # noqa: E402
from warehouse.db import make_engine  # noqa: E402
from warehouse.migrate import upgrade  # noqa: E402

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PERIODS = ("201906B", "202001B")  # a campaign's busiest bi-months: every family has rows
# The indexes migration 0005 adds for the indicators; --without-indexes drops them to measure what they pay.
INDEXES = ("ix_sms_outbox_scheduled_at", "ix_training_attendance_beneficiary_id", "ix_loans_disbursed_on")


def _days(dialect: str, base: str, expr: str) -> str:
    if dialect == "postgresql":
        return f"DATE '{base}' + ({expr})"
    return f"date('{base}', '+' || ({expr}) || ' days')"


def _minutes(dialect: str, column: str, expr: str) -> str:
    if dialect == "postgresql":
        return f"{column} + ({expr}) * INTERVAL '1 minute'"
    return f"datetime({column}, '+' || ({expr}) || ' minutes')"


def synthesise(engine: Engine, scale: int) -> dict[str, int]:
    """Fill an empty migrated warehouse with a program `scale` times the real one; returns row counts."""
    d = engine.dialect.name
    producers, orgs, mses, seeds, trainers = 2000 * scale, 50 * scale, 20 * scale, 10 * scale, 40 * scale
    people = producers + orgs + mses + seeds + trainers
    cercles = "CASE i % 6 WHEN 0 THEN 'San' WHEN 1 THEN 'Tominian' WHEN 2 THEN 'Bla' WHEN 3 THEN 'Ségou' "
    cercles += "WHEN 4 THEN 'Barouéli' ELSE 'Yorosso' END"
    category = (
        f"CASE WHEN i <= {producers} THEN 'producer' WHEN i <= {producers + orgs} THEN 'producer_org' "
        f"WHEN i <= {producers + orgs + mses} THEN 'mse' WHEN i <= {producers + orgs + mses + seeds} "
        "THEN 'seed_company' ELSE 'trainer' END"
    )
    weeks = all_campaign_weeks(ROOT / "config")
    with engine.begin() as c:
        c.execute(text("CREATE TABLE bench_n (i INTEGER PRIMARY KEY)"))
        c.execute(
            text(
                "INSERT INTO bench_n (i) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                f"WHERE i < {people}) SELECT i FROM n"
            )
        )
        c.execute(text("CREATE TABLE bench_weeks (campaign VARCHAR(16), week INTEGER, send_at TIMESTAMP)"))
        c.execute(
            text("INSERT INTO bench_weeks VALUES (:c, :w, :s)"),
            [{"c": w.campaign, "w": w.week, "s": w.send_at} for w in weeks],
        )
        c.execute(
            text(
                "INSERT INTO ingest_batch (batch_id, partner, dataset, file_name, raw_path, sha256, status, "
                "started_at) VALUES (1, 'bench', 'all', 'bench', 'bench', 'bench', 'loaded', :t)"
            ),
            {"t": weeks[0].send_at},
        )
        phone = "'+2237' || lpad(i::text, 7, '0')"
        if d == "sqlite":
            phone = "'+2237' || substr('0000000' || i, -7, 7)"
        c.execute(
            text(
                "INSERT INTO beneficiaries (beneficiary_id, category, cercle, phone, phone_valid, operator, "
                "language, gender, sms_consent, registered_on, batch_id, source_row) "
                f"SELECT 'B' || i, {category}, {cercles}, {phone}, i % 25 <> 0, 'orange', 'fr', "
                f"CASE WHEN i % 2 = 0 THEN 'F' ELSE 'M' END, i % 40 <> 0, "
                f"{_days(d, '2018-09-01', 'i % 200')}, 1, i FROM bench_n"
            )
        )
        c.execute(
            text(
                "INSERT INTO training_sessions (session_id, module, audience, held_on, cercle, batch_id, "
                f"source_row) SELECT 'S' || i, 'sesame_market', CASE WHEN i % 10 = 0 THEN 'trainer' "
                f"ELSE 'producer' END, {_days(d, '2019-01-10', 'i % 330')}, {cercles}, 1, i "
                f"FROM bench_n WHERE i <= {100 * scale}"
            )
        )
        for offset in (0, 37):  # a second session for most producers: trained twice, counted once
            c.execute(
                text(
                    "INSERT INTO training_attendance (session_id, beneficiary_id, batch_id, source_row) "
                    f"SELECT 'S' || (1 + (i + {offset}) % {100 * scale}), 'B' || i, 1, i FROM bench_n "
                    f"WHERE (i <= {producers} OR i > {people - trainers}) AND ({offset} = 0 OR i % 3 <> 0)"
                )
            )
        loans = 200 * scale
        c.execute(
            text(
                "INSERT INTO loans (loan_id, borrower_id, mfi_id, crop, principal_xof, monthly_rate, "
                "disbursed_on, maturity_on, batch_id, source_row) "
                f"SELECT 'L' || i, 'B' || ({producers} + 1 + i % {orgs + mses}), "
                "CASE i % 3 WHEN 0 THEN 'soro_yiriwaso' WHEN 1 THEN 'kafo_jiginew' ELSE 'nyesigiso' END, "
                "CASE i % 3 WHEN 0 THEN 'sesame' WHEN 1 THEN 'rice' ELSE 'fonio' END, "
                f"500000 + (i % 20) * 100000, 0.0125, {_days(d, '2018-10-01', 'i % 400')}, "
                f"{_days(d, '2019-02-01', 'i % 400')}, 1, i FROM bench_n WHERE i <= {loans}"
            )
        )
        c.execute(
            text(
                "INSERT INTO repayments (loan_id, paid_on, seq, principal_xof, interest_xof, batch_id, "
                f"source_row) SELECT 'L' || i, {_days(d, '2019-02-01', 'i % 400 + i % 45')}, 1, "
                "CASE WHEN i % 7 = 0 THEN 200000 ELSE 500000 + (i % 20) * 100000 END, 6250, 1, i "
                f"FROM bench_n WHERE i <= {loans} AND i % 11 <> 0"
            )
        )
        status = (
            "CASE WHEN (n.i + w.week) % 25 = 0 THEN 'failed' WHEN (n.i + w.week) % 12 = 0 THEN 'undelivered' "
            "WHEN (n.i + w.week) % 31 = 0 THEN 'wired' ELSE 'delivered' END"
        )
        c.execute(
            text(
                "INSERT INTO sms_outbox (message_id, campaign, week, beneficiary_id, phone, operator, "
                "language, body, encoding, segments, scheduled_at, status, attempts, queued_at, final_at) "
                "SELECT w.campaign || '-w' || w.week || '-B' || n.i, w.campaign, w.week, 'B' || n.i, "
                f"'+22370000000', CASE WHEN n.i % 3 = 0 THEN 'malitel' ELSE 'orange' END, 'fr', 'Sésame', "
                f"'GSM-7', 1, w.send_at, {status}, 1, w.send_at, "
                f"{_minutes(d, 'w.send_at', '(n.i % 50) * 5')} "
                f"FROM bench_weeks w CROSS JOIN bench_n n WHERE n.i <= {people - trainers} AND n.i % 40 <> 0"
            )
        )
        c.execute(
            text(
                "INSERT INTO sms_delivery_reports "
                "(message_id, status, status_at, phone, batch_id, source_row) "
                "SELECT message_id, status, final_at, phone, 1, 0 FROM sms_outbox "
                "WHERE status IN ('delivered', 'undelivered')"
            )
        )
        counts = {
            t: c.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar()
            for t in ("beneficiaries", "training_attendance", "loans", "sms_outbox", "sms_delivery_reports")
        }
        c.execute(text("DROP TABLE bench_n"))
        c.execute(text("DROP TABLE bench_weeks"))
    if d == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as c:
            c.execute(text("ANALYZE"))
    return counts


def _warehouse(database: str, workdir: Path) -> tuple[Engine, callable]:
    """A fresh migrated warehouse and the function that removes it."""
    if database == "sqlite":
        engine = make_engine(f"sqlite:///{workdir / f'bench-{uuid.uuid4().hex[:6]}.sqlite'}")
        upgrade(engine)
        return engine, engine.dispose
    name = f"malux_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(PG_ADMIN.rsplit("/", 1)[0] + f"/{name}")
    upgrade(engine)

    def drop() -> None:
        engine.dispose()
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    return engine, drop


def run(database: str, scale: int, repeats: int, without_indexes: bool, workdir: Path) -> None:
    """Build one warehouse, time every period `repeats` times, print one line per period."""
    engine, drop = _warehouse(database, workdir)
    try:
        if without_indexes:
            with engine.begin() as c:
                for index in INDEXES:
                    c.execute(text(f"DROP INDEX IF EXISTS {index}"))
        started = time.perf_counter()
        counts = synthesise(engine, scale)
        built = time.perf_counter() - started
        for period in PERIODS:
            times = []
            for _ in range(repeats):
                t0 = time.perf_counter()
                stored = compute_period(engine, period, ROOT / "config")
                times.append(time.perf_counter() - t0)
            print(
                f"{database:<10} {scale:>4}x {'no-idx' if without_indexes else 'idx':<6} {period} "
                f"median {statistics.median(times):7.2f} s  ({stored} values; "
                f"outbox {counts['sms_outbox']:,}, "
                f"reports {counts['sms_delivery_reports']:,}, beneficiaries {counts['beneficiaries']:,}; "
                f"built in {built:.0f} s)",
                flush=True,
            )
    finally:
        drop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--without-indexes", action="store_true", help="drop migration 0005's indexes first")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="malux-bench-") as workdir:
        for scale in args.scales:
            for database in args.databases:
                run(database, scale, args.repeats, args.without_indexes, Path(workdir))


if __name__ == "__main__":
    main()
