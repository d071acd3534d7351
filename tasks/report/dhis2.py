"""The stored values of a period as a DHIS2 `dataValueSets` payload, mapped by `config/dhis2.yaml`."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from malux.settings import get_settings
from malux.settings.config_files import plain, read_dhis2
from tasks.indicators.catalogue import load_catalogue
from tasks.indicators.periods import parse_period
from warehouse.indicator_values import period_values

UID = re.compile(r"^[A-Za-z][A-Za-z0-9]{10}$")


@dataclass
class Dhis2Export:
    """The payload to import and what could not be sent, with the reason, so nothing is dropped silently."""

    payload: dict[str, list[dict[str, str]]]
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (which stored value, why not sent)


def load_mapping(path: Path | None = None) -> dict[str, Any]:
    """The mapping file, every uid checked against DHIS2's format so a typo fails before the import."""
    path = path or get_settings().config_dir / "dhis2.yaml"
    mapping = plain(read_dhis2(path))
    uids = [("org_unit_total", mapping["org_unit_total"])]
    uids += [(f"org_units.{k}", v) for k, v in (mapping.get("org_units") or {}).items()]
    for dim, combos in (mapping.get("category_option_combos") or {}).items():
        uids += [(f"category_option_combos.{dim}.{k}", v) for k, v in combos.items()]
    for indicator, target in (mapping.get("data_elements") or {}).items():
        parts = target.items() if isinstance(target, dict) else [("value", target)]
        uids += [(f"data_elements.{indicator}.{part}", uid) for part, uid in parts]
    bad = [f"{where}={uid!r}" for where, uid in uids if not UID.match(str(uid))]
    if bad:
        raise ValueError(f"{path}: not DHIS2 uids (11 characters, a letter first): {', '.join(bad)}")
    return mapping


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.6g}"


def build_export(engine: Engine, period_id: str, config_dir: Path | None = None) -> Dhis2Export:
    """Every mapped stored value of the period as a dataValue; totals go to `org_unit_total`."""
    period = parse_period(period_id)
    config_dir = config_dir or get_settings().config_dir
    mapping = load_mapping(config_dir / "dhis2.yaml")
    catalogue = load_catalogue(config_dir / "indicators.yaml")
    combos = mapping.get("category_option_combos") or {}
    export = Dhis2Export({"dataValues": []})
    for stored in period_values(engine, period.id):
        target = (mapping.get("data_elements") or {}).get(stored.indicator)
        where = f"{stored.indicator} {stored.disaggregation}"
        if target is None:
            export.skipped.append((where, "no data element mapped"))
            continue
        disaggregation = json.loads(stored.disaggregation)
        org_unit, combo = mapping["org_unit_total"], None
        if list(disaggregation) == ["cercle"]:
            org_unit = (mapping.get("org_units") or {}).get(disaggregation["cercle"])
        elif len(disaggregation) == 1:
            ((dim, key),) = disaggregation.items()
            combo = (combos.get(dim) or {}).get(str(key))
            if combo is None:
                export.skipped.append((where, f"no category option combo for {dim}"))
                continue
        elif disaggregation:
            export.skipped.append((where, "a breakdown by several keys has no DHIS2 mapping"))
            continue
        if org_unit is None:
            export.skipped.append((where, "no org unit for the cercle"))
            continue
        ratio = catalogue[stored.indicator].is_ratio if stored.indicator in catalogue else False
        parts = target if isinstance(target, dict) else {"value": target}
        for part, element in parts.items():
            number = getattr(stored, part)
            if number is None:
                export.skipped.append((where, f"{part} is empty ({stored.note or 'no value'})"))
                continue
            if part == "value" and ratio:
                number = round(number * 100, 4)  # DHIS2's PERCENTAGE value type is 0–100
            value = {"dataElement": element, "period": period.id, "orgUnit": org_unit}
            if combo:
                value["categoryOptionCombo"] = combo
            value["value"] = _number(number)
            export.payload["dataValues"].append(value)
    return export
