"""Files as they are on disk, read once: what a careless partner or an attacker hands `malux ingest`.

Each test is one row of issue #13's table (a 50 MB line, a NUL byte, a file still being written, a symbolic
link, Rich markup in a path, UTF-16, mixed encodings); the warehouse ones run on SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from flows.ingest_file import ingest_file
from tasks.standardise.errors import InputError
from warehouse.db import engine_for
from warehouse.schema import beneficiaries, ingest_batch, quarantine

pytestmark = pytest.mark.usefixtures("prefect_harness")

HEADER = ",".join(
    ["beneficiary_id", "category", "name", "org_id", "cercle", "commune", "village"]
    + ["phone", "language", "gender", "sms_consent", "registered_on"]
)


def _row(number: int, name: str | None = None) -> str:
    """A producer organisation that loads: no phone, no parent organisation needed."""
    return f"OP{number:05d},producer_org,{name or f'Union {number}'},,San,San,San,,fr,M,false,2018-09-01"


def _ledger(url: str) -> list[dict]:
    with engine_for(url).connect() as conn:
        return [dict(r) for r in conn.execute(select(ingest_batch)).mappings()]


def _held(url: str) -> list[tuple[int, str, str, str]]:
    with engine_for(url).connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                select(
                    quarantine.c.source_row,
                    quarantine.c.column_name,
                    quarantine.c.value,
                    quarantine.c.check_name,
                )
            )
        ]


def _cli(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    """`malux` as a user runs it, reporting to the session's Prefect server (none of its own to start)."""
    from prefect.settings import PREFECT_API_URL

    env = {
        **os.environ,
        "MALUX_DATA_DIR": str(data_dir),
        "COLUMNS": "200",
        "PREFECT_API_URL": str(PREFECT_API_URL.value()),
    }
    return subprocess.run(
        [sys.executable, "-m", "malux.cli.main", *args], capture_output=True, text=True, env=env, timeout=600
    )


# --- a symbolic link, a FIFO, a directory: refused in one line, nothing read


@pytest.mark.parametrize("kind", ["symlink", "fifo", "directory"])
def test_a_link_or_anything_not_a_regular_file_is_refused_in_one_line(
    kind: str, data_dir: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "passwd"
    secret.write_text(f"{HEADER}\nroot:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    path = tmp_path / "people.csv"
    if kind == "symlink":
        path.symlink_to(secret)
    elif kind == "fifo":
        os.mkfifo(path)  # opening it for reading would wait for a writer for ever
    else:
        path.mkdir()
    with pytest.raises(InputError) as refused:
        ingest_file(path, "beneficiaries")
    message = str(refused.value)
    assert str(path) in message and "\n" not in message and "root:x" not in message
    raw = data_dir / "raw"
    assert not raw.exists() or not [p for p in raw.rglob("*") if p.is_file()]  # nothing archived


def test_the_landing_scan_leaves_a_symbolic_link_alone(data_dir: Path, tmp_path: Path) -> None:
    from flows.landing_scan import landing_scan

    folder = data_dir / "landing" / "aopp" / "beneficiaries"
    folder.mkdir(parents=True)
    secret = tmp_path / "passwd.csv"
    secret.write_text(f"{HEADER}\n{_row(1)}\n", encoding="utf-8")
    (folder / "people.csv").symlink_to(secret)
    assert landing_scan() == []
    assert not (data_dir / "raw").exists() or not [p for p in (data_dir / "raw").rglob("*") if p.is_file()]


# --- a file still being written: the ledger's hash is the archived copy's, and the rows are the copy's


def test_a_file_still_being_written_is_hashed_and_loaded_as_archived(
    warehouse_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "people.csv"
    path.write_text(HEADER + "\n" + "".join(_row(i) + "\n" for i in range(1, 20_001)), encoding="utf-8")
    stop = threading.Event()

    def keep_writing() -> None:  # the partner's export, still appending whole lines
        number = 20_001
        fd = os.open(path, os.O_WRONLY | os.O_APPEND)
        try:
            while not stop.is_set() and number < 80_000:
                os.write(fd, "".join(_row(n) + "\n" for n in range(number, number + 20)).encode())
                number += 20
                stop.wait(0.0005)
        finally:
            os.close(fd)

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        summary = ingest_file(path, "beneficiaries")
    finally:
        stop.set()
        writer.join()
    (batch,) = _ledger(warehouse_url)
    archived = Path(batch["raw_path"]).read_bytes()
    assert hashlib.sha256(archived).hexdigest() == batch["sha256"]
    data_lines = [line for line in archived.decode().splitlines()[1:] if line.strip()]
    assert summary.rows_in == len(data_lines)
    assert summary.rows_in == summary.rows_loaded + summary.rows_quarantined
    assert path.stat().st_size >= len(archived)  # the original went on growing; the copy is one moment of it


# --- a NUL byte: that cell is held back with its reason, on both databases


@pytest.mark.parametrize("row_with_nul", [3, 120])  # inside the first 4 KB, and well after it
def test_a_nul_byte_holds_its_cell_back_with_the_reason(
    warehouse_url: str, tmp_path: Path, row_with_nul: int
) -> None:
    rows = [_row(i, "Awa\x00Traore" if i == row_with_nul else None) for i in range(1, 151)]
    text = HEADER + "\n" + "\n".join(rows) + "\n"
    assert (text.index("\x00") > 4096) == (row_with_nul == 120)
    path = tmp_path / "people.csv"
    path.write_text(text, encoding="utf-8")
    summary = ingest_file(path, "beneficiaries")
    line = row_with_nul + 1  # the header is line 1
    assert (summary.rows_in, summary.rows_loaded, summary.rows_quarantined) == (150, 149, 1)
    held = [h for h in _held(warehouse_url) if h[1] == "name"]
    assert [(h[0], h[3]) for h in held] == [(line, "parse_text")]
    assert "\x00" not in held[0][2] and held[0][2].startswith("Awa")
    with engine_for(warehouse_url).connect() as conn:
        names = list(conn.execute(select(beneficiaries.c.name)).scalars())
    assert len(names) == 149 and not any("\x00" in n for n in names)
    assert _ledger(warehouse_url)[0]["status"] == "loaded"


# --- a crash half-way: the batch is failed, with a short reason, never left `received`


def test_a_crash_after_registration_marks_the_batch_failed_with_a_short_reason(
    warehouse_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tasks.ingest.publish

    def crash(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the database went away: " + "x" * 5_000)

    monkeypatch.setattr(tasks.ingest.publish, "replace_by_key", crash)
    path = tmp_path / "people.csv"
    path.write_text(f"{HEADER}\n{_row(1)}\n", encoding="utf-8")
    with pytest.raises(RuntimeError, match="the database went away"):
        ingest_file(path, "beneficiaries")
    (batch,) = _ledger(warehouse_url)
    assert batch["status"] == "failed" and batch["finished_at"] is not None
    assert batch["error"].startswith("RuntimeError: the database went away") and len(batch["error"]) < 1000


# --- UTF-16 and mixed encodings: read, or refused naming the lines; never mojibake


def test_a_utf16_file_with_its_byte_order_mark_loads_its_accents(warehouse_url: str, tmp_path: Path) -> None:
    names = ["Coopérative Sègou", "Union Kɔnɔ", "Fédération – San"]
    text = HEADER + "\r\n" + "".join(_row(i + 1, n) + "\r\n" for i, n in enumerate(names))
    path = tmp_path / "people.csv"
    path.write_bytes(text.encode("utf-16"))  # with its BOM, as Excel's "Unicode text" writes it
    summary = ingest_file(path, "beneficiaries")
    assert (summary.rows_in, summary.rows_loaded) == (3, 3)
    with engine_for(warehouse_url).connect() as conn:
        stored = list(
            conn.execute(select(beneficiaries.c.name).order_by(beneficiaries.c.beneficiary_id)).scalars()
        )
    assert stored == names


def test_a_file_mixing_utf8_and_cp1252_is_refused_naming_both_lines(
    warehouse_url: str, tmp_path: Path
) -> None:
    lines = [
        HEADER.encode(),
        _row(1, "Awa Traoré").encode("utf-8"),
        _row(2, "Moussa Sémega").encode("cp1252"),
    ]
    path = tmp_path / "people.csv"
    path.write_bytes(b"\n".join(lines) + b"\n")
    from tasks.ingest.models import BatchRejected

    with pytest.raises(BatchRejected) as rejected:
        ingest_file(path, "beneficiaries")
    message = str(rejected.value)
    assert "mixes encodings" in message and "line 2" in message and "line 3" in message
    (batch,) = _ledger(warehouse_url)
    assert batch["status"] == "rejected" and "mixes encodings" in batch["error"]
    with engine_for(warehouse_url).connect() as conn:
        assert list(conn.execute(select(beneficiaries.c.name))) == []  # no "TraorÃ©" anywhere


# --- a 50 MB line: one short line, fast, in modest memory; the reason stored is short too


# A small launcher runs `malux` and reports its child's peak RSS: measured from pytest, the peak would
# include the pytest process's own pages, which the child shares between fork and exec.
_LAUNCHER = """
import resource, subprocess, sys
code = subprocess.call(sys.argv[2:])
open(sys.argv[1], "w").write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(code)
"""


def _run_measured(args: list[str], data_dir: Path, out: Path) -> tuple[int, str, int]:
    """Run `malux` and return its exit code, its stderr and its own peak RSS in MB."""
    from prefect.settings import PREFECT_API_URL

    env = {**os.environ, "MALUX_DATA_DIR": str(data_dir), "COLUMNS": "200"}
    env["PREFECT_API_URL"] = str(PREFECT_API_URL.value())
    peak = out / "peak-rss-kb"
    command = [sys.executable, "-c", _LAUNCHER, str(peak), sys.executable, "-m", "malux.cli.main", *args]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    return result.returncode, result.stderr, int(peak.read_text()) // 1024  # Linux counts kB


def test_a_50_mb_line_is_refused_in_one_short_line_and_modest_memory(
    empty_warehouse_url: str, data_dir: Path, tmp_path: Path
) -> None:
    path = tmp_path / "people.csv"
    with path.open("wb") as fh:
        for _ in range(50):
            fh.write(b"Traore," * ((1 << 20) // 7))  # the whole file is one line of 50 MB: cells, no line end
    code, stderr, peak_mb = _run_measured(["ingest", "beneficiaries", str(path)], data_dir, tmp_path)
    assert code == 1, stderr
    assert "people.csv: line 1 is longer than 1 MiB" in stderr
    assert len(stderr) < 1000 and "Traceback" not in stderr
    assert peak_mb < 500, f"peak RSS {peak_mb} MB"
    (batch,) = _ledger(empty_warehouse_url)
    assert batch["status"] == "rejected" and len(batch["error"]) < 1000


def test_the_line_limit_is_exact_and_counts_lines_that_cross_blocks(tmp_path: Path) -> None:
    from tasks.standardise.readers.lines import refuse_long_lines

    limit = 64
    for line_ends in ("\n", "\r\n", "\r"):
        fits = tmp_path / "fits.csv"
        lines = ["a" * limit, "b" * (limit - 1), "c", "d" * limit]  # each line as long as allowed, or shorter
        fits.write_bytes(line_ends.join(lines).encode())
        refuse_long_lines(fits, limit)
        for at in range(len(lines)):  # one byte too many, each line in turn (the blocks fall differently)
            too_long = tmp_path / "too_long.csv"
            longer = ["x" * (limit + 1) if i == at else line for i, line in enumerate(lines)]
            too_long.write_bytes(line_ends.join(longer).encode())
            with pytest.raises(InputError, match=f"line {at + 1} is longer than 64 bytes"):
                refuse_long_lines(too_long, limit)


def test_the_line_limit_is_a_setting(data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tasks.standardise import standardise_file

    path = tmp_path / "people.csv"
    path.write_text(f"{HEADER}\n{_row(1, 'N' * 200)}\n", encoding="utf-8")
    monkeypatch.setenv("MALUX_MAX_LINE_BYTES", "150")  # the header is ~110 bytes

    with pytest.raises(InputError, match="people.csv: line 2 is longer than 150 bytes"):
        standardise_file(path, "beneficiaries")
    monkeypatch.setenv("MALUX_MAX_LINE_BYTES", "1000")

    assert standardise_file(path, "beneficiaries").rows_in == 1


# --- Rich markup in a path: printed as it is, after a load that succeeded


def test_a_path_holding_rich_markup_is_printed_as_it_is(
    warehouse_url: str, data_dir: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "exports[" / "foo]"  # the path reads .../exports[/foo]/[bold]people.csv
    folder.mkdir(parents=True)
    path = folder / "[bold]people.csv"
    path.write_text(f"{HEADER}\n{_row(1)}\n{_row(2)}\n", encoding="utf-8")
    result = _cli("ingest", "beneficiaries", str(path), data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    assert "[/foo]" in str(path)
    assert f"{path}: batch 1, rows in 2, loaded 2, quarantined 0" in result.stdout.replace("\n", "")
    listing = _cli("batches", data_dir=data_dir)
    assert listing.returncode == 0 and "[bold]people.csv" in listing.stdout, listing.stderr


# --- a mapping's `encoding: utf-16`


def test_a_mapping_declaring_utf16_reads_the_file(tmp_path: Path) -> None:
    import shutil

    from malux.settings import get_settings
    from tasks.standardise import standardise_file

    config = tmp_path / "config"
    shutil.copytree(get_settings().config_dir / "reference", config / "reference")
    (config / "partners" / "p").mkdir(parents=True)
    (config / "partners" / "p" / "beneficiaries.yaml").write_text(
        "file: {encoding: utf-16}\n", encoding="utf-8"
    )
    path = tmp_path / "people.csv"
    path.write_bytes(f"{HEADER}\n{_row(1, 'Kadiatou Diarré')}\n".encode("utf-16"))
    result = standardise_file(path, "beneficiaries", "p", config)
    assert result.table.column("name").to_pylist() == ["Kadiatou Diarré"]


def test_a_declared_single_byte_encoding_on_a_utf8_file_is_refused_not_garbled(tmp_path: Path) -> None:
    import shutil

    from malux.settings import get_settings
    from tasks.standardise import standardise_file

    config = tmp_path / "config"
    shutil.copytree(get_settings().config_dir / "reference", config / "reference")
    (config / "partners" / "p").mkdir(parents=True)
    (config / "partners" / "p" / "beneficiaries.yaml").write_text(
        "file: {encoding: cp1252}\n", encoding="utf-8"
    )
    path = tmp_path / "people.csv"
    path.write_text(f"{HEADER}\n{_row(1, 'Awa Traoré')}\n", encoding="utf-8")
    with pytest.raises(
        InputError, match=r"says cp1252, but the file is UTF-8 \(line 2: 'é' would load as 'Ã©'\)"
    ):
        standardise_file(path, "beneficiaries", "p", config)


def test_a_long_bad_value_is_held_back_with_its_value_capped(warehouse_url: str, tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    cercle = "Sansansan" * 1000  # no cercle of Mali: held back, and quoted in the quarantine
    path.write_text(f"{HEADER}\n{_row(1)}\n{_row(2).replace(',San,San,San,', f',{cercle},San,San,')}\n")
    summary = ingest_file(path, "beneficiaries")
    assert (summary.rows_in, summary.rows_loaded, summary.rows_quarantined) == (2, 1, 1)
    ((row, column, value, check),) = [h for h in _held(warehouse_url) if h[1] == "cercle"]
    assert (row, check) == (3, "parse_cercle")
    assert value.startswith(cercle[:400]) and len(value) < 1000 and f"{len(cercle) - 500:,} more" in value


def test_a_long_error_is_capped_where_it_is_stored_and_printed() -> None:
    from warehouse.capped import LIMIT, capped

    text = "é" * (LIMIT + 1234)
    assert capped(text) == "é" * LIMIT + "… (1,234 more characters)"
    assert capped("short") == "short"
    assert capped(capped(text)) == capped(text)  # each step may cap: the count stays the original's
