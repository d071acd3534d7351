"""The settings tree field by field: its variable, its value (secrets masked) and where it came from."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from pydantic.fields import FieldInfo

from malux.settings import Section, Settings

MASK = "****"
DEFAULT = "default"
_URL_PASSWORD = re.compile(r"(://[^:/@\s]+):[^@/\s]+@")  # postgresql://user:password@host/db


@dataclass(frozen=True)
class SettingRow:
    """One leaf of the tree as `malux config show` prints it and README.md documents it."""

    section: str
    name: str
    variable: str
    description: str
    value: Any = None
    source: str = DEFAULT

    @property
    def path(self) -> str:
        return f"{self.section}.{self.name}"


def sections() -> dict[str, type[Section]]:
    """Section name -> its class, in the tree's order."""
    return {name: field.annotation for name, field in Settings.model_fields.items()}  # type: ignore[misc]


def _plain(value: Any) -> Any:
    """A value as JSON and a table can show it; a secret only says whether it is set."""
    if isinstance(value, SecretStr):
        return MASK if value.get_secret_value() else None
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, str):
        return _URL_PASSWORD.sub(rf"\1:{MASK}@", value)
    return value


def _source(section: type[Section], name: str, given: set[str]) -> str:
    """The variable that set a field, `default` when none did (names match whatever their case)."""
    if name not in given:
        return DEFAULT
    present = {key.upper() for key in os.environ}
    return next((v for v in section.variables(name) if v.upper() in present), "given in code")


def effective(settings: Settings) -> list[SettingRow]:
    """Every setting with the value in force: an unset warehouse URL shows the SQLite file it stands for."""
    derived = {("lake", "data_dir"): settings.root, ("warehouse", "url"): settings.database_url}
    rows = []
    for section_name, section in sections().items():
        values = getattr(settings, section_name)
        for name, field in section.model_fields.items():
            value = derived.get((section_name, name), getattr(values, name))
            rows.append(
                SettingRow(
                    section_name,
                    name,
                    section.variables(name)[0],
                    field.description or "",
                    _plain(value),
                    _source(section, name, values.model_fields_set),
                )
            )
    return rows


def documented_default(field: FieldInfo) -> str:
    """The default as README.md shows it: a stated one for derived defaults, else the value itself."""
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    if "doc_default" in extra:
        return str(extra["doc_default"])
    value = field.get_default(call_default_factory=True)
    if value is None or (isinstance(value, SecretStr) and not value.get_secret_value()):
        return "unset"
    if isinstance(value, float):
        return f"`{value:g}`"
    return f"`{value}`"
