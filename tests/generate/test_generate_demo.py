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
