"""Every documented MALUX_* variable lands in its section of the one settings tree, read afresh each time."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr

from malux.settings import PROJECT_ROOT, get_settings
from tasks.alerts.webhook import alert_url
from tasks.sms.claims import CLAIM_LEASE, IN_DOUBT_AFTER
from tasks.sms.dlr_token import dlr_secret

# The names users already set (README.md before the settings tree, deployments, tests): none may break.
VARIABLES = [
    ("MALUX_DATA_DIR", "lake.data_dir", "/srv/malux", Path("/srv/malux")),
    ("MALUX_CONFIG_DIR", "project.config_dir", "/srv/config", Path("/srv/config")),
    ("MALUX_EXPECTATIONS_DIR", "project.expectations_dir", "/srv/gx", Path("/srv/gx")),
    (
        "MALUX_WAREHOUSE_URL",
        "warehouse.url",
        "postgresql+psycopg://db/malux",
        "postgresql+psycopg://db/malux",
    ),
    ("MALUX_MAX_QUARANTINE_SHARE", "warehouse.max_quarantine_share", "0.2", 0.2),
    ("MALUX_SMS_GATEWAY", "sms.gateway", "kannel", "kannel"),
    ("MALUX_SMS_COST_PER_SEGMENT_XOF", "sms.cost_per_segment_xof", "20", 20.0),
    ("MALUX_SMS_IN_DOUBT_SECONDS", "sms.in_doubt_seconds", "5", 5.0),
    ("MALUX_SMS_CLAIM_LEASE_SECONDS", "sms.claim_lease_seconds", "7", 7.0),
    ("MALUX_KANNEL_URL", "kannel.url", "http://k:13013/cgi-bin/sendsms", "http://k:13013/cgi-bin/sendsms"),
    ("MALUX_KANNEL_USER", "kannel.user", "malux", "malux"),
    ("MALUX_KANNEL_PASSWORD", "kannel.password", "k-pass", SecretStr("k-pass")),
    ("MALUX_KANNEL_SENDER", "kannel.sender", "NKALO", "NKALO"),
    ("MALUX_KANNEL_WORKERS", "kannel.workers", "4", 4),
    ("MALUX_AT_URL", "africastalking.url", "http://at", "http://at"),
    ("MALUX_AT_USERNAME", "africastalking.username", "malux", "malux"),
    ("MALUX_AT_API_KEY", "africastalking.api_key", "at-key", SecretStr("at-key")),
    ("MALUX_AT_SENDER_ID", "africastalking.sender_id", "NKALO", "NKALO"),
    ("MALUX_AT_TIMEOUT_S", "africastalking.timeout_s", "3", 3.0),
    ("MALUX_DLR_URL", "receiver.url", "http://dlr:8090", "http://dlr:8090"),
    ("MALUX_DLR_SECRET", "receiver.secret", "dlr-key", SecretStr("dlr-key")),
    ("MALUX_KOBO_URL", "kobo.url", "http://kobo", "http://kobo"),
    ("MALUX_KOBO_TOKEN", "kobo.token", "kobo-token", SecretStr("kobo-token")),
    ("MALUX_KOBO_PAGE_SIZE", "kobo.page_size", "2", 2),
    ("MALUX_ALERT_WEBHOOK_URL", "alerts.webhook_url", "http://hooks/x", SecretStr("http://hooks/x")),
]


def _at(path: str) -> object:
    section, name = path.split(".")
    return getattr(getattr(get_settings(), section), name)


@pytest.mark.parametrize(("variable", "path", "raw", "expected"), VARIABLES, ids=[v[0] for v in VARIABLES])
def test_each_variable_sets_its_setting(monkeypatch, variable, path, raw, expected):
    monkeypatch.setenv(variable, raw)
    assert _at(path) == expected


def test_the_environment_is_read_afresh_on_each_call(monkeypatch):
    monkeypatch.setenv("MALUX_SMS_GATEWAY", "kannel")
    first = get_settings().sms.gateway
    monkeypatch.setenv("MALUX_SMS_GATEWAY", "africastalking")
    assert (first, get_settings().sms.gateway) == ("kannel", "africastalking")


def test_the_warehouse_defaults_to_sqlite_in_the_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("MALUX_DATA_DIR", str(tmp_path))
    assert get_settings().database_url == f"sqlite:///{tmp_path / 'warehouse.sqlite'}"


@pytest.mark.parametrize("typed", ["", "0"])
def test_an_empty_or_zero_duration_means_the_outbox_default(monkeypatch, typed):
    monkeypatch.setenv("MALUX_SMS_IN_DOUBT_SECONDS", typed)
    monkeypatch.setenv("MALUX_SMS_CLAIM_LEASE_SECONDS", typed)
    sms = get_settings().sms
    assert timedelta(seconds=sms.in_doubt_seconds) == IN_DOUBT_AFTER
    assert timedelta(seconds=sms.claim_lease_seconds) == CLAIM_LEASE


def test_a_secret_is_never_in_the_settings_repr(monkeypatch):
    monkeypatch.setenv("MALUX_KANNEL_PASSWORD", "k-pass")
    monkeypatch.setenv("MALUX_KOBO_TOKEN", "kobo-token")
    text = repr(get_settings())
    assert "k-pass" not in text and "kobo-token" not in text


def test_the_dlr_secret_comes_from_the_settings_else_from_a_kept_file(data_dir, monkeypatch):
    generated = dlr_secret()
    assert (data_dir / "secrets" / "dlr_secret").read_text().strip().encode() == generated
    monkeypatch.setenv("MALUX_DLR_SECRET", "dlr-key")
    assert dlr_secret() == b"dlr-key"


def test_the_alert_webhook_comes_from_the_settings(monkeypatch):
    assert alert_url() is None  # no variable, no Prefect server to ask
    monkeypatch.setenv("MALUX_ALERT_WEBHOOK_URL", "http://hooks/x")
    assert alert_url() == "http://hooks/x"


def test_no_module_outside_the_settings_reads_a_malux_variable():
    reads = re.compile(r"(os\.environ|getenv)[^\n]*MALUX_")
    sources = [
        p
        for folder in ("malux", "tasks", "flows", "warehouse")
        for p in (PROJECT_ROOT / folder).rglob("*.py")
    ]
    offenders = [
        str(path.relative_to(PROJECT_ROOT))
        for path in sources
        if path.relative_to(PROJECT_ROOT).parts[:2] != ("malux", "settings")
        and reads.search(path.read_text("utf-8"))
    ]
    assert offenders == []
