"""The YAML files under config/ as typed models: read once, checked whole, a mistake named by file and key.

The models say what each file may hold; the readers cache the parsed file by its path and content, so a
step that asks a hundred times parses once, and an edited file (a test, a long-running worker) is read anew.
"""

from __future__ import annotations

import re
from datetime import date, time
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from malux.settings.sections import PROJECT_ROOT

M = TypeVar("M", bound="ConfigModel")
Number = int | float


class ConfigFileError(ValueError):
    """A configuration file that cannot be used; the message names the file and the key path."""


class ConfigModel(BaseModel):
    """A part of a configuration file; unknown keys are refused, so a typo is an error, not a default."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def shown(path: Path) -> str:
    """The path as a user reads it: relative to the checkout when inside it."""
    try:
        return str(path.resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


def _key_path(raw: Any, loc: tuple[int | str, ...], missing: bool) -> tuple[str, ...]:
    """The keys of the file an error points at, without the names pydantic gives union members."""
    keys, here = [], raw
    for i, part in enumerate(loc):
        in_dict = isinstance(here, dict) and part in here
        in_list = isinstance(here, list) and isinstance(part, int) and 0 <= part < len(here)
        if in_dict or in_list:
            here = here[part]  # type: ignore[index]
            if in_list and isinstance(here, dict) and "id" in here:
                part = here["id"]  # `indicators.par30.unit` says more than `indicators.12.unit`
        elif not (missing and i == len(loc) - 1):
            continue  # a union member's name ("str", "ColumnEntry"), not a key of the file
        keys.append(str(part))
    return tuple(keys)


def _problems(error: ValidationError, raw: Any) -> str:
    """Each problem as `key.path: message`, e.g. `campaigns.2019-2020.weeks: field required`.

    Of a union's errors only the deepest are kept: they say what is wrong inside the form that was meant.
    """
    found: dict[tuple[str, ...], list[str]] = {}
    for problem in error.errors(include_url=False):
        keys = _key_path(raw, problem["loc"], problem["type"] == "missing")
        found.setdefault(keys, []).append(problem["msg"][:1].lower() + problem["msg"][1:])
    lines = [
        f"{'.'.join(keys) or '(top)'}: {' or '.join(dict.fromkeys(messages))}"
        for keys, messages in found.items()
        if not any(len(other) > len(keys) and other[: len(keys)] == keys for other in found)
    ]
    return "; ".join(lines)


@lru_cache(maxsize=128)
def _parse(path: Path, text: str, model: type[M]) -> M:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigFileError(f"{shown(path)}: not valid YAML: {exc}") from None
    try:
        return model.model_validate({} if raw is None else raw)
    except ValidationError as exc:
        raise ConfigFileError(f"{shown(path)}: {_problems(exc, raw)}") from None


def read_config(path: Path, model: type[M]) -> M:
    """One configuration file as its model; a missing file raises FileNotFoundError as reading it would."""
    return _parse(path.resolve(), path.read_text(encoding="utf-8"), model)


# config/campaigns.yaml


class Campaign(ConfigModel):
    """One campaign: week N goes out on start + 7·(N−1) days."""

    start: date
    weeks: int


class CampaignsFile(ConfigModel):
    """The SMS campaign calendar."""

    send_time: time = time(8, 0)  # Africa/Bamako, which is UTC all year
    campaigns: dict[str, Campaign]


def read_campaigns(path: Path) -> CampaignsFile:
    return read_config(path, CampaignsFile)


# config/program.yaml


# A DHIS2 BiMonthly period id, `yyyyNNB` with NN 01-06 (e.g. 201903B = May-June 2019).
BIMONTHLY_PERIOD = re.compile(r"^\d{4}0[1-6]B$")


class ProgramFile(ConfigModel):
    """The intervention cercles, the beneficiary categories that receive the SMS, and the notes' calendar."""

    cercles: list[str] = []
    sms_audience: list[str]
    reporting_periods: list[str] = []  # the bi-months a monitoring note is due for, in time order

    @model_validator(mode="after")
    def _periods_are_bimonths_in_order(self) -> ProgramFile:
        bad = [p for p in self.reporting_periods if not BIMONTHLY_PERIOD.match(p)]
        if bad:
            raise ValueError(
                f"reporting_periods: not DHIS2 bimonthly ids (yyyyNNB, NN 01-06): {', '.join(bad)}"
            )
        if self.reporting_periods != sorted(set(self.reporting_periods)):
            raise ValueError("reporting_periods: list each bi-month once, in time order")
        return self


def read_program(path: Path) -> ProgramFile:
    return read_config(path, ProgramFile)


# config/indicators.yaml


class IndicatorEntry(BaseModel):
    """One catalogue entry; keys beyond these are kept for the note (`extra`)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    id: str
    family: str
    name_fr: str
    name_en: str
    unit: Literal["count", "xof", "ratio"]
    # what kind of number: inside the bi-month, cumulative to its end, or a stock on its last day
    aggregation: Literal["period", "to_date", "at_end"]
    definition: str
    disaggregations: list[str] = []
    target: Number | dict[str, Number | dict[str, Number]] | None = None
    target_of: Literal["value", "numerator"] = "value"
    chart: bool = False


class IndicatorsFile(ConfigModel):
    """The indicator catalogue, in the order the note shows it."""

    indicators: list[IndicatorEntry]

    @model_validator(mode="after")
    def _ids_are_unique(self) -> IndicatorsFile:
        ids = [entry.id for entry in self.indicators]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"indicators listed twice: {', '.join(twice)}")
        return self


def read_indicators(path: Path) -> IndicatorsFile:
    return read_config(path, IndicatorsFile)


# config/dhis2.yaml


# DHIS2's uid: 11 characters, a letter then 10 letters or digits. `TODO-` before one marks a placeholder:
# a uid of the right shape that is not yet the instance's, which `malux export dhis2` refuses unless allowed.
DHIS2_UID = re.compile(r"^(TODO-)?[A-Za-z][A-Za-z0-9]{10}$")
PLACEHOLDER = "TODO-"
# A ratio may be sent as its parts, each to its own data element (kept in the file's order).
RatioElements = dict[Literal["value", "numerator", "denominator"], str]


class DataElement(ConfigModel):
    """Where one indicator goes: ONE category combo and ONE org-unit level, so DHIS2 sums it once."""

    uid: str | RatioElements
    category_combo: str = "default"  # `default`, or a breakdown named under category_option_combos
    level: Literal["program", "cercle"] = "program"

    def uids(self) -> dict[str, str]:
        """The part sent (value, numerator, denominator) -> its data element uid."""
        return dict(self.uid) if isinstance(self.uid, dict) else {"value": self.uid}


class Dhis2File(ConfigModel):
    """Indicator -> data element, cercle -> org unit, breakdown value -> category option combo."""

    program_org_unit: str
    data_set: str | None = None
    org_units: dict[str, str] = {}
    category_option_combos: dict[str, dict[str, str]] = {}
    data_elements: dict[str, DataElement] = {}

    def all_uids(self) -> list[tuple[str, str]]:
        """Every uid of the file with the key path it sits at, for the format and placeholder checks."""
        uids = [("program_org_unit", self.program_org_unit)]
        uids += [("data_set", self.data_set)] if self.data_set else []
        uids += [(f"org_units.{k}", v) for k, v in self.org_units.items()]
        for dim, combos in self.category_option_combos.items():
            uids += [(f"category_option_combos.{dim}.{k}", v) for k, v in combos.items()]
        for indicator, element in self.data_elements.items():
            uids += [(f"data_elements.{indicator}.uid.{part}", v) for part, v in element.uids().items()]
        return uids

    @model_validator(mode="after")
    def _uids_and_combos_resolve(self) -> Dhis2File:
        bad = [f"{where}={uid!r}" for where, uid in self.all_uids() if not DHIS2_UID.match(uid)]
        if bad:
            raise ValueError(
                f"not DHIS2 uids (11 characters, a letter then 10 letters or digits): {', '.join(bad)}"
            )
        for indicator, element in self.data_elements.items():
            if (
                element.category_combo != "default"
                and element.category_combo not in self.category_option_combos
            ):
                raise ValueError(
                    f"data_elements.{indicator}.category_combo: {element.category_combo!r} is neither "
                    "`default` nor a breakdown under category_option_combos"
                )
            if element.level == "cercle" and not self.org_units:
                raise ValueError(f"data_elements.{indicator}.level: cercle, but org_units maps no cercle")
        return self


def read_dhis2(path: Path) -> Dhis2File:
    return read_config(path, Dhis2File)


# config/sms/templates.yaml


class PriceRule(ConfigModel):
    """Which prices the message quotes, and how old a market's latest price may be."""

    commodity: str
    price_type: str
    lookback_days: int


class TrendRule(ConfigModel):
    threshold_pct: float


class ByTrend(ConfigModel):
    """One entry per trend the composer can find."""

    up: str
    down: str
    stable: str
    unknown: str


class LanguageTemplates(ConfigModel):
    """The texts of one language; `advice` is keyed by the advice names of `advice_by_trend`."""

    message: str
    no_price: str
    area_region: str
    trend: ByTrend
    advice: dict[str, str]


class SmsTemplatesFile(ConfigModel):
    """The weekly message: texts per language and the rules behind the advice."""

    segment_budget: int
    default_language: str
    prices: PriceRule
    trend: TrendRule
    advice_by_trend: ByTrend
    languages: dict[str, LanguageTemplates] = Field(min_length=1)

    @model_validator(mode="after")
    def _every_reference_resolves(self) -> SmsTemplatesFile:
        if self.default_language not in self.languages:
            raise ValueError(f"default_language {self.default_language!r} has no templates under languages")
        wanted = set(self.advice_by_trend.model_dump().values())
        for name, texts in self.languages.items():
            missing = sorted(wanted - set(texts.advice))
            if missing:
                raise ValueError(f"languages.{name}.advice has no text for {', '.join(missing)}")
        return self


def read_sms_templates(path: Path) -> SmsTemplatesFile:
    return read_config(path, SmsTemplatesFile)


def plain(model: BaseModel) -> dict[str, Any]:
    """The file as the dicts and lists YAML gave (unset keys left out), a copy the caller may change."""
    return model.model_dump(exclude_unset=True)
