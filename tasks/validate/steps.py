"""Validate a staged batch: its suite, its references, and the share of rows a batch may lose."""

from __future__ import annotations

import json
from collections import Counter

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from prefect import task

from malux.settings import get_settings
from tasks.batch import BatchRejected, StagedBatch, Verdict
from tasks.standardise.result import RowIssue
from tasks.validate.data_docs import write_validation_report
from tasks.validate.expectations_run import run_suite_with_outcomes
from tasks.validate.gx_data_docs import SITE_FOLDER, build_data_docs
from tasks.validate.references import check_references
from tasks.validate.suites import load_suite_dict
from warehouse import batches, lake
from warehouse.capped import capped
from warehouse.db import engine_for
from warehouse.schema import DATASET_TABLES

QUARANTINE_COLUMNS = ["source_row", "column_name", "value", "check_name", "reason", "record"]


def _issues_from_staging(staged: StagedBatch) -> list[RowIssue]:
    frame = pd.read_parquet(staged.issues_path)
    return [RowIssue(int(r.source_row), r.column, r.value, r.check, r.reason) for r in frame.itertuples()]


def _quarantine_frame(frame: pd.DataFrame, issues: list[RowIssue]) -> pd.DataFrame:
    """One row per reason, each carrying the whole row as read so the partner sees what they sent."""
    held = frame[frame["source_row"].isin({i.source_row for i in issues})]
    as_json = {
        int(record["source_row"]): json.dumps(
            {k: (None if pd.isna(v) else str(v)) for k, v in record.items()}, ensure_ascii=False
        )
        for record in held.astype(object).to_dict("records")
    }
    return pd.DataFrame(
        [(i.source_row, i.column, i.value, i.check, i.reason, as_json[i.source_row]) for i in issues],
        columns=QUARANTINE_COLUMNS,
    ).astype({"value": "object"})


@task(name="validate")
def validate_batch(staged: StagedBatch) -> Verdict:
    """Run the dataset's suite and reference checks; reject the whole batch only when it cannot be trusted."""
    settings = get_settings()
    engine = engine_for(settings.database_url)
    ticket = staged.ticket
    rows = pq.read_table(staged.rows_path)
    frame = rows.to_pandas()  # GX validates pandas; the lake gets the Arrow rows, never re-converted
    issues = _issues_from_staging(staged)
    suite = load_suite_dict(settings.expectations_dir, ticket.dataset)
    suite_issues, outcomes = run_suite_with_outcomes(frame, suite)
    issues += suite_issues
    issues += check_references(engine, ticket.dataset, frame, settings.config_dir)
    bad_rows = {i.source_row for i in issues}
    share = len(bad_rows) / len(frame) if len(frame) else 0.0
    rejected = share > settings.warehouse.max_quarantine_share
    gx_page = build_data_docs(
        settings.root / SITE_FOLDER, suite, ticket.batch_id, ticket.source.name, outcomes
    )
    write_validation_report(
        staged.rows_path.parent,
        batch={
            "batch_id": ticket.batch_id,
            "dataset": ticket.dataset,
            "partner": ticket.partner,
            "file": ticket.source.name,
            "sheet": staged.sheet,
        },
        outcomes=outcomes,
        issues=issues,
        rows_in=staged.rows_in,
        verdict="Rejected whole: too many bad rows" if rejected else "Accepted",
        gx_page=gx_page,
    )
    if rejected:
        top = "; ".join(
            f"{reason} ({n} row{'s' if n > 1 else ''})"
            for reason, n in Counter(i.reason for i in issues).most_common(3)
        )
        where = f", sheet {staged.sheet!r}" if staged.sheet else ""
        message = (
            f"{ticket.source}{where}: {len(bad_rows)} of {len(frame)} rows fail validation, more than the "
            f"{settings.warehouse.max_quarantine_share:.0%} a batch may hold back; most frequent: {top}"
        )
        batches.reject(engine, ticket.batch_id, message, rows_in=staged.rows_in)
        raise BatchRejected(capped(message))
    held = frame["source_row"].isin(bad_rows)
    passed_path = staged.rows_path.with_name("passed.parquet")
    quarantine_path = staged.rows_path.with_name("quarantine.parquet")
    kept = rows.filter(pa.array(~held.to_numpy()))
    # in the lake's format: publish makes this very file the partition
    lake.write_rows(kept, passed_path, lake.unique_columns(DATASET_TABLES[ticket.dataset]))
    _quarantine_frame(frame, issues).to_parquet(quarantine_path, index=False)
    return Verdict(staged, passed_path, quarantine_path, int((~held).sum()), int(held.sum()))
