"""Cercle names as typed onto the program's ASCII spelling and the OCHA P-code of the shipped reference."""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

from malux.settings.config_files import read_program
from tasks.standardise.text import fold

# Spellings in common use that differ from the reference file's ASCII name (same cercle, same P-code).
_ALIASES = {"baroueli": "baraoueli"}
_IGNORED = re.compile(r"[\s\-'’_.]")


def cercle_key(name: str) -> str:
    """The comparison key of a cercle name: accents, case, spaces, hyphens and apostrophes ignored."""
    key = _IGNORED.sub("", fold(name))
    return _ALIASES.get(key, key)


@lru_cache(maxsize=8)
def _lookup(config_dir: Path) -> dict[str, tuple[str, str]]:
    """Key -> (name, P-code) for every cercle, preferring the program's own spelling of its cercles."""
    table: dict[str, tuple[str, str]] = {}
    with (config_dir / "reference" / "mli_admin1_admin2_pcodes.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["Admin Level"].strip() == "2":
                table[cercle_key(row["Name"])] = (row["Name"].strip(), row["P-Code"].strip())
    program = config_dir / "program.yaml"
    if program.exists():
        for name in read_program(program).cercles:
            key = cercle_key(str(name))
            if key in table:
                table[key] = (str(name), table[key][1])
    return table


def resolve_cercle(name: str | None, config_dir: Path) -> tuple[str, str] | None:
    """(canonical ASCII name, P-code) of a cercle, or None when the name is not a cercle of Mali."""
    if name is None or not name.strip():
        return None
    return _lookup(config_dir.resolve()).get(cercle_key(name))
