"""The dataset tables of docs/data-dictionary.md are the ones config/datasets/ declares today."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

DICTIONARY = Path(__file__).resolve().parents[2] / "docs" / "data-dictionary.md"


def _check(path: Path) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable,
        "-m",
        "malux.cli.main",
        "docs",
        "data-dictionary",
        "--check",
        "--path",
        str(path),
    ]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=120, env={**os.environ, "COLUMNS": "200"}
    )


def test_the_committed_dictionary_is_up_to_date() -> None:
    result = _check(DICTIONARY)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_dictionary_edited_inside_the_generated_part_is_stale(tmp_path: Path) -> None:
    edited = tmp_path / "data-dictionary.md"
    text = DICTIONARY.read_text(encoding="utf-8")
    edited.write_text(text.replace("| `seq` | order of payments made the same day |", "| `seq` | order |"))
    result = _check(edited)
    assert result.returncode == 1
    assert "out of date with config/datasets/" in result.stdout
    assert edited.read_text(encoding="utf-8") != text  # --check wrote nothing
