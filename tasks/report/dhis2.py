"""The stored values of a period as a DHIS2 `dataValueSets` payload that DHIS2 sums to each total once.

DHIS2 aggregates a data element over the org-unit tree and over its category option combos, so each indicator
goes at ONE level and in ONE combo (config/dhis2.yaml): the other stored breakdowns are not sent.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from malux.settings import get_settings
from malux.settings.config_files import DataElement, Dhis2File
from tasks.indicators.catalogue import load_catalogue
from tasks.indicators.periods import parse_period
from tasks.report.dhis2_mapping import breakdown_of, real_uid, usable_mapping
from warehouse.indicator_values import StoredValue, period_values


@dataclass
class Dhis2Export:
    """The payload to import and what could not be sent, with the reason, so nothing is dropped silently."""

    payload: dict[str, Any]
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (which stored value, why not sent)
    short_of_total: list[str] = field(default_factory=list)  # where DHIS2's sum will not be the stored total


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.6g}"


def _place(mapping: Dhis2File, element: DataElement, breakdown: dict[str, Any]) -> tuple[str, str | None]:
    """The org unit and category option combo of one stored value; a ValueError says which is unmapped."""
    org_unit = mapping.program_org_unit
    if element.level == "cercle":
        cercle = breakdown["cercle"]
        if cercle not in mapping.org_units:
            raise ValueError(f"no org unit for the cercle {cercle!r}")
        org_unit = mapping.org_units[cercle]
    if element.category_combo == "default":
        return org_unit, None
    option = str(breakdown[element.category_combo])
    combo = mapping.category_option_combos[element.category_combo].get(option)
    if combo is None:
        raise ValueError(f"no category option combo for {element.category_combo} {option!r}")
    return org_unit, combo


def _header(mapping: Dhis2File, period: str, complete_date: date | None) -> dict[str, Any]:
    """The optional top of the set: `dataSet`; with a complete date, the period and org unit it completes."""
    header: dict[str, Any] = {}
    if mapping.data_set:
        header["dataSet"] = real_uid(mapping.data_set)
    if complete_date is not None:
        if not mapping.data_set:
            raise ValueError(
                "a complete date registers a data set as complete: set data_set in config/dhis2.yaml"
            )
        header |= {
            "completeDate": complete_date.isoformat(),
            "period": period,
            "orgUnit": real_uid(mapping.program_org_unit),
        }
    return header


def build_export(
    engine: Engine,
    period_id: str,
    config_dir: Path | None = None,
    allow_placeholders: bool = False,
    complete_date: date | None = None,
) -> Dhis2Export:
    """Each mapped indicator's values at its level and combo; a level missing part of the total is said."""
    period = parse_period(period_id)
    config_dir = config_dir or get_settings().config_dir
    mapping = usable_mapping(config_dir, allow_placeholders)
    catalogue = load_catalogue(config_dir / "indicators.yaml")
    export = Dhis2Export(_header(mapping, period.id, complete_date) | {"dataValues": []})
    sent: dict[tuple[str, str], float] = defaultdict(float)  # (indicator, part) -> sum of what was sent
    totals: dict[str, StoredValue] = {}
    for stored in period_values(engine, period.id):
        where = f"{stored.indicator} {stored.disaggregation}"
        element = mapping.data_elements.get(stored.indicator)
        breakdown = json.loads(stored.disaggregation)
        if not breakdown:
            totals[stored.indicator] = stored
        if element is None:
            export.skipped.append((where, "no data element mapped"))
            continue
        if frozenset(breakdown) != breakdown_of(element):
            continue  # another breakdown of the same numbers: DHIS2 would add it to the one sent
        try:
            org_unit, combo = _place(mapping, element, breakdown)
        except ValueError as why:
            export.skipped.append((where, str(why)))
            continue
        ratio = catalogue[stored.indicator].is_ratio
        for part, uid in element.uids().items():
            number = getattr(stored, part)
            if number is None:
                export.skipped.append((where, f"{part} is empty ({stored.note or 'no value'})"))
                continue
            sent[(stored.indicator, part)] += number
            if part == "value" and ratio:
                number = round(number * 100, 4)  # DHIS2's PERCENTAGE value type is 0–100
            value = {"dataElement": real_uid(uid), "period": period.id, "orgUnit": real_uid(org_unit)}
            if combo:
                value["categoryOptionCombo"] = real_uid(combo)
            value["value"] = _number(number)
            export.payload["dataValues"].append(value)
    export.short_of_total = _short_of_total(mapping, catalogue, sent, totals)
    return export


def _short_of_total(
    mapping: Dhis2File,
    catalogue: dict[str, Any],
    sent: dict[tuple[str, str], float],
    totals: dict[str, StoredValue],
) -> list[str]:
    """The sums DHIS2 will find that differ from the stored totals (an unmapped cercle, an unknown gender)."""
    short = []
    for indicator, element in mapping.data_elements.items():
        total = totals.get(indicator)
        if total is None or breakdown_of(element) == frozenset():
            continue
        for part in element.uids():
            expected = getattr(total, part)
            if part == "value" and catalogue[indicator].is_ratio or expected is None:
                continue  # a ratio's value is not a sum of its breakdown's values
            got = sent.get((indicator, part), 0.0)
            if abs(got - expected) > 1e-9 * max(1.0, abs(expected)):
                short.append(
                    f"{indicator} {part}: the values sent sum to {_number(got)}, the stored total is "
                    f"{_number(expected)}"
                )
    return short
