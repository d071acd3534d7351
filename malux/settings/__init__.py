"""Settings from the environment (MALUX_*), with defaults that work with no configuration.

One tree, `Settings`, is the only reader of MALUX_* variables: a section per concern (see sections.py), and
the paths every step uses derived from them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import Field
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from malux.settings.sections import (
    PROJECT_ROOT,
    AfricasTalkingSettings,
    AlertSettings,
    KannelSettings,
    KoboSettings,
    LakeSettings,
    ProjectSettings,
    QuerySettings,
    ReceiverSettings,
    Section,
    SmsSettings,
    WarehouseSettings,
)


class FlatEnvironment(PydanticBaseSettingsSource):
    """Each section's fields from their flat variables (MALUX_KANNEL_URL, not MALUX_KANNEL__URL).

    Names match whatever their case, as pydantic-settings' own source does; one pass over the environment
    builds the whole tree, so get_settings() stays cheap enough to call per step.
    """

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # unused: __call__ reads every section at once

    def __call__(self) -> dict[str, Any]:
        environment = {name.upper(): value for name, value in os.environ.items()}
        tree: dict[str, dict[str, str]] = {}
        for section_name, field in self.settings_cls.model_fields.items():
            section: type[Section] = field.annotation  # type: ignore[assignment]
            values = tree[section_name] = {}
            for name in section.model_fields:
                variable = next((v for v in section.variables(name) if v in environment), None)
                if variable is not None:
                    values[name] = environment[variable]
        return tree


class Settings(BaseSettings):
    """Every MALUX setting, by section, read from the environment when the tree is built."""

    model_config = SettingsConfigDict(extra="ignore")

    lake: LakeSettings = Field(default_factory=LakeSettings)
    project: ProjectSettings = Field(default_factory=ProjectSettings)
    warehouse: WarehouseSettings = Field(default_factory=WarehouseSettings)
    query: QuerySettings = Field(default_factory=QuerySettings)
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
        """Sections given in code first, then the environment; no .env or secrets directory is read."""
        return init_settings, FlatEnvironment(settings_cls)

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
    "QuerySettings",
    "ReceiverSettings",
    "Section",
    "Settings",
    "SmsSettings",
    "WarehouseSettings",
    "get_settings",
]
