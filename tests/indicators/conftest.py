"""Fixtures for the indicator tests: a fresh program warehouse per test, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from program_builder import Program, emptied, make_program
from sqlalchemy import Engine

from warehouse.db import make_engine
from warehouse.schema import metadata


@pytest.fixture(scope="session")
def pg_program_engine(pg_session_url: str) -> Iterator[Engine]:
    """One PostgreSQL warehouse for every indicator test; each test starts from it emptied."""
    engine = make_engine(pg_session_url)
    metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def program(request: pytest.FixtureRequest, tmp_path: Path) -> Program:
    """The same test on the embedded SQLite warehouse and on a real PostgreSQL."""
    if request.param == "sqlite":
        return make_program(tmp_path)
    return make_program(tmp_path, emptied(request.getfixturevalue("pg_program_engine")))
