"""A suite validated column group by column group says what one validation of the whole frame says."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tasks.validate.expectations_run import _read, _validate, run_suite_with_outcomes
from tasks.validate.suites import load_suite_dict

EXPECTATIONS = Path(__file__).resolve().parents[2] / "expectations"


def _loans() -> pd.DataFrame:
    """Six loans with a defect in almost every column the loans suite reads."""
    return pd.DataFrame(
        {
            "loan_id": ["L1", "L2", "L2", "L4", None, "L6"],
            "borrower_id": ["OP001", None, "OP002", "OP003", "OP004", "OP005"],
            "mfi_id": ["MFI01", "MFI01", "MFI02", None, "MFI03", "MFI01"],
            "crop": ["sesame", "rice", "maize", "fonio", "sesame", None],
            "principal_xof": [1_250_000.0, -5.0, 900_000.0, None, 50_000.0, 75_000.0],
            "monthly_rate": [0.0125, 0.02, 0.0125, 0.0125, 7.0, 0.0125],
            "disbursed_on": pd.to_datetime(
                ["2019-03-01", "2019-04-01", "2019-05-01", None, "2019-06-01", "2099-01-01"]
            ),
            "maturity_on": pd.to_datetime(
                ["2019-09-30", "2019-01-01", "2019-11-01", "2019-12-01", None, "2099-06-01"]
            ),
            "volume_kg": [4170.0, None, -1.0, 300.0, 200.0, 100.0],
            "written_off_on": pd.to_datetime(["2020-01-15", None, None, None, None, None]),
            "restructured_on": pd.to_datetime([None, None, "2019-04-01", None, None, None]),
            "source_row": [3, 4, 5, 6, 7, 8],
        }
    )


def test_grouped_validation_names_the_same_rows_in_the_suite_order_as_a_whole_frame_validation():
    suite = load_suite_dict(EXPECTATIONS, "loans")
    frame = _loans()
    whole = [_read(outcome) for outcome in _validate(frame, suite["name"], suite["expectations"])]
    issues, outcomes = run_suite_with_outcomes(frame, suite)
    assert [o.expectation for o in outcomes] == [e["type"] for e in suite["expectations"]]  # suite order
    assert [o.columns for o in outcomes] == [
        [
            c
            for c in (e["kwargs"].get("column"), e["kwargs"].get("column_A"), e["kwargs"].get("column_B"))
            if c
        ]
        for e in suite["expectations"]
    ]
    key = repr  # GX orders its own results: compare the same verdicts and issues, whatever their order
    assert sorted(outcomes, key=key) == sorted((verdict for _, verdict in whole), key=key)
    assert sorted(issues, key=key) == sorted((issue for found, _ in whole for issue in found), key=key)
    failed = {o.expectation for o in outcomes if not o.success}
    assert {"expect_column_values_to_be_unique", "expect_column_values_to_be_in_set"} <= failed
    assert "expect_column_pair_values_a_to_be_greater_than_b" in failed  # two columns in one group
    assert {i.source_row for i in issues} == {4, 5, 6, 7, 8}


def test_a_table_level_expectation_still_sees_every_column():
    suite = {
        "name": "t",
        "expectations": [
            {"type": "expect_table_columns_to_match_set", "kwargs": {"column_set": list(_loans().columns)}},
            {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "loan_id"}},
        ],
    }
    issues, outcomes = run_suite_with_outcomes(_loans(), suite)
    assert [o.success for o in outcomes] == [True, False]
    assert [i.source_row for i in issues] == [7]
