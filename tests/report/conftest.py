"""Fixtures for the note tests: the indicator tests' program builder (on the path by tests/conftest.py)."""

from __future__ import annotations

import os

import pytest
from program_builder import Program, make_program

from tasks.report.chromium import find_chromium


@pytest.fixture
def program(tmp_path) -> Program:
    return make_program(tmp_path)


@pytest.fixture(scope="module")
def chromium() -> str:
    """Chromium's path; skips with the reason when absent, except under CI=true where it must be there."""
    found = find_chromium()
    if found is None:
        why = "no Chromium on PATH (apt-get install chromium; tests/services/start.sh does it as root)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{why} (CI=true: the Chromium test must run)")
        pytest.skip(why)
    return found
