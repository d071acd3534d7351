"""Flow: ingest every new partner file of the landing folder, in dependency order, one failure at a time."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger

from flows.ingest_file import ingest_file
from malux.settings import get_settings
from tasks.alerts.webhook import notify_failure
from tasks.ingest.landing import landed_files, loaded_hashes, refused_files, unknown_folders
from tasks.ingest.models import BatchRejected, BatchSummary
from tasks.warehouse_schema import ensure_schema
from warehouse import batches
from warehouse.db import engine_for


@flow(name="landing-scan", log_prints=True, on_failure=[notify_failure], on_crashed=[notify_failure])
def landing_scan(landing_dir: str | None = None) -> list[BatchSummary]:
    """Ingest new files under `<landing>/<partner>/<dataset>/`; landing files are only ever read."""
    ensure_schema()
    settings = get_settings()
    root = Path(landing_dir) if landing_dir else settings.landing_dir
    logger = get_run_logger()
    for folder in unknown_folders(root):
        logger.warning("%s: not a dataset folder, its files are left alone", folder)
    for path in refused_files(root):
        logger.warning("%s: a symbolic link or not a regular file, left alone", path)
    engine = engine_for(settings.database_url)
    done = loaded_hashes(engine)
    summaries: list[BatchSummary] = []
    for landed in landed_files(root, settings.config_dir):
        if landed.sha256 in done:
            continue  # already ingested: skipped on its hash, nothing read but the bytes
        try:
            summary = ingest_file(landed.path, landed.dataset, landed.partner)
        except BatchRejected as exc:
            with engine.connect() as conn:
                row = batches.find_by_sha(conn, landed.sha256)
            summary = BatchSummary(
                row.batch_id if row else 0,
                landed.dataset,
                landed.partner,
                landed.path.name,
                "rejected",
                (row.rows_in or 0) if row else 0,
                0,
                0,
                error=str(exc),
            )
            logger.warning("rejected: %s", exc)
        done.add(landed.sha256)
        summaries.append(summary)
    return summaries
