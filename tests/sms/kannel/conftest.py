"""A real Kannel per test (bearerbox, fake SMSC, smsbox), a delivery-report sink, a migrated warehouse."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from dlr_sink import DlrSink
from kannel_harness import PASSWORD, USER, Kannel, kannel_missing
from sqlalchemy import Engine, insert

from tasks.sms.gateways.kannel import KannelGateway
from warehouse.db import _engines, engine_for
from warehouse.migrate import upgrade
from warehouse.schema import ingest_batch

SECRET = b"test-dlr-secret"


def _running_kannel(run_dir: Path, **options: int) -> Iterator[Kannel]:
    """Kannel started on free ports and stopped after the test; skipped (failed under CI) if absent."""
    why = kannel_missing()
    if why:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{why} (CI=true: the Kannel tests must run)")
        pytest.skip(why)
    instance = Kannel(run_dir, **options)
    try:
        yield instance.start()
    finally:
        instance.stop()


@pytest.fixture
def kannel(tmp_path: Path) -> Iterator[Kannel]:
    """Kannel for one test, retrying a failed callback 3 times 1 s apart (as kannel.conf.example)."""
    yield from _running_kannel(tmp_path / "kannel")


@pytest.fixture
def patient_kannel(tmp_path: Path) -> Iterator[Kannel]:
    """Kannel retrying a failed callback every second for two minutes, to outlast a receiver outage."""
    yield from _running_kannel(tmp_path / "kannel", http_retry=120, http_delay=1)


@pytest.fixture
def dlr_sink(monkeypatch: pytest.MonkeyPatch) -> Iterator[DlrSink]:
    """A receiver for Kannel's callbacks, signed with the test's own secret."""
    monkeypatch.setenv("MALUX_DLR_SECRET", SECRET.decode())
    sink = DlrSink(SECRET)
    yield sink
    sink.close()


@pytest.fixture
def kannel_env(kannel: Kannel, dlr_sink: DlrSink, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The MALUX_KANNEL_* and MALUX_DLR_URL settings pointing at this test's Kannel and sink."""
    env = {
        "MALUX_KANNEL_URL": kannel.url, "MALUX_KANNEL_USER": USER, "MALUX_KANNEL_PASSWORD": PASSWORD,
        "MALUX_DLR_URL": dlr_sink.url,
    }  # fmt: skip
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


@pytest.fixture
def gateway(kannel: Kannel, dlr_sink: DlrSink) -> KannelGateway:
    """The Kannel gateway as the pipeline builds it, with 8 concurrent requests."""
    return KannelGateway(kannel.url, USER, PASSWORD, dlr_sink.url, workers=8, secret=SECRET)


@pytest.fixture
def engine(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """The warehouse as the CLI and Prefect tasks see it (migrated), with ingest batch 1 for the builders."""
    url = f"sqlite:///{data_dir / 'warehouse.sqlite'}"
    monkeypatch.setenv("MALUX_WAREHOUSE_URL", url)
    engine = engine_for(url)
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(
            insert(ingest_batch),
            {
                "batch_id": 1, "partner": "test", "dataset": "beneficiaries", "file_name": "fixture.csv",
                "raw_path": "raw/fixture.csv", "sha256": "0" * 64, "status": "loaded",
                "started_at": datetime(2018, 10, 1, tzinfo=UTC),
            },
        )  # fmt: skip
    yield engine
    _engines.pop(url, None)
    engine.dispose()
