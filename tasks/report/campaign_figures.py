"""A campaign's figures: every indicator over the campaign's whole window, computed once for page and JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from tasks.indicators.catalogue import load_catalogue
from tasks.indicators.compute import compute_window
from tasks.indicators.periods import Window
from tasks.sms.calendar import all_campaign_weeks

# What the evaluation asks of the weekly reach beyond the catalogue: where it was weakest.
REPORT_DISAGGREGATIONS = {"sms_weekly_reach": ("cercle", "operator")}
NUMBERS = ("numerator", "denominator", "value", "target")
JSON_FIELDS = (*NUMBERS, "aggregation")


@dataclass(frozen=True)
class CampaignFigures:
    """The values of one campaign's window: flows over the window, stocks and to-date values at its end."""

    campaign: str
    window: Window
    weeks: int  # the campaign's weeks in config/campaigns.yaml
    values: list[dict[str, Any]]  # indicator, disaggregation (a dict), numerator … aggregation, note

    def find(self, indicator: str, **disaggregation: Any) -> dict[str, Any] | None:
        """The value of one indicator for exactly this disaggregation (the total when none is given)."""
        return next(
            (v for v in self.values if v["indicator"] == indicator and v["disaggregation"] == disaggregation),
            None,
        )

    def by(self, indicator: str, dim: str) -> list[dict[str, Any]]:
        """The indicator's values disaggregated by `dim` alone, in the computation's order."""
        return [v for v in self.values if v["indicator"] == indicator and list(v["disaggregation"]) == [dim]]

    def as_json(self) -> dict[str, Any]:
        """`{campaign, start, end, indicators: [...]}`, as `malux report evaluation --format json` prints."""
        return {
            "campaign": self.campaign,
            "start": self.window.start.isoformat(),
            "end": self.window.end.isoformat(),
            "indicators": [
                {
                    "indicator": v["indicator"],
                    "disaggregation": v["disaggregation"],
                    **{f: v[f] for f in JSON_FIELDS},
                }
                for v in self.values
            ],
        }


def campaigns_in_order(config_dir: Path) -> list[str]:
    """The campaigns of config/campaigns.yaml in the order they start."""
    return list(dict.fromkeys(w.campaign for w in all_campaign_weeks(config_dir)))


def previous_campaign(campaign: str, config_dir: Path) -> str | None:
    """The campaign that started just before this one, to compare with; None for the first."""
    order = campaigns_in_order(config_dir)
    index = order.index(campaign)
    return order[index - 1] if index else None


def campaign_window(campaign: str, config_dir: Path) -> tuple[Window, int]:
    """From the first send day to 7 days after the last week's send day (when the last week ends); and its
    number of weeks."""
    weeks = [w for w in all_campaign_weeks(config_dir) if w.campaign == campaign]
    if not weeks:
        known = campaigns_in_order(config_dir)
        raise ValueError(f"unknown campaign {campaign!r}: config/campaigns.yaml has {known}")
    last_day = weeks[-1].send_at.date() + timedelta(days=7)
    return Window(campaign, weeks[0].send_at.date(), last_day), len(weeks)


def _whole(number: float | None) -> float | int | None:
    """A count (computed as a float) as the integer it is, so the JSON says 12, not 12.0."""
    return int(number) if number is not None and float(number).is_integer() else number


def _this_campaign_only(value: dict[str, Any], campaign: str) -> bool:
    """Rows about another campaign (its weeks broadcast to date, its weeks' reach) are not this report's."""
    return value["disaggregation"].get("campaign", campaign) == campaign


def campaign_figures(engine: Engine, campaign: str, config_dir: Path) -> CampaignFigures:
    """The campaign's indicators over its window, from the warehouse rows (no stored value is summed)."""
    window, weeks = campaign_window(campaign, config_dir)
    counts = {i.id for i in load_catalogue(config_dir / "indicators.yaml").values() if i.unit == "count"}
    rows = compute_window(engine, window, config_dir, REPORT_DISAGGREGATIONS)
    values = [
        {
            "indicator": r["indicator"],
            "disaggregation": json.loads(r["disaggregation"]),
            **{f: _whole(r[f]) if r["indicator"] in counts else r[f] for f in NUMBERS},
            "aggregation": r["aggregation"],
            "note": r["note"],
        }
        for r in rows
    ]
    return CampaignFigures(campaign, window, weeks, [v for v in values if _this_campaign_only(v, campaign)])
