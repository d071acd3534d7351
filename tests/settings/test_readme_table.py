"""README.md's Configuration table is the one the settings tree renders."""

from __future__ import annotations

from malux.settings import get_settings
from malux.settings.readme_table import README, config_table, current_table
from tasks.sms.claims import CLAIM_LEASE, IN_DOUBT_AFTER


def test_the_readme_table_is_the_generated_one():
    # On failure: `malux docs config-table` regenerates it.
    assert current_table(README.read_text(encoding="utf-8")) == config_table()


def test_every_setting_has_a_row_with_a_description():
    rows = config_table().splitlines()[2:]
    for section in type(get_settings()).model_fields:
        for name, field in type(getattr(get_settings(), section)).model_fields.items():
            assert field.description, f"{section}.{name} has no description"
    assert all(row.count("|") == 4 and not row.endswith("|  |") for row in rows)


def test_the_documented_sms_durations_are_the_outbox_defaults():
    table = config_table()
    assert f"| `MALUX_SMS_IN_DOUBT_SECONDS` | `{IN_DOUBT_AFTER.total_seconds():g}` |" in table
    assert f"| `MALUX_SMS_CLAIM_LEASE_SECONDS` | `{CLAIM_LEASE.total_seconds():g}` |" in table
