"""Load the Great Expectations suites that live as versioned JSON files in `expectations/`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def suite_path(expectations_dir: Path, dataset: str) -> Path:
    return expectations_dir / f"{dataset}.json"


def load_suite_dict(expectations_dir: Path, dataset: str) -> dict[str, Any]:
    """The suite as GX serialises it; a missing suite is an error, never an unvalidated load."""
    path = suite_path(expectations_dir, dataset)
    if not path.exists():
        raise FileNotFoundError(f"no expectation suite for dataset {dataset!r}: {path} is missing")
    return json.loads(path.read_text(encoding="utf-8"))
