"""`malux export dhis2` as DHIS2 reads it: each indicator's total found once when DHIS2 sums the values."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pytest
import yaml
from sqlalchemy import text
from typer.testing import CliRunner

from malux.cli.main import app

runner = CliRunner()
PERIOD = "201903B"  # May–June 2019: the period ends on 30 June


def _real_uids(config_dir: Path, **changes: object) -> dict:
    """The shipped mapping with its placeholders made real (their `TODO-` dropped), then `changes` applied."""
    path = config_dir / "dhis2.yaml"
    mapping = yaml.safe_load(path.read_text(encoding="utf-8").replace("TODO-", ""))
    mapping.update(changes)
    path.write_text(yaml.safe_dump(mapping, allow_unicode=True), encoding="utf-8")
    return mapping


@pytest.fixture
def program(warehouse, monkeypatch):
    """Four producers trained by 30 June in three cercles (P4 twice), one in July, a trainer, two loans."""
    monkeypatch.setenv("MALUX_CONFIG_DIR", str(warehouse.config_dir))
    warehouse.beneficiary("P1", cercle="San", gender="F")
    warehouse.beneficiary("P2", cercle="San", gender="M")
    warehouse.beneficiary("P3", cercle="Tominian", gender="F")
    warehouse.beneficiary("P4", cercle="Bla", gender="M")
    warehouse.beneficiary("P5", cercle="Segou", gender="F")  # trained after the period end
    warehouse.beneficiary("T1", "trainer", cercle="San", gender="M")
    warehouse.session("S1", held_on="2019-05-10")
    warehouse.session("S2", held_on="2019-06-12")
    warehouse.session("S3", held_on="2019-07-05")
    warehouse.session("ST", held_on="2019-05-20", audience="trainer")
    for session, producer in [
        ("S1", "P1"),
        ("S1", "P2"),
        ("S1", "P4"),
        ("S2", "P3"),
        ("S2", "P4"),
        ("S3", "P5"),
    ]:
        warehouse.attended(session, producer)
    warehouse.attended("ST", "T1")
    warehouse.loan("L1", principal=1_000_000, maturity="2019-05-30").repaid(400_000, on="2019-05-30")
    warehouse.loan("L2", principal=500_000, disbursed="2019-05-15", maturity="2019-12-30", crop="rice")
    warehouse.compute(PERIOD)
    return warehouse


def _export(*options: str) -> tuple[int, str]:
    result = runner.invoke(app, ["export", "dhis2", "--period", PERIOD, *options])
    return result.exit_code, result.output


def _values(program, tmp_path: Path, *options: str) -> list[dict[str, str]]:
    out = tmp_path / "values.json"
    code, output = _export("--out", str(out), *options)
    assert code == 0, output
    return json.loads(out.read_text(encoding="utf-8"))["dataValues"]


def _as_dhis2_sums(values: list[dict[str, str]]) -> dict[str, float]:
    """What DHIS2 shows at the top of the tree: every value of a data element, all org units and combos."""
    sums: dict[str, float] = defaultdict(float)
    for value in values:
        sums[value["dataElement"]] += float(value["value"])
    return sums


def _trained_in_sql(program, category: str) -> int:
    """Distinct beneficiaries of the category at a session of their audience held by 30 June, in SQL."""
    query = text(
        "SELECT COUNT(DISTINCT a.beneficiary_id) FROM training_attendance a"
        " JOIN training_sessions s ON s.session_id = a.session_id"
        " JOIN beneficiaries b ON b.beneficiary_id = a.beneficiary_id"
        " WHERE b.category = :category AND s.audience = :category AND s.held_on <= :end"
    )
    with program.engine.connect() as conn:
        return conn.execute(query, {"category": category, "end": date(2019, 6, 30)}).scalar_one()


def test_dhis2_sums_the_trained_producers_to_the_distinct_producers_once(program, tmp_path):
    mapping = _real_uids(program.config_dir)
    sums = _as_dhis2_sums(_values(program, tmp_path))
    assert _trained_in_sql(program, "producer") == 4  # P1, P2, P3, P4 (twice, once counted); not P5 (July)
    assert sums[mapping["data_elements"]["trained_producers"]["uid"]] == 4


def test_dhis2_sums_the_trained_trainers_over_the_cercles_to_their_program_total(program, tmp_path):
    mapping = _real_uids(program.config_dir)
    sums = _as_dhis2_sums(_values(program, tmp_path))
    assert (
        sums[mapping["data_elements"]["trained_trainers"]["uid"]] == _trained_in_sql(program, "trainer") == 1
    )


def test_dhis2_sums_the_loan_principal_disbursed_once(program, tmp_path):
    mapping = _real_uids(program.config_dir)
    sums = _as_dhis2_sums(_values(program, tmp_path))
    with program.engine.connect() as conn:
        disbursed = conn.execute(
            text("SELECT SUM(principal_xof) FROM loans WHERE disbursed_on BETWEEN :start AND :end"),
            {"start": date(2019, 5, 1), "end": date(2019, 6, 30)},
        ).scalar_one()
    assert disbursed == 500_000  # L2 on 15 May; L1 went out on 1 March, before May–June
    assert sums[mapping["data_elements"]["loans_disbursed_xof"]["uid"]] == disbursed


def test_every_sent_summable_data_element_adds_up_to_its_stored_total(program, tmp_path):
    mapping = _real_uids(program.config_dir)
    sums = _as_dhis2_sums(_values(program, tmp_path))
    result = runner.invoke(app, ["indicators", "show", "--period", PERIOD, "--format", "json"])
    totals = {r["indicator"]: r for r in json.loads(result.stdout) if r["disaggregation"] == {}}
    for indicator, element in mapping["data_elements"].items():
        uids = element["uid"] if isinstance(element["uid"], dict) else {"value": element["uid"]}
        for part, uid in uids.items():
            if part == "value" and isinstance(element["uid"], dict):
                continue  # a ratio's value is sent once at the program level, not summed
            if totals[indicator][part] is not None:
                assert sums[uid] == pytest.approx(totals[indicator][part]), (indicator, part)


def test_each_value_is_one_data_element_period_org_unit_and_combo(program, tmp_path):
    _real_uids(program.config_dir)
    values = _values(program, tmp_path)
    keys = Counter(
        (v["dataElement"], v["period"], v["orgUnit"], v.get("categoryOptionCombo")) for v in values
    )
    assert [key for key, n in keys.items() if n > 1] == []


def test_trained_producers_go_by_gender_at_the_program_org_unit_only(program, tmp_path):
    mapping = _real_uids(program.config_dir)
    values = _values(program, tmp_path)
    sent = {
        (v["orgUnit"], v.get("categoryOptionCombo")): v["value"]
        for v in values
        if v["dataElement"] == mapping["data_elements"]["trained_producers"]["uid"]
    }
    gender = mapping["category_option_combos"]["gender"]
    program_unit = mapping["program_org_unit"]
    assert sent == {(program_unit, gender["F"]): "2", (program_unit, gender["M"]): "2"}  # P1, P3; P2, P4


def test_trained_trainers_go_to_their_cercle_with_no_region_total_beside_it(program, tmp_path):
    mapping = _real_uids(program.config_dir)
    values = _values(program, tmp_path)
    sent = [
        (v["orgUnit"], v.get("categoryOptionCombo"), v["value"])
        for v in values
        if v["dataElement"] == mapping["data_elements"]["trained_trainers"]["uid"]
    ]
    assert sent == [(mapping["org_units"]["San"], None, "1")]


def test_a_ratio_goes_as_its_parts_and_a_percentage_at_the_program_org_unit(program, tmp_path):
    mapping = _real_uids(program.config_dir)
    values = _values(program, tmp_path)
    par = mapping["data_elements"]["par30"]["uid"]
    sent = {v["dataElement"]: (v["orgUnit"], v["value"]) for v in values if v["dataElement"] in par.values()}
    unit = mapping["program_org_unit"]
    # L1's 600 000 outstanding is 31 days late at 30 June; L2's 500 000 is not yet due
    assert sent == {
        par["numerator"]: (unit, "600000"),
        par["denominator"]: (unit, "1100000"),
        par["value"]: (
            unit,
            "54.5455",
        ),
    }


def test_the_export_refuses_placeholder_uids_unless_allowed(program, tmp_path):
    code, output = _export()
    assert code == 1 and "placeholder" in output and "--allow-placeholders" in output
    values = _values(program, tmp_path, "--allow-placeholders")
    assert values and not any(v["dataElement"].startswith("TODO-") for v in values)


def test_a_complete_date_sends_the_data_set_period_and_org_unit_on_top(program, tmp_path):
    mapping = _real_uids(program.config_dir, data_set="Ab3456789cD")
    out = tmp_path / "values.json"
    code, output = _export("--out", str(out), "--complete-date", "2019-07-10")
    assert code == 0, output
    top = {k: v for k, v in json.loads(out.read_text(encoding="utf-8")).items() if k != "dataValues"}
    assert top == {
        "dataSet": "Ab3456789cD",
        "completeDate": "2019-07-10",
        "period": PERIOD,
        "orgUnit": mapping["program_org_unit"],
    }


def test_an_export_with_no_value_exits_1_with_one_line(warehouse, monkeypatch):
    monkeypatch.setenv("MALUX_CONFIG_DIR", str(warehouse.config_dir))
    _real_uids(warehouse.config_dir)
    code, output = _export()
    assert code == 1
    assert (
        output.strip().startswith("error: no value to export for 201903B")
        and len(output.strip().splitlines()) == 1
    )


def test_a_trainer_in_a_cercle_without_org_unit_is_said_missing_from_the_dhis2_total(program, tmp_path):
    _real_uids(program.config_dir)
    program.beneficiary("T2", "trainer", cercle="Kati", gender="F")
    program.attended("ST", "T2")
    program.compute(PERIOD)
    result = runner.invoke(app, ["export", "dhis2", "--period", PERIOD, "--out", str(tmp_path / "v.json")])
    assert result.exit_code == 0, result.output
    assert "no org unit for the cercle 'Kati'" in result.stderr
    assert "trained_trainers value: the values sent sum to 1, the stored total is 2" in result.stderr
