"""Fixtures for the note tests: the indicator tests' program builder, reused."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "indicators"))

from program_builder import Program, make_program  # noqa: E402


@pytest.fixture
def program(tmp_path) -> Program:
    return make_program(tmp_path)
