"""Settings from the environment (MALUX_*), with defaults that work with no configuration."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Where MALUX keeps its data, which warehouse it writes and which SMS gateway it uses."""

    model_config = SettingsConfigDict(env_prefix="MALUX_", extra="ignore")

    data_dir: Path = Path("data")
    warehouse_url: str | None = None
    sms_gateway: str = "file"
    config_dir: Path = PROJECT_ROOT / "config"
    expectations_dir: Path = PROJECT_ROOT / "expectations"
    sms_cost_per_segment_xof: float = 15.0
    max_quarantine_share: float = 0.5  # a batch holding back more than this share of rows is rejected whole

    @cached_property
    def root(self) -> Path:
        return self.data_dir.resolve()

    @property
    def database_url(self) -> str:
        """The warehouse URL; SQLite in the data dir unless MALUX_WAREHOUSE_URL says otherwise."""
        return self.warehouse_url or f"sqlite:///{self.root / 'warehouse.sqlite'}"

    @property
    def landing_dir(self) -> Path:
        return self.root / "landing"

    @property
    def raw_dir(self) -> Path:
        return self.root / "raw"

    @property
    def lake_dir(self) -> Path:
        return self.root / "lake"

    @property
    def outbox_dir(self) -> Path:
        return self.root / "sms"

    @property
    def reports_dir(self) -> Path:
        return self.root / "reports"


def get_settings() -> Settings:
    """Settings read afresh, so a test or a CLI option can change the environment first."""
    return Settings()
