"""Every number the evaluation report shows, computed once: the page and the JSON are two views of it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from malux.settings import get_settings
from tasks.loans.follow_up import loan_follow_up
from tasks.report.campaign_figures import CampaignFigures, campaign_figures, previous_campaign
from tasks.report.campaign_lessons import optouts, quarantine_by_partner


@dataclass(frozen=True)
class Evaluation:
    """A campaign's figures, the previous campaign's (None for the first), and what else the lessons count."""

    current: CampaignFigures
    previous: CampaignFigures | None
    optouts: list[dict[str, Any]]  # per cercle, during the campaign's window
    quarantine: list[dict[str, Any]]  # per partner, over every file received
    loans: dict[str, Any]  # aging and PAR30/PAR90 by MFI at the window's last day

    def as_json(self) -> dict[str, Any]:
        """What `malux report evaluation --format json` prints."""
        return {
            **self.current.as_json(),
            "previous": self.previous.as_json() if self.previous else None,
            "optouts": self.optouts,
            "quarantine": self.quarantine,
            "loans": self.loans,
        }


def evaluate_campaign(engine: Engine, campaign: str, config_dir: Path | None = None) -> Evaluation:
    """The campaign's and the previous campaign's figures over their windows, from the warehouse rows."""
    config_dir = config_dir or get_settings().config_dir
    current = campaign_figures(engine, campaign, config_dir)
    before = previous_campaign(campaign, config_dir)
    return Evaluation(
        current,
        campaign_figures(engine, before, config_dir) if before else None,
        optouts(engine, current.window),
        quarantine_by_partner(engine),
        loan_follow_up(engine, current.window.end),
    )
