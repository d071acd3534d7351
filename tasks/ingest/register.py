"""Register a partner file: hash it, keep an immutable raw copy, and record it in the ledger."""

from __future__ import annotations

import os
from pathlib import Path

from prefect import task

from malux.settings import get_settings
from tasks.batch import BatchTicket
from tasks.ingest.models import BatchSummary
from tasks.ingest.raw_copy import archive_copy, refuse_unless_regular
from warehouse import batches
from warehouse.db import engine_for
from warehouse.schema import DATASET_TABLES

CANONICAL = "canonical"  # the partner name of a file whose headers already are the canonical names


def check_input(path: Path, dataset: str) -> None:
    """Refuse, in one clear sentence, what cannot be opened: an unknown dataset, a missing file, a link."""
    if dataset not in DATASET_TABLES:
        raise ValueError(f"unknown dataset {dataset!r}: expected one of {', '.join(sorted(DATASET_TABLES))}")
    refuse_unless_regular(path)
    if not os.access(path, os.R_OK):
        raise PermissionError(f"{path}: cannot be read")


@task(name="register-batch")
def register_batch(path: Path, dataset: str, partner: str | None = None) -> BatchTicket:
    """One ledger row per distinct file content; the same bytes twice are recognised, not loaded twice.

    The file is read once, into the raw archive; its sha256 is the copy's, and every later step reads it.
    """
    settings = get_settings()
    path = Path(path)
    check_input(path, dataset)
    raw, sha = archive_copy(path, settings.raw_dir)
    engine = engine_for(settings.database_url)
    with engine.connect() as conn:
        seen = batches.find_by_sha(conn, sha)
    if seen and seen.status == "loaded":
        return BatchTicket(seen.batch_id, seen.dataset, seen.partner, path, Path(seen.raw_path), sha, True)
    partner = partner or CANONICAL
    batch_id = batches.open_batch(
        engine, partner=partner, dataset=dataset, file_name=path.name, raw_path=str(raw), sha256=sha
    )
    return BatchTicket(batch_id, dataset, partner, path, raw, sha, False)


def previous_summary(ticket: BatchTicket) -> BatchSummary:
    """What the ledger recorded when this very file was loaded before."""
    row = batches.get(engine_for(get_settings().database_url), ticket.batch_id)
    return BatchSummary(
        row.batch_id,
        row.dataset,
        row.partner,
        ticket.source.name,
        "already_ingested",
        row.rows_in or 0,
        row.rows_loaded or 0,
        row.rows_quarantined or 0,
    )
