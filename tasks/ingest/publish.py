"""Publish a validated batch: lake partition, warehouse rows and quarantine, all or nothing."""

from __future__ import annotations

import pandas as pd
import pyarrow.parquet as pq
from prefect import task

from malux.settings import get_settings
from tasks.batch import Verdict
from tasks.ingest.history import record_replacements
from tasks.ingest.models import BatchSummary
from warehouse import batches
from warehouse.capped import LIMIT, capped
from warehouse.db import engine_for
from warehouse.lake import partition_path, place_atomic
from warehouse.rows import records, replace_by_key
from warehouse.schema import DATASET_TABLES, quarantine


@task(name="publish")
def publish_batch(verdict: Verdict) -> BatchSummary:
    """Rows in = rows loaded + rows quarantined, committed together with the ledger row that says so."""
    settings = get_settings()
    engine = engine_for(settings.database_url)
    ticket = verdict.staged.ticket
    passed = pq.read_table(verdict.passed_path)  # Arrow all the way into the database
    held = pd.read_parquet(verdict.quarantine_path)
    for column in ("value", "reason"):  # a partner's cell quoted whole would be a megabyte in every report
        long = held[column].astype("string").str.len().gt(LIMIT).fillna(False).astype(bool)
        if long.any():
            held.loc[long, column] = held.loc[long, column].map(capped)
    rows_in = verdict.staged.rows_in
    if verdict.rows_passed + verdict.rows_quarantined != rows_in:
        raise AssertionError(
            f"batch {ticket.batch_id}: {verdict.rows_passed} + {verdict.rows_quarantined} != {rows_in}"
        )
    target = partition_path(settings.lake_dir, ticket.dataset, ticket.batch_id)
    existed = target.exists()
    place_atomic(verdict.passed_path, target)  # validate wrote it in the lake's format
    table = DATASET_TABLES[ticket.dataset]
    try:
        with engine.begin() as conn:
            conn.execute(quarantine.delete().where(quarantine.c.batch_id == ticket.batch_id))
            record_replacements(conn, ticket.dataset, passed, ticket.batch_id)
            replace_by_key(conn, table, passed, batch_id=ticket.batch_id)
            if len(held):
                conn.execute(quarantine.insert(), list(records(quarantine, held, batch_id=ticket.batch_id)))
            batches.mark_loaded(conn, ticket.batch_id, rows_in, verdict.rows_passed, verdict.rows_quarantined)
    except Exception:
        if not existed:  # the warehouse rolled back: the lake must not keep what the warehouse does not
            target.unlink(missing_ok=True)
        raise
    return BatchSummary(
        ticket.batch_id,
        ticket.dataset,
        ticket.partner,
        ticket.source.name,
        "loaded",
        rows_in,
        verdict.rows_passed,
        verdict.rows_quarantined,
        ignored_columns=verdict.staged.ignored_columns,
    )
