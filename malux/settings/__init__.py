"""Settings from the environment (MALUX_*), with defaults that work with no configuration.

One tree, `Settings`, is the only reader of MALUX_* variables: a section per concern (see sections.py), and
the paths every step uses derived from them.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from malux.settings.sections import (
    PROJECT_ROOT,
    AfricasTalkingSettings,
    AlertSettings,
    KannelSettings,
    KoboSettings,
    LakeSettings,
    ProjectSettings,
    ReceiverSettings,
    Section,
    SmsSettings,
    WarehouseSettings,
)


class Settings(BaseSettings):
    """Every MALUX setting, by section; each section reads its own variables when the tree is built."""

    model_config = SettingsConfigDict(extra="ignore")

    lake: LakeSettings = Field(default_factory=LakeSettings)
    project: ProjectSettings = Field(default_factory=ProjectSettings)
    warehouse: WarehouseSettings = Field(default_factory=WarehouseSettings)
    sms: SmsSettings = Field(default_factory=SmsSettings)
    kannel: KannelSettings = Field(default_factory=KannelSettings)
    africastalking: AfricasTalkingSettings = Field(default_factory=AfricasTalkingSettings)
    receiver: ReceiverSettings = Field(default_factory=ReceiverSettings)
    kobo: KoboSettings = Field(default_factory=KoboSettings)
    alerts: AlertSettings = Field(default_factory=AlertSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """The sections read the environment; the tree itself only takes sections given to it."""
        return (init_settings,)

    # The paths and the URL every step uses, derived from the sections above.

    @property
    def root(self) -> Path:
        return self.lake.root

    @property
    def config_dir(self) -> Path:
        return self.project.config_dir

    @property
    def expectations_dir(self) -> Path:
        return self.project.expectations_dir

    @property
    def database_url(self) -> str:
        """The warehouse URL; SQLite in the data dir unless MALUX_WAREHOUSE_URL says otherwise."""
        return self.warehouse.url or f"sqlite:///{self.root / 'warehouse.sqlite'}"

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


__all__ = [
    "PROJECT_ROOT",
    "AfricasTalkingSettings",
    "AlertSettings",
    "KannelSettings",
    "KoboSettings",
    "LakeSettings",
    "ProjectSettings",
    "ReceiverSettings",
    "Section",
    "Settings",
    "SmsSettings",
    "WarehouseSettings",
    "get_settings",
]
