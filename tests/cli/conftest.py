"""Fixtures for the command tests: the `malux` app in-process, and a program warehouse it reads."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "indicators"))

from program_builder import Program, make_program  # noqa: E402


@pytest.fixture
def malux():
    """Run `malux ARGS…` as a user would, in this process (flows go to the test Prefect server)."""
    from malux.cli.main import app

    runner = CliRunner()

    def run(*args: str) -> Result:
        return runner.invoke(app, list(args), env={"COLUMNS": "250"}, catch_exceptions=False)

    return run


@pytest.fixture
def program(tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Program]:
    """A program in a known state in the data dir's warehouse, which the commands find by their settings."""
    from warehouse.db import _engines, make_engine
    from warehouse.migrate import upgrade

    url = f"sqlite:///{data_dir / 'warehouse.sqlite'}"
    engine = make_engine(url)
    upgrade(engine)  # the schema as `malux db upgrade` makes it, not the builder's create_all
    program = make_program(tmp_path, engine)
    monkeypatch.setenv("MALUX_CONFIG_DIR", str(program.config_dir))
    yield program
    engine.dispose()
    cached = _engines.pop(url, None)  # the commands' own engine on this file, which is about to go
    if cached is not None:
        cached.dispose()
