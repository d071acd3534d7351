"""`malux config show`: what is in force and where it came from, never a secret's value."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from malux.cli.main import app

runner = CliRunner()
SECRETS = {
    "MALUX_KANNEL_PASSWORD": "k-pass-123",
    "MALUX_AT_API_KEY": "at-key-456",
    "MALUX_DLR_SECRET": "dlr-key-789",
    "MALUX_KOBO_TOKEN": "kobo-token-0",
}


def _show(*options: str) -> str:
    result = runner.invoke(app, ["config", "show", *options], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    return result.output


def test_secrets_are_masked_in_both_formats(monkeypatch):
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    for output in (_show(), _show("--format", "json")):
        assert not [value for value in SECRETS.values() if value in output]
    shown = json.loads(_show("--format", "json"))
    assert shown["kannel"]["password"]["value"] == "****"
    assert shown["kobo"]["token"]["value"] == "****"


def test_an_unset_secret_shows_as_unset_not_masked():
    shown = json.loads(_show("--format", "json"))
    password = shown["kannel"]["password"]
    assert password == {"value": None, "source": "default", "variable": "MALUX_KANNEL_PASSWORD"}


def test_each_value_names_the_variable_it_came_from_or_default(monkeypatch):
    monkeypatch.setenv("MALUX_SMS_GATEWAY", "kannel")
    monkeypatch.setenv("MALUX_MAX_QUARANTINE_SHARE", "0.2")
    shown = json.loads(_show("--format", "json"))
    assert shown["sms"]["gateway"]["value"] == "kannel"
    assert shown["sms"]["gateway"]["source"] == "MALUX_SMS_GATEWAY"
    assert shown["warehouse"]["max_quarantine_share"]["source"] == "MALUX_MAX_QUARANTINE_SHARE"
    assert shown["sms"]["cost_per_segment_xof"]["source"] == "default"


def test_the_warehouse_shown_is_the_one_in_force(data_dir):
    shown = json.loads(_show("--format", "json"))
    assert shown["warehouse"]["url"] == {
        "value": f"sqlite:///{data_dir.resolve() / 'warehouse.sqlite'}",
        "source": "default",
        "variable": "MALUX_WAREHOUSE_URL",
    }


def test_the_table_lists_a_setting_with_its_source(monkeypatch):
    monkeypatch.setenv("MALUX_KANNEL_URL", "http://kannel.test/cgi-bin/sendsms")
    line = next(line for line in _show().splitlines() if "kannel.url" in line)
    assert "http://kannel.test/cgi-bin/sendsms" in line and "MALUX_KANNEL_URL" in line


def test_a_password_inside_a_url_is_masked(monkeypatch):
    monkeypatch.setenv("MALUX_WAREHOUSE_URL", "postgresql+psycopg://malux:pg-pass-1@db:5432/malux")
    shown = json.loads(_show("--format", "json"))
    assert shown["warehouse"]["url"]["value"] == "postgresql+psycopg://malux:****@db:5432/malux"


def test_the_alert_webhook_is_masked_as_it_carries_its_token(monkeypatch):
    monkeypatch.setenv("MALUX_ALERT_WEBHOOK_URL", "https://hooks.example/services/T1/B2/token-xyz")
    assert "token-xyz" not in _show() + _show("--format", "json")
