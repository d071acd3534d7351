"""`malux report evaluation --format json`: the campaign's figures for a program, printed, nothing written."""

from __future__ import annotations

import json

import campaign_scenario as scenario
import pytest
from typer.testing import CliRunner

from malux.cli.main import app


@pytest.fixture
def two_campaigns(settled_program):
    return scenario.build(settled_program)


def _run(*args: str):
    return CliRunner().invoke(app, ["report", "evaluation", *args], catch_exceptions=False)


def test_the_json_prints_the_campaign_totals_and_the_previous_campaign(two_campaigns, data_dir):
    result = _run("--campaign", "2019-2020", "--format", "json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    start, end = scenario.window("2019-2020")
    assert (payload["campaign"], payload["start"], payload["end"]) == ("2019-2020", str(start), str(end))
    values = {
        (v["indicator"], json.dumps(v["disaggregation"], sort_keys=True)): v for v in payload["indicators"]
    }
    assert values[("sms_sent", "{}")]["value"] == scenario.sms("2019-2020")["sent"]
    assert values[("loans_disbursed_xof", "{}")]["value"] == scenario.loans("2019-2020")["xof"]
    assert values[("trained_producers", "{}")]["aggregation"] == "to_date"
    assert payload["previous"]["campaign"] == "2018-2019"
    previous = {v["indicator"]: v for v in payload["previous"]["indicators"] if not v["disaggregation"]}
    assert previous["sms_sent"]["value"] == scenario.sms("2018-2019")["sent"]
    assert not (data_dir / "reports").exists()  # printed, not written


def test_an_unknown_campaign_in_json_is_refused_naming_the_known_ones(two_campaigns):
    result = _run("--campaign", "2030-2031", "--format", "json")
    assert result.exit_code == 1
    assert "2030-2031" in result.stderr and "2019-2020" in result.stderr
