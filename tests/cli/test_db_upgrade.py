"""`malux db upgrade` migrates on purpose; commands that only read say so; a flow migrates at its start."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from warehouse.db import engine_for
from warehouse.migrate import NO_SCHEMA, alembic_config, current_revisions, head_revision

runner = CliRunner()


def malux(*args: str):
    from malux.cli.main import app

    return runner.invoke(app, list(args), env={"COLUMNS": "200"})


def test_db_upgrade_creates_the_schema_at_the_one_head_then_has_nothing_to_do(
    empty_warehouse_url: str,
) -> None:
    first = malux("db", "upgrade")
    assert first.exit_code == 0, first.output
    assert f"schema created at revision {head_revision()}" in first.output
    assert current_revisions(engine_for(empty_warehouse_url)) == (head_revision(),)

    again = malux("db", "upgrade")
    assert again.exit_code == 0, again.output
    assert f"already at revision {head_revision()}: nothing to do" in again.output


@pytest.mark.parametrize(
    "command",
    [
        ("batches",),
        ("query", "SELECT 1"),
        ("indicators", "show", "--period", "201903B"),
        ("quarantine", "show", "1"),
    ],
)
def test_a_command_that_only_reads_an_empty_warehouse_says_to_upgrade(
    empty_warehouse_url: str, command: tuple[str, ...]
) -> None:
    result = malux(*command)
    assert result.exit_code == 1
    assert result.output.strip() == f"error: {NO_SCHEMA}"
    assert current_revisions(engine_for(empty_warehouse_url)) == ()  # reading never migrates


def test_a_command_that_only_reads_an_old_warehouse_names_both_revisions(data_dir) -> None:
    from alembic import command

    engine = engine_for(f"sqlite:///{data_dir / 'warehouse.sqlite'}")
    with engine.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0006")
    result = malux("batches")
    assert result.exit_code == 1
    assert f"at revision 0006, not this code's {head_revision()}: run `malux db upgrade`" in result.output


@pytest.mark.usefixtures("prefect_harness")
def test_a_flow_brings_an_old_warehouse_to_the_head_before_it_writes(data_dir) -> None:
    from alembic import command

    from flows.compute_indicators import compute_indicators

    engine = engine_for(f"sqlite:///{data_dir / 'warehouse.sqlite'}")
    with engine.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        for head in ("0002", "0004", "0005", "0006", "0007"):
            command.upgrade(cfg, head)
    compute_indicators("201903B")
    assert current_revisions(engine) == (head_revision(),)


def test_workers_upgrading_one_postgresql_warehouse_at_once_migrate_it_once(pg_url: str, tmp_path) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "MALUX_WAREHOUSE_URL": pg_url, "MALUX_DATA_DIR": str(tmp_path), "COLUMNS": "200"}
    command = [sys.executable, "-m", "malux.cli.main", "db", "upgrade"]
    runs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True) for _ in range(3)]
    outputs = [run.communicate(timeout=300)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0]
    assert sum("schema created" in out for out in outputs) == 1, outputs
    assert current_revisions(engine_for(pg_url)) == (head_revision(),)
