"""The floor an ingest is compared with: pyarrow reads the CSV, writes Parquet, the database bulk-loads it.

No standardising, no validation, no lineage: what the same file costs at the least, on the same machine.
"""

from __future__ import annotations

import io
from pathlib import Path

from clock import Clock, now, peak_mb


def child_floor(csv: Path, url: str, work: Path, loader: str) -> dict:
    """pyarrow CSV read + Parquet write + a bulk load (`to_sql`, `adbc` or `copy`), on the same file."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    clock = Clock()
    started = now()
    table = pacsv.read_csv(
        csv,
        read_options=pacsv.ReadOptions(encoding="cp1252", skip_rows=1),
        parse_options=pacsv.ParseOptions(delimiter=";"),
    )
    clock.step("read", started)
    started = now()
    pq.write_table(table, work / "floor.parquet", compression="zstd")
    clock.step("parquet", started)
    table = table.rename_columns([f"c{i}" for i in range(table.num_columns)])
    started = now()
    if loader == "to_sql":  # the issue's floor for SQLite: pandas' own bulk insert
        import sqlite3

        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            table.to_pandas().to_sql("floor_loans", conn, index=False)
    elif loader == "adbc":  # faster than to_sql: Arrow straight into SQLite, no Python objects per row
        import adbc_driver_sqlite.dbapi as adbc

        with adbc.connect(url.removeprefix("sqlite:///")) as conn, conn.cursor() as cur:
            cur.adbc_ingest("floor_loans", table, mode="create")
            conn.commit()
    else:
        import psycopg
        import pyarrow.csv as pacsv_write

        dsn = url.replace("postgresql+psycopg://", "postgresql://")
        buffer = io.BytesIO()
        pacsv_write.write_csv(table, buffer, write_options=pacsv_write.WriteOptions(include_header=False))
        with psycopg.connect(dsn) as conn, conn.cursor() as cur:
            cur.execute(
                "CREATE TABLE floor_loans (" + ", ".join(f"c{i} text" for i in range(table.num_columns)) + ")"
            )
            with cur.copy("COPY floor_loans FROM STDIN (FORMAT csv)") as copy:
                copy.write(buffer.getvalue())
    clock.step("load", started)
    return {"times": clock.wall, "cpu": clock.cpu, "rows": table.num_rows, "peak_mb": peak_mb()}
