"""Shared fixtures: an isolated data dir per test, the shared real data, a real PostgreSQL database, a program
warehouse the commands and flows find, one Prefect harness; and the limits that keep a test from hanging."""

from __future__ import annotations

import os
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

# Prefect reads its settings at import: keep every test away from the user's ~/.prefect and server.
_PREFECT_HOME = tempfile.mkdtemp(prefix="malux-test-prefect-")
os.environ["PREFECT_HOME"] = _PREFECT_HOME
os.environ.pop("PREFECT_API_URL", None)
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
# The test settings are MALUX_* too: read them before every MALUX_* is cleared from the product's view.
PG_ADMIN_URL = os.environ.get("MALUX_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
PROJECT_ROOT = Path(__file__).resolve().parents[1]
# The shared reference data sits beside the checkout; a worktree elsewhere points at it with the override.
SHARED = Path(os.environ.get("MALUX_TEST_SHARED_DIR") or PROJECT_ROOT.parent / "shared")
for _name in [n for n in os.environ if n.startswith("MALUX_")]:
    del os.environ[_name]
# The program builder (a warehouse in a known state) serves the indicator, report, command and flow tests.
sys.path.insert(0, str(PROJECT_ROOT / "tests" / "indicators"))


DEPLOY_TIMEOUT_S = 1200  # a real Prefect server, workers, a 45 s zombie window: their deadlines sum ~4 min


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """tests/deploy (kept by its owners) gets a longer limit than pyproject's `timeout` unless it sets one."""
    deploy = PROJECT_ROOT / "tests" / "deploy"
    for item in items:
        if item.path.is_relative_to(deploy) and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(DEPLOY_TIMEOUT_S))


def _missing(why: str) -> None:
    """Skip on a developer's machine; under CI=true what is missing is a failure, never a green skip."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{why} (CI=true: these tests must run)")
    pytest.skip(why)


@pytest.fixture(scope="session")
def real_data() -> Path:
    """The shared real reference files (`<project root>/../shared/data/real`, or MALUX_TEST_SHARED_DIR)."""
    real = SHARED / "data" / "real"
    if not real.is_dir():
        _missing(f"shared real data not found at {real}: set MALUX_TEST_SHARED_DIR to the shared folder")
    return real


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh MALUX data dir (and so a fresh SQLite warehouse) for one test."""
    root = tmp_path / "data"
    monkeypatch.setenv("MALUX_DATA_DIR", str(root))
    return root


def _pg_reachable() -> str | None:
    """None when PostgreSQL answers, else why not."""
    from sqlalchemy import create_engine, text

    try:
        engine = create_engine(PG_ADMIN_URL)
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as exc:  # any failure to connect means: no server here
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {str(exc).splitlines()[0]}"


@contextmanager
def _pg_database() -> Iterator[str]:
    """A new PostgreSQL database, dropped on exit; skips (fails under CI=true) when there is no server."""
    from sqlalchemy import create_engine, text

    why = _pg_reachable()
    if why:
        _missing(why)
    name = f"malux_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        from warehouse.db import _engines

        engine = _engines.pop(url, None)
        if engine is not None:
            engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL database created for this test and dropped after it; skips only outside CI."""
    with _pg_database() as url:
        yield url


@pytest.fixture(scope="session")
def pg_session_url() -> Iterator[str]:
    """One PostgreSQL database for the session, for tests that empty it themselves (saves ~2 s a test)."""
    with _pg_database() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_warehouse_url(
    request: pytest.FixtureRequest, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> str:
    """An empty database, embedded SQLite or a real PostgreSQL, as MALUX_WAREHOUSE_URL; no schema yet."""
    if request.param == "sqlite":
        url = f"sqlite:///{data_dir / 'warehouse.sqlite'}"
    else:
        url = request.getfixturevalue("pg_url")
    monkeypatch.setenv("MALUX_WAREHOUSE_URL", url)
    return url


@pytest.fixture
def warehouse_url(empty_warehouse_url: str) -> str:
    """The same test on the embedded SQLite warehouse and on a real PostgreSQL, at the latest schema."""
    from warehouse.migrate import upgrade

    upgrade(empty_warehouse_url)
    return empty_warehouse_url


@pytest.fixture
def settled_program(tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator:
    """A program in a known state (tests/indicators/program_builder.py) in the warehouse the settings name,
    for tests of the commands and flows, which find it themselves; the schema is made by the migrations."""
    from program_builder import make_program

    from warehouse.db import _engines, make_engine
    from warehouse.migrate import upgrade

    url = f"sqlite:///{data_dir / 'warehouse.sqlite'}"
    engine = make_engine(url)
    upgrade(engine)  # as `malux db upgrade` does, not the builder's create_all
    program = make_program(tmp_path, engine)
    monkeypatch.setenv("MALUX_CONFIG_DIR", str(program.config_dir))
    yield program
    engine.dispose()
    cached = _engines.pop(url, None)  # the commands' own engine on this file, which is about to go
    if cached is not None:
        cached.dispose()


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One temporary Prefect server for every flow-level test of the session (~12 s to start when quiet)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=150):  # 60 s was too short at load 7 on 2 cores
        yield
