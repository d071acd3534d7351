"""`malux export dhis2 --check`: is config/dhis2.yaml ready to import, before any value is sent."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from malux.cli.main import app

runner = CliRunner()
REPO_CONFIG = Path(__file__).resolve().parents[2] / "config"


def _check(*options: str) -> tuple[int, str]:
    result = runner.invoke(app, ["export", "dhis2", "--check", *options])
    return result.exit_code, result.output


@pytest.fixture
def config_dir(tmp_path, monkeypatch) -> Path:
    """A copy of the shipped catalogue and mapping, every placeholder made a real-looking uid."""
    config = tmp_path / "config"
    config.mkdir()
    shutil.copy(REPO_CONFIG / "indicators.yaml", config / "indicators.yaml")
    shipped = (REPO_CONFIG / "dhis2.yaml").read_text(encoding="utf-8")
    (config / "dhis2.yaml").write_text(shipped.replace("TODO-", ""), encoding="utf-8")
    monkeypatch.setenv("MALUX_CONFIG_DIR", str(config))
    return config


def _edit(config_dir: Path, change) -> None:
    path = config_dir / "dhis2.yaml"
    mapping = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(mapping)
    path.write_text(yaml.safe_dump(mapping, allow_unicode=True), encoding="utf-8")


def test_the_shipped_mapping_has_no_problem_but_placeholders():
    code, output = _check()
    assert code == 1 and "placeholder uids" in output and "problem" not in output


def test_the_shipped_mapping_passes_when_placeholders_are_allowed():
    code, output = _check("--allow-placeholders")
    assert code == 0 and "ok" in output and "problem" not in output


def test_a_mapping_of_real_uids_passes(config_dir):
    code, output = _check()
    assert code == 0 and "placeholder" not in output, output


def test_one_placeholder_fails_the_check_and_names_its_key(config_dir):
    _edit(config_dir, lambda m: m["org_units"].update(Bla="TODO-dfjjL1JjuS0"))
    code, output = _check()
    assert code == 1 and "1 placeholder uids (TODO-): org_units.Bla" in output


def test_one_placeholder_passes_with_allow_placeholders(config_dir):
    _edit(config_dir, lambda m: m["org_units"].update(Bla="TODO-dfjjL1JjuS0"))
    code, output = _check("--allow-placeholders")
    assert code == 0, output


def test_a_uid_of_ten_characters_is_refused(config_dir):
    _edit(config_dir, lambda m: m["org_units"].update(Bla="dfjjL1JjuS"))
    code, output = _check("--allow-placeholders")
    assert code == 1 and "not DHIS2 uids" in output and "org_units.Bla" in output


def test_a_uid_starting_with_a_digit_is_refused(config_dir):
    _edit(config_dir, lambda m: m.update(program_org_unit="1KsJ5jU82cL"))
    code, output = _check("--allow-placeholders")
    assert code == 1 and "program_org_unit='1KsJ5jU82cL'" in output


def test_a_mapped_indicator_missing_from_the_catalogue_is_a_problem(config_dir):
    _edit(config_dir, lambda m: m["data_elements"].update(women_trained={"uid": "Qw3456789cD"}))
    code, output = _check("--allow-placeholders")
    assert code == 1 and "data_elements.women_trained: no such indicator" in output


def test_a_level_and_combo_the_catalogue_does_not_compute_is_a_problem(config_dir):
    # indicators.yaml computes trained producers by cercle and by gender apart, not by both together
    _edit(config_dir, lambda m: m["data_elements"]["trained_producers"].update(level="cercle"))
    code, output = _check("--allow-placeholders")
    assert code == 1 and "trained_producers: level cercle with category_combo gender" in output


def test_an_unknown_category_combo_is_refused(config_dir):
    _edit(config_dir, lambda m: m["data_elements"]["trained_trainers"].update(category_combo="age"))
    code, output = _check("--allow-placeholders")
    assert code == 1 and "category_combo" in output and "'age'" in output


def test_a_ratio_sent_by_cercle_is_a_problem(config_dir):
    _edit(config_dir, lambda m: m["data_elements"]["par30"].update(level="cercle"))
    code, output = _check("--allow-placeholders")
    assert code == 1 and "data_elements.par30: a ratio goes at the program level" in output
