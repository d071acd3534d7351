"""The Parquet lake: one partition per dataset and ingest batch, written atomically."""

from __future__ import annotations

import os
import shutil
from collections.abc import Collection
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import Table


def partition_path(lake_dir: Path, dataset: str, batch_id: int) -> Path:
    """Where a batch's rows of a dataset live: `<lake>/<dataset>/batch_id=<id>/part-0.parquet`."""
    return lake_dir / dataset / f"batch_id={batch_id}" / "part-0.parquet"


COMPRESSION = "zstd"


def write_rows(
    table: pa.Table, path: Path, unique: Collection[str] = (), compression: str = COMPRESSION
) -> Path:
    """Write a batch's rows as Parquet; `unique` columns (a key, `source_row`) get no dictionary.

    Parquet starts a dictionary for every column and gives it up when it grows too large: for a column
    whose values all differ that is pure waste, ~40 % of the write of a million loans (bench/ingest_1m.py).
    """
    dictionary = [name for name in table.column_names if name not in unique]
    pq.write_table(table, path, compression=compression, use_dictionary=dictionary)
    return path


def unique_columns(table: Table) -> list[str]:
    """The columns no two rows of a validated batch share: the table's key and the source row number."""
    return [column.name for column in table.primary_key.columns] + ["source_row"]


def write_atomic(table: pa.Table, target: Path) -> Path:
    """Write a Parquet file so that readers see the old file or the whole new one, never half of it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        pq.write_table(table, tmp, compression=COMPRESSION)
        _commit(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def place_atomic(source: Path, target: Path) -> Path:
    """Make an already written Parquet file the partition (hard link, else copy), old file or new, never half.

    The validated rows are written once, in the lake's format, and become the partition as they are: a
    million rows cost no second write. The source stays where it was."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        tmp.unlink(missing_ok=True)
        try:
            os.link(source, tmp)
        except OSError:  # another file system, or one without hard links
            shutil.copyfile(source, tmp)
        _commit(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def _commit(tmp: Path, target: Path) -> None:
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, target)


def read_dataset(lake_dir: Path, dataset: str) -> pa.Table:
    """Every batch of a dataset as one Arrow table (with its `batch_id` partition column)."""
    return pq.read_table(lake_dir / dataset, partitioning="hive")
