"""`malux loans aging|arrears`: the portfolio by age of arrears and the list of late loans, as typed."""

from __future__ import annotations

import json
from datetime import date

import pytest
from openpyxl import load_workbook

D = date(2019, 6, 30)


@pytest.fixture
def late_portfolio(settled_program):
    """One borrower with a hostile name, one loan 46 days late, one current, one written off."""
    program = settled_program
    program.beneficiary("OP1", "producer_org", name='=HYPERLINK("http://x.example","Union")')
    program.loan("L1", principal=1_000_000, maturity="2019-05-15", borrower="OP1").repaid(
        250_000, on="2019-05-20"
    )
    program.loan("L2", principal=2_000_000, maturity="2019-09-30", borrower="OP1")
    program.loan("L3", principal=500_000, maturity="2019-02-01", borrower="OP1", written_off="2019-04-01")
    return program


def test_aging_as_json_counts_the_late_and_the_current_loans(malux, late_portfolio):
    result = malux("loans", "aging", "--as-of", D.isoformat(), "--format", "json")
    assert result.exit_code == 0, result.output
    rows = {r["bucket"]: (r["loans"], r["outstanding_xof"]) for r in json.loads(result.stdout)}
    assert (D - date(2019, 5, 15)).days == 46
    assert rows["31-60"] == (1, 1_000_000 - 250_000)
    assert rows["current"] == (1, 2_000_000)
    assert sum(n for n, _ in rows.values()) == 2  # the written-off loan is in no bucket


def test_arrears_as_json_lists_each_late_loan_with_its_numbers(malux, late_portfolio):
    result = malux("loans", "arrears", "--as-of", D.isoformat(), "--format", "json")
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.stdout)
    assert (row["loan_id"], row["borrower_id"], row["days_past_due"]) == ("L1", "OP1", 46)
    assert (row["overdue_principal_xof"], row["outstanding_xof"]) == (750_000, 750_000)


def test_the_arrears_spreadsheet_is_in_french_and_a_hostile_name_stays_text(malux, late_portfolio, tmp_path):
    target = tmp_path / "retards.xlsx"
    result = malux("loans", "arrears", "--as-of", D.isoformat(), "--format", "xlsx", "--out", str(target))
    assert result.exit_code == 0, result.output
    sheet = load_workbook(target).active
    rows = [list(row) for row in sheet.iter_rows()]
    header = next(i for i, row in enumerate(rows) if row[0].value == "N° prêt")
    names = [c.value for c in rows[header]]
    assert {"Emprunteur", "Jours de retard", "Encours (FCFA)"} <= set(names)
    [loan] = rows[header + 1 :]
    values = dict(zip(names, loan, strict=True))
    assert values["N° prêt"].value == "L1" and values["Jours de retard"].value == 46
    name = values["Emprunteur"]
    assert name.value.startswith("=HYPERLINK") and name.data_type == "s"  # text, never a formula
    assert values["Spéculation"].value == "Sésame"
    outstanding = 1_000_000 - 250_000
    amount = f"{outstanding:,}".replace(",", "\u202f")
    assert rows[1][0].value == f"1 prêt(s), encours {amount} FCFA"


def test_a_reporting_day_that_is_not_a_date_is_one_clear_error(malux, late_portfolio):
    result = malux("loans", "aging", "--as-of", "30/06/2019")
    assert result.exit_code == 1
    assert "'30/06/2019' is not a date: expected YYYY-MM-DD" in result.stderr
