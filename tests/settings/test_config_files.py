"""The YAML files under config/: a mistake is refused with the file and the key, an edit is seen at once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from malux.cli.main import app
from malux.settings import PROJECT_ROOT
from malux.settings.config_files import ConfigFileError
from tasks.indicators.catalogue import load_catalogue
from tasks.sms.calendar import campaign_weeks
from tasks.sms.compose import load_sms_config
from tasks.standardise import InputError, standardise_file

CAMPAIGNS = 'campaigns:\n  "2019-2020": {start: 2019-11-04, weeks: 21}\n'


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """A copy of the shipped configuration to break."""
    root = tmp_path / "config"
    shutil.copytree(PROJECT_ROOT / "config", root, ignore=shutil.ignore_patterns("reference"))
    shutil.copytree(PROJECT_ROOT / "config" / "reference", root / "reference")
    return root


def test_a_missing_key_is_named_with_its_file_and_path(config):
    (config / "campaigns.yaml").write_text('campaigns:\n  "2019-2020": {start: 2019-11-04}\n', "utf-8")
    with pytest.raises(ConfigFileError) as raised:
        campaign_weeks("2019-2020", config)
    assert str(raised.value) == f"{config / 'campaigns.yaml'}: campaigns.2019-2020.weeks: field required"


def test_a_misspelt_key_is_refused_rather_than_ignored(config):
    path = config / "sms" / "templates.yaml"
    path.write_text(path.read_text("utf-8").replace("segment_budget:", "segment_budgett:"), "utf-8")
    expected = (
        r"templates\.yaml: segment_budget: field required; segment_budgett: extra inputs are not permitted"
    )
    with pytest.raises(ConfigFileError, match=expected):
        load_sms_config(config)


def test_a_file_that_is_not_yaml_is_named(config):
    (config / "campaigns.yaml").write_text("campaigns: {2019-2020: [\n", "utf-8")
    with pytest.raises(ConfigFileError, match=r"campaigns\.yaml: not valid YAML"):
        campaign_weeks("2019-2020", config)


def test_an_indicator_listed_twice_is_named(config):
    path = config / "indicators.yaml"
    text = path.read_text("utf-8")
    path.write_text(text.replace("  - id: trained_trainers", "  - id: trained_producers"), "utf-8")
    with pytest.raises(ConfigFileError, match="indicators listed twice: trained_producers"):
        load_catalogue(path)


def test_an_indicator_entry_is_named_by_its_id(config):
    path = config / "indicators.yaml"
    text = path.read_text("utf-8")
    head, tail = text.split("  - id: trained_trainers", 1)
    path.write_text(
        head + "  - id: trained_trainers" + tail.replace("unit: count", "unit: people", 1), "utf-8"
    )
    with pytest.raises(
        ConfigFileError, match=r"indicators\.yaml: indicators\.trained_trainers\.unit: input should be"
    ):
        load_catalogue(path)


def test_a_bad_partner_mapping_rejects_the_file_naming_mapping_and_key(config, tmp_path):
    mapping = config / "partners" / "amassa" / "loans.yaml"
    mapping.write_text(mapping.read_text("utf-8").replace("type: amount", "type: money", 1), "utf-8")
    source = tmp_path / "prets.csv"
    source.write_text("N° Prêt;IMF\nL1;MFI01\n", encoding="cp1252")
    with pytest.raises(InputError) as raised:
        standardise_file(source, "loans", "amassa", config)
    assert f"{mapping}: columns.principal_xof.type: input should be 'text', 'date'" in str(raised.value)


def test_an_edited_file_is_read_again(config):
    (config / "campaigns.yaml").write_text(CAMPAIGNS, "utf-8")
    before = len(campaign_weeks("2019-2020", config))
    (config / "campaigns.yaml").write_text(CAMPAIGNS.replace("weeks: 21", "weeks: 3"), "utf-8")
    assert (before, len(campaign_weeks("2019-2020", config))) == (21, 3)


def test_a_broken_file_is_one_line_from_the_command(config, monkeypatch):
    (config / "campaigns.yaml").write_text('campaigns:\n  "2019-2020": {weeks: 21}\n', "utf-8")
    monkeypatch.setenv("MALUX_CONFIG_DIR", str(config))
    result = CliRunner().invoke(app, ["sms", "preview", "--campaign", "2019-2020", "--week", "1"])
    assert result.exit_code == 1
    assert "campaigns.yaml: campaigns.2019-2020.start: field required" in result.output.replace("\n", "")
    assert "Traceback" not in result.output


def test_an_indicator_without_an_aggregation_kind_is_named_by_file_and_key(config):
    path = config / "indicators.yaml"
    text = path.read_text("utf-8")
    head, tail = text.split("  - id: par30", 1)
    path.write_text(head + "  - id: par30" + tail.replace("    aggregation: at_end\n", "", 1), "utf-8")
    with pytest.raises(
        ConfigFileError, match=r"indicators\.yaml: indicators\.par30\.aggregation: field required"
    ):
        load_catalogue(path)


def test_an_unknown_aggregation_kind_is_named_by_file_and_key(config):
    path = config / "indicators.yaml"
    text = path.read_text("utf-8")
    head, tail = text.split("  - id: par30", 1)
    path.write_text(
        head + "  - id: par30" + tail.replace("aggregation: at_end", "aggregation: average", 1), "utf-8"
    )
    with pytest.raises(
        ConfigFileError, match=r"indicators\.yaml: indicators\.par30\.aggregation: input should be 'period'"
    ):
        load_catalogue(path)
