"""The campaign calendar: which weeks a broadcast goes out, and when (config/campaigns.yaml).

The one calendar of MALUX: the SMS flows schedule from it and the SMS indicators bound their weeks with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from malux.settings import get_settings
from malux.settings.config_files import plain, read_campaigns


@dataclass(frozen=True)
class CampaignWeek:
    """One weekly broadcast; send_at is naive Africa/Bamako time, which is UTC all year."""

    campaign: str
    week: int
    send_at: datetime

    @property
    def next_send_at(self) -> datetime:
        """When the week ends: the next week's broadcast, 7 days later (what reach is measured against)."""
        return self.send_at + timedelta(days=7)


def _load(config_dir: Path | None) -> dict:
    """The parsed campaigns.yaml of the config directory (the settings' one by default)."""
    path = (config_dir or get_settings().config_dir) / "campaigns.yaml"
    return plain(read_campaigns(path))


def campaign_weeks(campaign: str, config_dir: Path | None = None) -> list[CampaignWeek]:
    """Every week of a campaign in order, so a flow can schedule or backfill them."""
    cfg = _load(config_dir)
    campaigns = cfg["campaigns"]
    if campaign not in campaigns:
        raise ValueError(f"unknown campaign {campaign!r}; known campaigns: {', '.join(sorted(campaigns))}")
    spec = campaigns[campaign]
    start = spec["start"] if isinstance(spec["start"], date) else date.fromisoformat(str(spec["start"]))
    send_time = time.fromisoformat(str(cfg.get("send_time", "08:00")))
    return [
        CampaignWeek(campaign, week, datetime.combine(start + timedelta(days=7 * (week - 1)), send_time))
        for week in range(1, int(spec["weeks"]) + 1)
    ]


def all_campaign_weeks(config_dir: Path | None = None) -> list[CampaignWeek]:
    """Every week of every campaign in send order, for backfills and reach indicators."""
    weeks = [w for c in _load(config_dir)["campaigns"] for w in campaign_weeks(str(c), config_dir)]
    return sorted(weeks, key=lambda w: w.send_at)


def week_for(campaign: str, week: int, config_dir: Path | None = None) -> CampaignWeek:
    """One campaign week, failing loudly on a week the campaign does not have."""
    weeks = campaign_weeks(campaign, config_dir)
    if not 1 <= week <= len(weeks):
        raise ValueError(f"campaign {campaign!r} has weeks 1..{len(weeks)}, not {week}")
    return weeks[week - 1]
