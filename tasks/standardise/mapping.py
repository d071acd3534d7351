"""The per-partner mapping file (config/partners/<partner>/<dataset>.yaml) read into column specifications."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Float, Integer, Table

from malux.settings.config_files import ConfigFileError, plain
from malux.settings.partner_mapping import read_partner_mapping
from tasks.standardise.errors import InputError
from tasks.standardise.text import fold

KINDS = {"text", "date", "datetime", "amount", "number", "bool", "phone"}
# Columns computed from others, never read from a file: the phone triple from `phone`, P-codes from `cercle`.
DERIVED = {"phone_raw", "phone_valid", "operator", "cercle_pcode"}
_LINEAGE = {"batch_id", "source_row"}


@dataclass(frozen=True)
class ColumnSpec:
    """Where a canonical column comes from in the partner's file, and how its text is read."""

    canonical: str
    headers: tuple[str, ...]
    kind: str
    fmt: str | None = None
    decimal: str | None = None
    required: bool = False
    per_header: str | None = None  # a unit column whose factor divides the value (WFP: "100 KG" -> 100)
    per_units: tuple[tuple[str, float], ...] = ()  # (folded unit, factor)


@dataclass(frozen=True)
class Mapping:
    """A partner's layout of one dataset: file options, columns, value translations and defaults."""

    columns: dict[str, ColumnSpec]
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    header_row_contains: str | None = None
    source: Path | None = None
    aliases: dict[str, dict[str, Any]] = field(default_factory=dict)  # translations that keep unknown values


def _schema_kind(table: Table, name: str) -> str:
    column_type = table.c[name].type
    if isinstance(column_type, Boolean):
        return "bool"
    if isinstance(column_type, DateTime):
        return "datetime"
    if isinstance(column_type, Date):
        return "date"
    if isinstance(column_type, Float | Integer):
        return "amount"
    if name == "phone":
        return "phone"
    return "text"


def input_columns(table: Table) -> list[str]:
    """The canonical columns a partner's file may carry for this table."""
    return [c.name for c in table.columns if c.name not in _LINEAGE and c.name not in DERIVED]


def _spec(table: Table, name: str, entry: Any, where: Path) -> ColumnSpec:
    kind = _schema_kind(table, name)
    mandatory = (table.c[name].primary_key or not table.c[name].nullable) and kind != "bool"
    if entry is None:
        return ColumnSpec(name, (name,), kind, required=mandatory)
    if isinstance(entry, str | list):
        entry = {"column": entry}
    if not isinstance(entry, dict) or "column" not in entry:
        raise InputError(f"{where}: column {name!r} needs a header name or {{column: ..., type: ...}}")
    headers = entry["column"] if isinstance(entry["column"], list) else [entry["column"]]
    kind = str(entry.get("type", kind))
    if kind not in KINDS:
        raise InputError(f"{where}: column {name!r} has type {kind!r}; expected one of {sorted(KINDS)}")
    per = entry.get("per") or {}
    if per and (not isinstance(per, dict) or "column" not in per or not isinstance(per.get("units"), dict)):
        raise InputError(
            f"{where}: column {name!r}: per needs {{column: <unit header>, units: {{unit: factor}}}}"
        )
    return ColumnSpec(
        name,
        tuple(str(h) for h in headers),
        kind,
        entry.get("format"),
        entry.get("decimal"),
        required=not entry.get("optional", False),
        per_header=str(per["column"]) if per else None,
        per_units=tuple((fold(str(k)), float(v)) for k, v in (per.get("units") or {}).items()),
    )


def load_mapping(config_dir: Path, partner: str | None, dataset: str, table: Table) -> Mapping:
    """The partner's mapping for a dataset, or the canonical headers themselves when there is none."""
    path = config_dir / "partners" / partner / f"{dataset}.yaml" if partner else None
    raw: dict[str, Any] = {}
    if path is not None and path.exists():
        try:
            raw = plain(read_partner_mapping(path))
        except ConfigFileError as exc:
            raise InputError(str(exc)) from exc
    where = path or Path(f"<canonical {dataset}>")
    declared = raw.get("columns") or {}
    unknown = sorted(set(declared) - set(input_columns(table)))
    if unknown:
        raise InputError(
            f"{where}: {unknown} are not columns of {dataset}; expected some of {input_columns(table)}"
        )
    defaults = raw.get("defaults") or {}
    columns = {}
    for name in input_columns(table):
        spec = _spec(table, name, declared.get(name), where)
        if name in defaults:
            spec = replace(spec, required=False)
        columns[name] = spec
    values = {
        col: {fold(str(k)): v for k, v in (table_ or {}).items()}
        for col, table_ in (raw.get("values") or {}).items()
    }
    aliases = {
        col: {fold(str(k)): v for k, v in (table_ or {}).items()}
        for col, table_ in (raw.get("aliases") or {}).items()
    }
    options = raw.get("file") or {}
    return Mapping(
        columns,
        values,
        defaults,
        options.get("encoding"),
        options.get("delimiter"),
        options.get("sheet"),
        options.get("header_row_contains"),
        path if raw else None,
        aliases,
    )
