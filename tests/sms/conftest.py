"""A warehouse in a known state for the SMS tests: a tmp SQLite file, one ingest batch, small builders."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert

from warehouse.db import make_engine
from warehouse.schema import beneficiaries, ingest_batch, market_prices, metadata, sms_optout

BATCH = 1


class Program:
    """Builds beneficiaries, prices and opt-outs with defaults, so a test states only what it is about."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._rows = 0

    def _insert(self, table, row: dict) -> None:
        self._rows += 1
        with self.engine.begin() as conn:
            conn.execute(insert(table), {"batch_id": BATCH, "source_row": self._rows, **row})

    def beneficiary(self, beneficiary_id: str, **overrides) -> Program:
        row = {
            "beneficiary_id": beneficiary_id, "category": "producer", "name": beneficiary_id,
            "cercle": "San", "cercle_pcode": "ML0405", "phone": "+22376123456", "phone_raw": "76123456",
            "phone_valid": True, "operator": "orange", "language": "fr", "gender": "F",
            "sms_consent": True, "registered_on": date(2018, 10, 1),
        }  # fmt: skip
        self._insert(beneficiaries, row | overrides)
        return self

    def price(self, observed_on: date, market: str, pcode: str, price: float, **overrides) -> Program:
        row = {
            "observed_on": observed_on, "market": market, "commodity": "sesame", "price_type": "farmgate",
            "cercle": market, "cercle_pcode": pcode, "price_xof_per_kg": price, "source": "test",
        }  # fmt: skip
        self._insert(market_prices, row | overrides)
        return self

    def opt_out(self, beneficiary_id: str, at: datetime) -> Program:
        with self.engine.begin() as conn:
            row = {"beneficiary_id": beneficiary_id, "opted_out_at": at, "source": "stop_reply"}
            conn.execute(insert(sms_optout), row)
        return self


def _seed_batch(engine: Engine) -> None:
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(
            insert(ingest_batch),
            {
                "batch_id": BATCH, "partner": "test", "dataset": "beneficiaries", "file_name": "fixture.csv",
                "raw_path": "raw/fixture.csv", "sha256": "0" * 64, "status": "loaded",
                "started_at": datetime(2018, 10, 1, tzinfo=UTC),
            },
        )  # fmt: skip


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'warehouse.sqlite'}")
    _seed_batch(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def program(engine: Engine) -> Program:
    return Program(engine)


@pytest.fixture
def pg_engine(pg_url: str) -> Engine:
    """The shared throwaway PostgreSQL database (tests/conftest.py), seeded like the SQLite one."""
    engine = make_engine(pg_url)
    _seed_batch(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def pg_program(pg_engine: Engine) -> Program:
    return Program(pg_engine)


@pytest.fixture
def migrated(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Program]:
    """A program in the warehouse the commands and flows find (MALUX_WAREHOUSE_URL), migrated as
    `malux db upgrade` does; the flows' own schema step then finds it at its head."""
    from warehouse.db import _engines, engine_for
    from warehouse.migrate import upgrade

    data_dir.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{data_dir / 'warehouse.sqlite'}"
    monkeypatch.setenv("MALUX_WAREHOUSE_URL", url)
    engine = engine_for(url)
    upgrade(engine)
    _seed_batch(engine)  # create_all finds every table there already: only the batch is added
    yield Program(engine)
    _engines.pop(url, None)
    engine.dispose()
