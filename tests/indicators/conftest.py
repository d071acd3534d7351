"""Fixtures for the indicator tests: a fresh program warehouse per test."""

from __future__ import annotations

import pytest
from program_builder import Program, make_program


@pytest.fixture
def program(tmp_path) -> Program:
    return make_program(tmp_path)
