"""The `malux` command as a user runs it: a bad input is one clear line, a non-zero exit, nothing written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

MALUX = [sys.executable, "-m", "malux.cli.main"]


def run(*args: str, data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "MALUX_DATA_DIR": str(data_dir), "COLUMNS": "200", **env}
    return subprocess.run([*MALUX, *args], capture_output=True, text=True, env=environment, timeout=300)


def test_an_unknown_dataset_is_named_with_the_known_ones(tmp_path: Path) -> None:
    source = tmp_path / "x.csv"
    source.write_text("a,b\n1,2\n", encoding="utf-8")
    result = run("ingest", "loanz", str(source), data_dir=tmp_path / "data")
    assert result.returncode == 1
    assert "unknown dataset 'loanz': expected one of beneficiaries" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "data" / "lake").exists()


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    result = run("ingest", "loans", str(tmp_path / "nope.csv"), data_dir=tmp_path / "data")
    assert result.returncode == 1
    assert f"{tmp_path / 'nope.csv'}: no such file" in result.stderr.replace("\n", "")


def test_a_warehouse_that_does_not_connect_is_one_line(tmp_path: Path) -> None:
    result = run(
        "batches",
        data_dir=tmp_path / "data",
        MALUX_WAREHOUSE_URL="postgresql+psycopg://nobody@127.0.0.1:1/malux",
    )
    assert result.returncode == 1
    assert "cannot reach the warehouse at postgresql+psycopg://nobody@127.0.0.1:1/malux" in result.stderr
    assert "Traceback" not in result.stderr


def test_binary_garbage_is_rejected_with_the_file_named_and_nothing_loaded(tmp_path: Path) -> None:
    garbage = tmp_path / "prets.csv"
    garbage.write_bytes(bytes(range(256)) * 40)
    result = run("ingest", "loans", str(garbage), data_dir=tmp_path / "data")
    assert result.returncode == 1
    assert "prets.csv" in result.stderr
    listing = run("batches", "--format", "json", data_dir=tmp_path / "data")
    import json

    (batch,) = json.loads(listing.stdout)
    assert (batch["status"], batch["rows_loaded"]) == ("rejected", 0)
    assert not (tmp_path / "data" / "lake").exists()


def test_generate_writes_the_same_bytes_for_the_same_seed(tmp_path: Path) -> None:
    import hashlib

    def digests(folder: Path) -> dict[str, str]:
        return {
            str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*"))
            if p.is_file()
        }

    for out in ("a", "b"):
        result = run("generate", "--out", str(tmp_path / out), data_dir=tmp_path / "data")
        assert result.returncode == 0, result.stderr
    assert digests(tmp_path / "a") == digests(tmp_path / "b")
    from tasks.generate import _LAYOUTS

    assert len(digests(tmp_path / "a")) == len(_LAYOUTS)  # one file per partner layout
