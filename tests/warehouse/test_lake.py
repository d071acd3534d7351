"""The lake writes whole files or nothing, one partition per dataset and batch."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from warehouse.lake import (
    partition_path,
    place_atomic,
    read_dataset,
    unique_columns,
    write_atomic,
    write_rows,
)
from warehouse.schema import DATASET_TABLES


def test_partitions_are_read_back_with_their_batch_id(tmp_path: Path) -> None:
    write_atomic(pa.table({"loan_id": ["L1", "L2"]}), partition_path(tmp_path, "loans", 1))
    write_atomic(pa.table({"loan_id": ["L3"]}), partition_path(tmp_path, "loans", 2))
    table = read_dataset(tmp_path, "loans").sort_by("loan_id")
    assert table.column("loan_id").to_pylist() == ["L1", "L2", "L3"]
    assert table.column("batch_id").to_pylist() == [1, 1, 2]


def test_a_failed_write_leaves_the_previous_file_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = partition_path(tmp_path, "loans", 1)
    write_atomic(pa.table({"loan_id": ["L1"]}), target)
    before = target.read_bytes()

    def crash_half_way(table: pa.Table, where: Path, **_: object) -> None:
        Path(where).write_bytes(b"PAR1 half a file")
        raise OSError("disk full")

    monkeypatch.setattr("warehouse.lake.pq.write_table", crash_half_way)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(pa.table({"loan_id": ["L9"]}), target)
    assert target.read_bytes() == before
    assert [p.name for p in target.parent.iterdir()] == [target.name]


def test_a_validated_file_becomes_the_partition_as_it_is_and_stays_where_it_was(tmp_path: Path) -> None:
    source = tmp_path / "work" / "passed.parquet"
    source.parent.mkdir()
    pq.write_table(pa.table({"loan_id": ["L1", "L2"]}), source)
    target = partition_path(tmp_path / "lake", "loans", 7)
    place_atomic(source, target)
    assert source.exists() and target.read_bytes() == source.read_bytes()
    assert read_dataset(tmp_path / "lake", "loans").column("batch_id").to_pylist() == [7, 7]


def test_a_failed_placement_leaves_the_previous_partition_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = partition_path(tmp_path, "loans", 1)
    write_atomic(pa.table({"loan_id": ["L1"]}), target)
    before = target.read_bytes()
    source = tmp_path / "passed.parquet"
    pq.write_table(pa.table({"loan_id": ["L9"]}), source)

    def crash(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("warehouse.lake.os.replace", crash)
    with pytest.raises(OSError, match="disk full"):
        place_atomic(source, target)
    assert target.read_bytes() == before
    assert [p.name for p in target.parent.iterdir()] == [target.name]


def test_rows_written_for_the_lake_keep_every_value_and_skip_the_dictionary_of_unique_columns(
    tmp_path: Path,
) -> None:
    rows = pa.table(
        {
            "loan_id": [f"L{i}" for i in range(5000)],
            "crop": ["sesame", "rice"] * 2500,
            "source_row": list(range(2, 5002)),
        }
    )
    path = write_rows(rows, tmp_path / "passed.parquet", unique_columns(DATASET_TABLES["loans"]))
    assert pq.read_table(path).equals(rows)
    chunk = pq.ParquetFile(path).metadata.row_group(0)
    encodings = {chunk.column(i).path_in_schema: chunk.column(i).encodings for i in range(3)}
    assert "RLE_DICTIONARY" in encodings["crop"]
    assert "RLE_DICTIONARY" not in encodings["loan_id"]
    assert "RLE_DICTIONARY" not in encodings["source_row"]
