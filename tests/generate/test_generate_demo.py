"""Demo files: the same bytes for a seed, the program's size, only the planted defects on loading."""

import hashlib
import time
from pathlib import Path

import pandas as pd
import phonenumbers
import pytest

from tasks.generate import GeneratedFile, generate, partner_files
from tasks.generate.names import MOBILE_PREFIXES
from tasks.generate.program import build_program
from tasks.standardise import standardise_file


def _digests(files: list[GeneratedFile]) -> dict[str, str]:
    return {
        f"{f.partner}/{f.dataset}/{f.path.name}": hashlib.sha256(f.path.read_bytes()).hexdigest()
        for f in files
    }


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> list[GeneratedFile]:
    return generate(tmp_path_factory.mktemp("demo"))


def test_two_runs_write_the_same_bytes(demo, tmp_path):
    time.sleep(1.1)  # a clock-stamped workbook would differ after a second
    assert _digests(generate(tmp_path)) == _digests(demo)


def test_another_seed_gives_other_files(demo, tmp_path):
    assert _digests(generate(tmp_path, seed=7)) != _digests(demo)


def test_files_land_in_the_landing_convention(demo):
    for file in demo:
        assert file.path.parent.name == file.dataset and file.path.parent.parent.name == file.partner
        assert file.path.parent.parent.parent.name == "landing"
    assert {(f.partner, f.dataset) for f in demo} == {
        ("aopp", "beneficiaries"),
        ("aopp", "training_sessions"),
        ("aopp", "training_attendance"),
        ("amassa", "beneficiaries"),
        ("amassa", "loans"),
        ("amassa", "loan_schedule"),
        ("amassa", "repayments"),
        ("nkalo", "market_prices"),
    }


def test_the_program_has_its_documented_size():
    program = build_program()
    counts = {}
    for b in program.beneficiaries:
        counts[b["category"]] = counts.get(b["category"], 0) + 1
    assert counts == {
        "producer_org": 50,
        "producer": 2000,
        "trainer": 30,
        "mse": 20,
        "seed_company": 10,
        "mfi": 3,
    }
    assert {b["cercle"] for b in program.beneficiaries} >= {
        "San",
        "Tominian",
        "Bla",
        "Ségou",
        "Barouéli",
        "Yorosso",
    }
    trained = {a["beneficiary_id"] for a in program.attendance}
    assert (
        sum(b["beneficiary_id"] in trained for b in program.beneficiaries if b["category"] == "producer")
        > 1800
    )
    assert 100 <= len(program.loans) <= 400


def test_scale_multiplies_people_and_loans_not_weeks():
    one, two = build_program(1), build_program(2)
    assert len(two.beneficiaries) - 43 == 2 * (len(one.beneficiaries) - 43)  # 30 trainers, 10 seeds, 3 MFIs
    assert 1.6 < len(two.loans) / len(one.loans) < 2.4
    assert 1.8 < len(two.attendance) / len(one.attendance) < 2.2
    assert len(two.prices) == len(one.prices)


def test_generated_mobile_prefixes_are_valid_mali_mobiles():
    for prefix in MOBILE_PREFIXES:
        number = phonenumbers.parse(f"{prefix}123456", "ML")
        assert phonenumbers.is_valid_number(number), prefix
        assert phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE, prefix


def test_every_file_standardises_with_all_its_rows_and_only_the_planted_issues(demo):
    for file, made in zip(demo, partner_files(), strict=True):
        result = standardise_file(file.path, file.dataset, file.partner)
        assert result.rows_in == len(made.rows) == len(result.frame), file.path.name
        assert len(result.issues) == made.expected_issues, (file.path.name, result.issues)
        assert len(result.issues) <= 0.03 * result.rows_in


def test_about_two_percent_of_phones_are_invalid(demo):
    aopp = next(f for f in demo if f.partner == "aopp" and f.dataset == "beneficiaries")
    frame = standardise_file(aopp.path, aopp.dataset, aopp.partner).frame
    assert 0.01 < 1 - frame["phone_valid"].mean() < 0.03
    assert set(frame["operator"].dropna()) == {"Orange", "Moov", "Telecel"}


def test_prices_cover_every_week_of_both_campaigns(demo):
    prices = next(f for f in demo if f.dataset == "market_prices")
    frame = standardise_file(prices.path, prices.dataset, prices.partner).frame
    sesame = frame[frame["commodity"] == "sesame"]
    assert sesame["price_xof_per_kg"].between(250, 700).mean() > 0.99
    weeks = (sesame["observed_on"] + pd.Timedelta(days=2)).dt.to_period("W-SUN").nunique()
    assert weeks == 42  # observed on the Monday or a day or two before: 21 weeks a campaign


def test_scale_one_is_quick(tmp_path: Path):
    start = time.perf_counter()
    generate(tmp_path)
    assert time.perf_counter() - start < 10


def test_scheduled_loans_have_three_to_six_monthly_instalments_summing_to_their_principal():
    program = build_program()
    instalments: dict[str, list[dict]] = {}
    for row in program.schedules:
        instalments.setdefault(row["loan_id"], []).append(row)
    loans = {loan["loan_id"]: loan for loan in program.loans}
    assert 0.2 * len(loans) < len(instalments) < 0.5 * len(loans)
    for loan_id, rows in instalments.items():
        loan = loans[loan_id]
        assert 3 <= len(rows) <= 6
        assert sum(r["principal_due_xof"] for r in rows) == loan["principal_xof"]
        assert rows[-1]["due_on"] == loan["maturity_on"] and rows[0]["due_on"] >= loan["disbursed_on"]
        months = [(r["due_on"].year * 12 + r["due_on"].month) for r in rows]
        assert [b - a for a, b in zip(months, months[1:], strict=False)] == [1] * (len(rows) - 1)


def _first_unpaid_due(loan: dict, instalments: list[dict], repaid: float):
    """The due date of the oldest instalment the loan's repayments do not cover (None when repaid)."""
    rows = instalments or [{"due_on": loan["maturity_on"], "principal_due_xof": loan["principal_xof"]}]
    due_so_far = 0.0
    for row in sorted(rows, key=lambda r: r["due_on"]):
        due_so_far += row["principal_due_xof"]
        if due_so_far > repaid:
            return row["due_on"]
    return None


def test_loans_in_default_180_days_are_written_off_and_a_few_late_ones_rescheduled():
    program = build_program()
    repaid: dict[str, float] = {}
    for r in program.repayments:
        repaid[r["loan_id"]] = repaid.get(r["loan_id"], 0) + r["principal_xof"]
    instalments: dict[str, list[dict]] = {}
    for row in program.schedules:
        instalments.setdefault(row["loan_id"], []).append(row)
    books_close = max(r["paid_on"] for r in program.repayments)
    written_off = [loan for loan in program.loans if loan.get("written_off_on")]
    rescheduled = [loan for loan in program.loans if loan.get("restructured_on")]
    assert 0 < len(written_off) < 0.15 * len(program.loans) and 0 < len(rescheduled) < 0.1 * len(
        program.loans
    )
    for loan in program.loans:
        unpaid = _first_unpaid_due(loan, instalments.get(loan["loan_id"], []), repaid.get(loan["loan_id"], 0))
        if loan.get("written_off_on"):
            assert unpaid is not None and (loan["written_off_on"] - unpaid).days == 180, loan["loan_id"]
        elif unpaid is not None:  # no loan stays in the books 180 days in default
            assert (books_close - unpaid).days < 180, loan["loan_id"]
    for loan in rescheduled:
        assert loan["disbursed_on"] < loan["restructured_on"] < loan["maturity_on"]
