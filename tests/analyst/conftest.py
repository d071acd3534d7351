"""Fixtures for the analyst tests: the indicator tests' program builder on a migrated SQLite or PostgreSQL."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "indicators"))

from program_builder import REPO_CONFIG, TEST_CAMPAIGNS, Program  # noqa: E402


@pytest.fixture
def warehouse(warehouse_url: str, tmp_path: Path) -> Program:
    """A program on the migrated warehouse of `warehouse_url` (views included), with a 3-week campaign."""
    from warehouse.db import engine_for

    config_dir = tmp_path / "config"
    config_dir.mkdir()
    for name in ("indicators.yaml", "program.yaml", "dhis2.yaml"):
        shutil.copy(REPO_CONFIG / name, config_dir / name)
    (config_dir / "campaigns.yaml").write_text(TEST_CAMPAIGNS, encoding="utf-8")
    return Program(engine_for(warehouse_url), config_dir)
