"""Fixtures for the note tests: the indicator tests' program builder (on the path by tests/conftest.py)."""

from __future__ import annotations

import pytest
from program_builder import Program, make_program


@pytest.fixture
def program(tmp_path) -> Program:
    return make_program(tmp_path)
