"""Standardise a registered file into canonical columns, staged as Parquet for the next task."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
from prefect import task

from malux.settings import get_settings
from tasks.batch import BatchRejected, BatchTicket, StagedBatch
from tasks.ingest.models import work_dir
from tasks.ingest.register import CANONICAL
from tasks.standardise.errors import InputError
from tasks.standardise.file import standardise_file
from warehouse import batches, lake
from warehouse.capped import capped
from warehouse.db import engine_for
from warehouse.schema import DATASET_TABLES

ISSUES_SCHEMA = pa.schema(
    [("source_row", pa.int64()), ("column", pa.string()), ("value", pa.string())]
    + [("check", pa.string()), ("reason", pa.string())]
)


@task(name="standardise")
def standardise_batch(ticket: BatchTicket) -> StagedBatch:
    """Partner layout to canonical columns; a file that cannot be read at all rejects the batch."""
    settings = get_settings()
    partner = None if ticket.partner == CANONICAL else ticket.partner
    try:
        result = standardise_file(ticket.raw_path, ticket.dataset, partner, settings.config_dir)
    except InputError as exc:
        # The archived copy is what was read, but the person knows the file by the name they gave.
        message = capped(str(exc).replace(str(ticket.raw_path), str(ticket.source)))
        batches.reject(engine_for(settings.database_url), ticket.batch_id, message)
        raise BatchRejected(message) from exc
    folder = work_dir(settings.root, ticket.batch_id)
    rows_path, issues_path = folder / "standardised.parquet", folder / "standardise-issues.parquet"
    # a work file, read once: written fast, uncompressed
    lake.write_rows(result.table, rows_path, lake.unique_columns(DATASET_TABLES[ticket.dataset]), "none")
    issues = {name: [getattr(issue, name) for issue in result.issues] for name in ISSUES_SCHEMA.names}
    issues["value"] = [None if value is None else capped(value) for value in issues["value"]]
    pq.write_table(pa.table(issues, schema=ISSUES_SCHEMA), issues_path)
    return StagedBatch(ticket, rows_path, issues_path, result.rows_in, result.sheet, tuple(result.ignored))
