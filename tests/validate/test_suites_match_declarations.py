"""Each GX suite in expectations/ checks its dataset as declared in config/datasets/."""

from __future__ import annotations

from pathlib import Path

import pytest

from tasks.validate.suites import load_suite_dict
from warehouse.datasets import declared_datasets

EXPECTATIONS = Path(__file__).resolve().parents[2] / "expectations"
DATASETS = declared_datasets()


def _expectations(dataset: str, kind: str | None = None) -> list[dict]:
    suite = load_suite_dict(EXPECTATIONS, dataset)["expectations"]
    return [e for e in suite if kind is None or e["type"] == kind]


def _columns_named(expectation: dict) -> list[str]:
    kwargs = expectation["kwargs"]
    return [
        *([kwargs["column"]] if "column" in kwargs else []),
        *(kwargs[k] for k in ("column_A", "column_B") if k in kwargs),
        *kwargs.get("column_list", []),
    ]


def test_every_declared_dataset_has_a_suite_and_every_suite_a_declaration() -> None:
    assert {p.stem for p in EXPECTATIONS.glob("*.json")} == set(DATASETS)


@pytest.mark.parametrize("dataset", DATASETS)
def test_every_column_a_suite_names_is_declared(dataset: str) -> None:
    named = {c for e in _expectations(dataset) for c in _columns_named(e)}
    assert named <= set(DATASETS[dataset].columns)


@pytest.mark.parametrize("dataset", DATASETS)
def test_the_suite_holds_the_declared_key_unique_within_a_file(dataset: str) -> None:
    key = list(DATASETS[dataset].key)
    if len(key) == 1:
        unique = [_columns_named(e) for e in _expectations(dataset, "expect_column_values_to_be_unique")]
    else:
        unique = [_columns_named(e) for e in _expectations(dataset, "expect_compound_columns_to_be_unique")]
    assert key in unique


@pytest.mark.parametrize("dataset", DATASETS)
def test_the_codes_a_suite_accepts_are_the_declared_values(dataset: str) -> None:
    in_set = {
        e["kwargs"]["column"]: set(e["kwargs"]["value_set"])
        for e in _expectations(dataset, "expect_column_values_to_be_in_set")
    }
    declared = {name: set(c.values) for name, c in DATASETS[dataset].columns.items() if c.values is not None}
    assert in_set == declared


REQUIRED = [
    # GX leaves an empty value out of an in-set check: a required coded column needs its own not-null check,
    # or the row passes validation and then fails the warehouse's NOT NULL when the batch is published.
    pytest.param(dataset, name, id=f"{dataset}.{name}")
    for dataset, declared in DATASETS.items()
    for name, column in declared.columns.items()
    # booleans are never empty once standardised (the phone check, a consent default)
    if not declared.is_nullable(name) and column.type != "boolean"
]


@pytest.mark.parametrize(("dataset", "column"), REQUIRED)
def test_a_column_the_warehouse_requires_is_expected_not_null(dataset: str, column: str) -> None:
    not_null = {e["kwargs"]["column"] for e in _expectations(dataset, "expect_column_values_to_not_be_null")}
    assert column in not_null
