"""The lake writes whole files or nothing, one partition per dataset and batch."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from warehouse.lake import partition_path, read_dataset, write_atomic


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
