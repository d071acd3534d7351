"""The sections of the settings tree, each read from its own MALUX_* variables (the names README.md lists)."""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path
from typing import ClassVar

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, SecretStr, ValidationInfo, field_validator

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent


class Section(BaseModel):
    """One part of the configuration; a field is read from `env_prefix` + its name, or from its alias."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)
    env_prefix: ClassVar[str] = "MALUX_"

    @classmethod
    def variables(cls, name: str) -> tuple[str, ...]:
        """The environment variables a field is read from, the documented one first."""
        alias = cls.model_fields[name].validation_alias
        if isinstance(alias, str):
            return (alias,)
        if isinstance(alias, AliasChoices):
            return tuple(str(choice) for choice in alias.choices)
        return (f"{cls.env_prefix}{name}".upper(),)


class ProjectSettings(Section):
    """The checkout's editable configuration: YAML files and validation suites."""

    config_dir: Path = Field(
        PROJECT_ROOT / "config",
        description="the YAML configuration (partners, campaigns, indicators, SMS templates, DHIS2)",
        json_schema_extra={"doc_default": "`config/` of this checkout"},
    )
    expectations_dir: Path = Field(
        PROJECT_ROOT / "expectations",
        description="the Great Expectations suite of each dataset",
        json_schema_extra={"doc_default": "`expectations/` of this checkout"},
    )


class LakeSettings(Section):
    """Where MALUX keeps what it receives and produces: landing, raw archive, Parquet lake, SMS, reports."""

    data_dir: Path = Field(
        Path("data"),
        description="where the lake, the raw archive, the SQLite warehouse, SMS files and reports live",
        json_schema_extra={"doc_default": "`./data`"},
    )
    max_line_bytes: int = Field(
        1 << 20,
        gt=0,
        validation_alias="MALUX_MAX_LINE_BYTES",
        description="a CSV or text file with a longer line is rejected whole, before it is read into memory",
        json_schema_extra={"doc_default": "`1048576` (1 MiB)"},
    )

    @cached_property
    def root(self) -> Path:
        """The data dir as an absolute path, so a later chdir does not move it."""
        return self.data_dir.resolve()


class WarehouseSettings(Section):
    """The SQL warehouse and what a batch may hold back and still be published to it."""

    env_prefix: ClassVar[str] = "MALUX_WAREHOUSE_"

    url: str | None = Field(
        None,
        description="the SQL warehouse (SQLAlchemy URL)",
        json_schema_extra={"doc_default": "`sqlite:///<data dir>/warehouse.sqlite`"},
    )
    max_quarantine_share: float = Field(
        0.5,
        validation_alias="MALUX_MAX_QUARANTINE_SHARE",
        description="a file with more bad rows than this share is rejected whole",
    )


class QuerySettings(Section):
    """How `malux query` and analysts' tools log in: a role that may only read the analyst views, in time."""

    env_prefix: ClassVar[str] = "MALUX_QUERY_"

    url: str | None = Field(
        None,
        description="the connection of `malux query` and analysts' tools (SQLAlchemy URL)",
        json_schema_extra={"doc_default": "the warehouse URL, logged in as `MALUX_QUERY_ROLE`"},
    )
    role: str = Field(
        "malux_reader",
        description="the read-only PostgreSQL role `malux db upgrade` creates: SELECT on the analyst views",
    )
    timeout_s: float = Field(30.0, description="seconds a query may run before the database stops it")

    @field_validator("role")
    @classmethod
    def _plain_identifier(cls, value: str) -> str:
        """The role name goes into GRANT statements: lower-case letters, digits and `_` only."""
        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", value):
            raise ValueError(f"not a plain PostgreSQL role name (a-z, 0-9, _): {value!r}")
        return value

    @field_validator("timeout_s")
    @classmethod
    def _positive(cls, value: float) -> float:
        if value <= 0:
            raise ValueError("must be more than 0 seconds")
        return value


class SmsSettings(Section):
    """The weekly SMS: which gateway sends it, what a segment costs, how long a dead run's messages wait."""

    env_prefix: ClassVar[str] = "MALUX_SMS_"

    gateway: str = Field("file", description="the SMS gateway (`file` writes what would have been sent)")
    cost_per_segment_xof: float = Field(15.0, description="the price of one SMS segment, for cost previews")
    # The outbox's own defaults (tasks/sms/claims.py); a test keeps the two equal.
    in_doubt_seconds: float = Field(
        600.0,
        description='how long a message handed to the gateway by a run that died stays "in doubt"',
    )
    claim_lease_seconds: float = Field(
        45.0,
        description="how long a message a run that died had claimed, but not yet handed to the gateway, "
        "waits before another run sends it",
    )

    daily_reply_cap: int = Field(
        5, description="replies to incoming SMS one number gets a day; one more says the limit is reached"
    )

    @field_validator("in_doubt_seconds", "claim_lease_seconds", mode="before")
    @classmethod
    def _empty_is_default(cls, value: object, info: ValidationInfo) -> object:
        """An empty variable (or 0) means the outbox's default, as it always has."""
        return cls.model_fields[info.field_name].default if value in ("", 0, "0", None) else value


class KannelSettings(Section):
    """Where Kannel's sendsms answers and how we sign in (gateway `kannel`)."""

    env_prefix: ClassVar[str] = "MALUX_KANNEL_"

    url: str | None = Field(
        None,
        description="Kannel's sendsms URL (gateway `kannel`), e.g. http://127.0.0.1:13013/cgi-bin/sendsms",
    )
    user: str | None = Field(None, description="the Kannel sendsms user")
    password: SecretStr | None = Field(None, description="the Kannel sendsms password (never logged)")
    sender: str = Field("MALUX", description="the sender id of the messages sent through Kannel")
    # Kannel's DLR bookkeeping stalls single replies by ~40 ms, so many requests run side by side.
    workers: int = Field(32, description="how many sendsms requests to Kannel run at once")


class AfricasTalkingSettings(Section):
    """Africa's Talking's bulk messaging API (gateway `africastalking`)."""

    env_prefix: ClassVar[str] = "MALUX_AT_"

    url: str = Field(
        "https://api.africastalking.com", description="Africa's Talking's API (gateway `africastalking`)"
    )
    username: str = Field("sandbox", description="the Africa's Talking application user")
    api_key: SecretStr = Field(SecretStr(""), description="the Africa's Talking API key (never logged)")
    sender_id: str | None = Field(
        None, description="a registered alphanumeric sender, else Africa's Talking's shortcode"
    )
    timeout_s: float = Field(30.0, description="seconds to wait for Africa's Talking's answer")


class ReceiverSettings(Section):
    """The delivery-report receiver (`malux dlr-server`) as the gateways reach it, and its token key."""

    env_prefix: ClassVar[str] = "MALUX_DLR_"

    url: str | None = Field(
        None, description="the base URL at which `malux dlr-server` is reached by the gateway"
    )
    secret: SecretStr | None = Field(
        None,
        description="the key of the per-message callback tokens",
        json_schema_extra={"doc_default": "random, kept in `data/secrets/`"},
    )
    # What an internet-facing receiver grants one client (docs/security.md).
    max_body_bytes: int = Field(65536, description="the largest callback body taken (else 413, unread)")
    max_header_bytes: int = Field(16384, description="the largest request line and headers taken (else 400)")
    header_timeout_s: float = Field(
        10.0, description="seconds a client has to send its request line and headers, else it is dropped"
    )
    body_timeout_s: float = Field(10.0, description="seconds a client has to send its body, else 408")
    keep_alive_s: float = Field(5.0, description="seconds an idle kept-alive connection stays open")
    max_connections: int = Field(
        4096, description="connections open at once; more are closed at once (the gateway retries)"
    )
    clock_skew_s: float = Field(
        300.0,
        description="how far a delivery report's time may lie in the future, or before its message was "
        "queued, before the report is refused as implausible",
    )


class KoboSettings(Section):
    """Where KoboToolbox is and the API token to use."""

    env_prefix: ClassVar[str] = "MALUX_KOBO_"

    url: str = Field("https://kf.kobotoolbox.org", description="the KoboToolbox server")
    token: SecretStr | None = Field(None, description="the KoboToolbox API token (never logged)")
    page_size: int = Field(1000, description="submissions per page of a pull (Kobo's `limit`)")


class AlertSettings(Section):
    """Where a failed or crashed scheduled run is announced."""

    env_prefix: ClassVar[str] = "MALUX_ALERT_"

    # A secret: a webhook URL carries its own token (Slack, Teams), so it is shown masked like a password.
    webhook_url: SecretStr | None = Field(
        None, description="where failed or crashed scheduled runs are posted"
    )
