"""Fixtures for the command tests: the `malux` app run in-process, as a user types it."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner, Result


@pytest.fixture
def malux():
    """Run `malux ARGS…` in this process (flows go to the test Prefect server); the output is not wrapped."""
    from malux.cli.main import app

    runner = CliRunner()

    def run(*args: str) -> Result:
        return runner.invoke(app, list(args), env={"COLUMNS": "250"}, catch_exceptions=False)

    return run
