"""config/partners/<partner>/<dataset>.yaml as a typed model (see config/partners/README.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from malux.settings.config_files import ConfigModel, read_config

Kind = Literal["text", "date", "datetime", "amount", "number", "bool", "phone"]
Headers = str | list[str]


class FileOptions(ConfigModel):
    """How to open the partner's file; every option is guessed when left out."""

    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    header_row_contains: str | None = None


class PerUnit(ConfigModel):
    """A unit column whose factor divides the value, e.g. WFP's prices per "100 KG"."""

    column: str
    units: dict[str, float]


class ColumnEntry(ConfigModel):
    """A canonical column read from one of several headers, with how its text is read."""

    column: Headers
    type: Kind | None = None
    format: str | None = None
    decimal: str | None = None
    optional: bool = False
    per: PerUnit | None = None


class PartnerMapping(ConfigModel):
    """A partner's layout of one dataset: file options, columns, value translations, aliases and defaults."""

    # Each part may be left empty (`values:` with nothing under it), which means none.
    file: FileOptions | None = None
    columns: dict[str, Headers | ColumnEntry | None] | None = None
    values: dict[str, dict[Any, Any] | None] | None = None
    aliases: dict[str, dict[Any, Any] | None] | None = None
    defaults: dict[str, Any] | None = None


def read_partner_mapping(path: Path) -> PartnerMapping:
    return read_config(path, PartnerMapping)
