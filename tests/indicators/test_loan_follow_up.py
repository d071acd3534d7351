"""What a credit officer follows on a day: the aging of the portfolio, the arrears list and PAR by MFI."""

from datetime import date, timedelta

import pytest

from tasks.loans.follow_up import aging, arrears, par_by_mfi

D = date(2019, 6, 30)


def _due(days_late: int) -> str:
    return (D - timedelta(days=days_late)).isoformat()


def _bucket(days: int) -> str:
    """The buckets as the issue names them, written out here independently of the code's table."""
    if days == 0:
        return "current"
    for low, high in ((1, 30), (31, 60), (61, 90), (91, 180)):
        if low <= days <= high:
            return f"{low}-{high}"
    return ">180"


def test_aging_puts_each_outstanding_loan_in_its_bucket_and_leaves_out_written_off_and_repaid_loans(program):
    late = {"A": 0, "B": 30, "C": 31, "D": 60, "E": 61, "F": 90, "G": 91, "H": 180, "I": 181}
    principal = {loan: 100_000 * (i + 1) for i, loan in enumerate(late)}
    for loan, days in late.items():
        maturity = _due(days) if days else "2019-09-30"
        program.loan(loan, principal=principal[loan], maturity=maturity, disbursed="2018-06-01")
    program.loan("J", principal=1_000_000, maturity=_due(200), disbursed="2018-06-01").repaid(
        400_000, on="2019-06-01"
    )
    program.loan(
        "W", principal=5_000_000, maturity=_due(300), disbursed="2018-06-01", written_off="2019-06-01"
    )
    program.loan("R", principal=7_000_000, maturity=_due(100), disbursed="2018-06-01").repaid(
        7_000_000, on="2019-06-29"
    )
    program.loan("N", principal=3_000_000, maturity="2019-12-31", disbursed="2019-07-01")  # after D
    expected: dict[str, list[float]] = {}
    for loan, days in [*late.items(), ("J", 200)]:
        outstanding = principal.get(loan, 1_000_000 - 400_000)
        counts = expected.setdefault(_bucket(days), [0, 0.0])
        counts[0] += 1
        counts[1] += outstanding
    rows = aging(program.engine, D)
    assert [r["bucket"] for r in rows] == ["current", "1-30", "31-60", "61-90", "91-180", ">180"]
    assert {r["bucket"]: [r["loans"], r["outstanding_xof"]] for r in rows if r["loans"]} == expected


def test_the_arrears_list_names_who_to_call_how_late_and_how_much_is_overdue(program):
    program.beneficiary("OP1", "producer_org", name="Union Benkadi")
    program.beneficiary("MSE1", "mse", name="Transfo Sésame SARL", org_id="OP1")
    loan = program.loan("L1", principal=1_000_000, maturity="2019-08-15", borrower="OP1")
    loan.instalment(1, "2019-05-15", 400_000).instalment(2, "2019-06-15", 300_000)
    loan.instalment(3, "2019-08-15", 300_000).repaid(250_000, on="2019-05-20")
    program.loan("L2", principal=600_000, maturity="2019-06-20", borrower="MSE1", mfi="kafo", crop="rice")
    program.loan("L3", principal=900_000, maturity="2019-09-30", borrower="OP1")  # current
    program.loan("L4", principal=900_000, maturity="2019-03-30", borrower="OP1", written_off="2019-06-01")
    late = arrears(program.engine, D)
    assert [loan.loan_id for loan in late] == ["L1", "L2"]  # the latest first
    first, second = late
    assert (first.borrower_name, first.farmer_organisation) == ("Union Benkadi", "Union Benkadi")
    assert (first.days_past_due, first.overdue_principal_xof, first.outstanding_xof) == (
        (D - date(2019, 5, 15)).days,
        400_000 + 300_000 - 250_000,
        1_000_000 - 250_000,
    )
    assert (second.borrower_name, second.farmer_organisation, second.mfi_id, second.crop) == (
        "Transfo Sésame SARL",
        "Union Benkadi",
        "kafo",
        "rice",
    )
    assert (second.days_past_due, second.overdue_principal_xof) == ((D - date(2019, 6, 20)).days, 600_000)


def test_par_by_mfi_divides_each_mfi_s_risk_by_its_own_portfolio(program):
    program.loan("L1", principal=1_000_000, maturity=_due(45))
    program.loan("L2", principal=3_000_000, maturity="2019-09-30")
    program.loan("L3", principal=2_000_000, maturity=_due(120), mfi="kafo")
    program.loan("L4", principal=2_000_000, maturity="2019-09-30", mfi="kafo", restructured="2019-05-02")
    rows = {r["mfi_id"]: r for r in par_by_mfi(program.engine, D)}
    assert set(rows) == {"kafo", "soro_yiriwaso"}
    assert rows["soro_yiriwaso"]["par30"] == pytest.approx(1_000_000 / 4_000_000)
    assert rows["soro_yiriwaso"]["par90"] == 0
    assert rows["kafo"]["par30"] == pytest.approx(1.0)
    assert rows["kafo"]["par90"] == pytest.approx(1.0)
    assert rows["kafo"]["gross_loan_portfolio_xof"] == 4_000_000
