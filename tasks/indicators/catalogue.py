"""The indicator catalogue (`config/indicators.yaml`): what each indicator means, its unit and its targets."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from malux.settings import get_settings
from malux.settings.config_files import read_indicators

# A disaggregation named here spans several columns; any other name is one column of the same name.
COMPOSITE_DISAGGREGATIONS: dict[str, tuple[str, ...]] = {"campaign_week": ("campaign", "week")}


@dataclass(frozen=True)
class Indicator:
    """One catalogue entry, read once so the computation and the note agree on meaning and targets."""

    id: str
    family: str
    name_fr: str
    name_en: str
    unit: str
    aggregation: str  # period | to_date | at_end: stored with each value and named next to it in the note
    definition: str
    disaggregations: tuple[str, ...] = ()
    target: Any = None
    target_of: str = "value"
    chart: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_ratio(self) -> bool:
        return self.unit == "ratio"

    def name(self, lang: str) -> str:
        """The indicator's name in the note's language."""
        return self.name_en if lang == "en" else self.name_fr

    def groupings(self) -> list[tuple[str, ...]]:
        """The column groups to compute: the total `()` first, then one per disaggregation."""
        return [()] + [COMPOSITE_DISAGGREGATIONS.get(d, (d,)) for d in self.disaggregations]

    def progress(self, value: float | None, numerator: float | None, target: float | None) -> float | None:
        """How far the value (for a ratio with a count target: the numerator) has come towards the target."""
        achieved = numerator if self.target_of == "numerator" else value
        if not target or achieved is None:
            return None
        return achieved / target

    def target_for(self, disaggregation: dict[str, Any]) -> float | None:
        """The target of the total or of one single-key disaggregation, None when the catalogue sets none."""
        if self.target is None:
            return None
        if not isinstance(self.target, dict):
            return float(self.target) if not disaggregation else None
        if not disaggregation:
            total = self.target.get("total")
            return None if total is None else float(total)
        if len(disaggregation) != 1:
            return None
        ((dim, value),) = disaggregation.items()
        by_dim = self.target.get(dim)
        if isinstance(by_dim, dict):
            found = by_dim.get(value)
            return None if found is None else float(found)
        return None if by_dim is None else float(by_dim)

    def target_keys(self, dim: str) -> list[str]:
        """The values of `dim` that carry their own target (e.g. the four contact categories)."""
        by_dim = self.target.get(dim) if isinstance(self.target, dict) else None
        return list(by_dim) if isinstance(by_dim, dict) else []


_KNOWN = {f for f in Indicator.__dataclass_fields__ if f != "extra"}


def load_catalogue(path: Path | None = None) -> dict[str, Indicator]:
    """The catalogue keyed by indicator id, in file order; a ValueError names any unusable entry."""
    path = path or get_settings().config_dir / "indicators.yaml"
    catalogue: dict[str, Indicator] = {}
    for entry in (e.model_dump() for e in read_indicators(path).indicators):  # units and ids checked there
        known = {k: v for k, v in entry.items() if k in _KNOWN}
        known["disaggregations"] = tuple(known.get("disaggregations") or ())
        indicator = Indicator(**known, extra={k: v for k, v in entry.items() if k not in _KNOWN})
        catalogue[indicator.id] = indicator
    return catalogue
