"""`config/dhis2.yaml` checked against DHIS2's rules and the catalogue, before anything is sent."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from malux.settings import get_settings
from malux.settings.config_files import PLACEHOLDER, DataElement, Dhis2File, read_dhis2
from tasks.indicators.catalogue import load_catalogue


@dataclass
class MappingCheck:
    """What stops the mapping from importing as meant (problems) and what is not yet the instance's."""

    mapping: Dhis2File
    problems: list[str] = field(default_factory=list)
    placeholders: list[str] = field(default_factory=list)  # key paths whose uid is a `TODO-` placeholder


def breakdown_of(element: DataElement) -> frozenset[str]:
    """The keys of the stored breakdown a data element is sent from: its level's and its combo's."""
    keys = {"cercle"} if element.level == "cercle" else set()
    if element.category_combo != "default":
        keys.add(element.category_combo)
    return frozenset(keys)


def check_mapping(config_dir: Path | None = None) -> MappingCheck:
    """Every mapped indicator exists and computes the breakdown its level and combo need; placeholders listed.

    Uid formats and combo names are checked when the file is read (a malformed file raises ConfigFileError).
    """
    config_dir = config_dir or get_settings().config_dir
    check = MappingCheck(read_dhis2(config_dir / "dhis2.yaml"))
    catalogue = load_catalogue(config_dir / "indicators.yaml")
    for indicator, element in check.mapping.data_elements.items():
        if indicator not in catalogue:
            check.problems.append(f"data_elements.{indicator}: no such indicator in indicators.yaml")
            continue
        computed = {frozenset(names) for names in catalogue[indicator].groupings()}
        needed = breakdown_of(element)
        if catalogue[indicator].is_ratio and needed:
            check.problems.append(
                f"data_elements.{indicator}: a ratio goes at the program level with the default combo, "
                "since DHIS2 would add up its percentages"
            )
            continue
        if needed not in computed:
            by = " × ".join(sorted(needed))
            check.problems.append(
                f"data_elements.{indicator}: level {element.level} with category_combo "
                f"{element.category_combo} needs values by {by}, "
                "which indicators.yaml does not compute"
            )
    check.placeholders = [where for where, uid in check.mapping.all_uids() if uid.startswith(PLACEHOLDER)]
    return check


def usable_mapping(config_dir: Path | None, allow_placeholders: bool) -> Dhis2File:
    """The mapping to export with: refused when it has a problem, or a placeholder that was not allowed."""
    check = check_mapping(config_dir)
    if check.problems:
        raise ValueError(f"config/dhis2.yaml: {'; '.join(check.problems)}")
    if check.placeholders and not allow_placeholders:
        raise ValueError(
            f"config/dhis2.yaml has {len(check.placeholders)} placeholder uids (`TODO-`, first "
            f"{check.placeholders[0]}): replace them with the instance's, or pass --allow-placeholders"
        )
    return check.mapping


def real_uid(uid: str) -> str:
    """The uid as DHIS2 reads it: a placeholder (allowed) without its `TODO-` mark."""
    return uid.removeprefix(PLACEHOLDER)
