"""Prefect tasks of a Kobo pull: new submissions into a landing file, the cursor moved after the ingest."""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prefect import task

from malux.settings import get_settings
from tasks.sources.cursor import advance_cursor, read_cursor
from tasks.sources.kobo import (
    SUBMISSION_TIME,
    KoboClient,
    flatten,
    required_token,
    submitted_at,
)
from tasks.standardise.mapping import load_mapping
from warehouse.db import engine_for
from warehouse.schema import DATASET_TABLES

SOURCE = "kobo"
PARTNER = "kobo"  # config/partners/kobo/<dataset>.yaml maps the form's fields onto the canonical columns
DATASET = "training_attendance"
_FIRST = ("_id", SUBMISSION_TIME)


@dataclass(frozen=True)
class PulledFile:
    """A landing file of new submissions, and the submission time the cursor moves to once it is ingested."""

    asset_uid: str
    path: Path
    rows: int
    since: str | None
    last_submission_time: str


def mapped_fields(config_dir: Path, dataset: str = DATASET) -> set[str]:
    """Every Kobo field path the partner mapping names; those keep their full path in the landing file."""
    mapping = load_mapping(config_dir, PARTNER, dataset, DATASET_TABLES[dataset])
    return {header for spec in mapping.columns.values() for header in spec.headers}


def write_submissions(records: list[dict[str, Any]], path: Path, mapped: set[str]) -> None:
    """UTF-8 CSV, one row per submission in submission order, complete before it appears under its name."""
    records = sorted(records, key=lambda r: (submitted_at(r), str(r.get("_id"))))
    rows = [flatten(record, mapped) for record in records]
    columns = [c for c in _FIRST if any(c in row for row in rows)]
    for row in rows:
        columns += [c for c in row if c not in columns]
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.part")  # a landing scan must never see half a file
    with open(partial, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, restval="")
        writer.writeheader()
        writer.writerows({k: "" if v is None else v for k, v in row.items()} for row in rows)
    os.replace(partial, path)


@task(name="kobo-pull-submissions")
def pull_submissions(asset_uid: str, base_url: str | None = None) -> PulledFile | None:
    """Submissions newer than the asset's cursor, as a landing file; None when there is nothing new."""
    settings = get_settings()
    kobo = settings.kobo
    token = required_token(kobo)
    since = read_cursor(engine_for(settings.database_url), SOURCE, asset_uid)
    client = KoboClient(base_url or kobo.url, token, page_size=kobo.page_size)
    records = list(client.submissions(asset_uid, since))
    if not records:
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    path = settings.landing_dir / PARTNER / DATASET / f"{asset_uid}-{stamp}.csv"
    write_submissions(records, path, mapped_fields(settings.config_dir))
    last = max(records, key=submitted_at)[SUBMISSION_TIME]
    return PulledFile(asset_uid, path, len(records), since, str(last))


@task(name="kobo-advance-cursor")
def record_pulled(pulled: PulledFile) -> None:
    """The next pull starts after the last submission of a file that is now in the warehouse."""
    engine = engine_for(get_settings().database_url)
    advance_cursor(engine, SOURCE, pulled.asset_uid, pulled.last_submission_time)
