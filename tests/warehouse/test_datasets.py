"""Each dataset is declared once, in config/datasets/: a bad declaration is refused with its file and key."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from warehouse.datasets import DatasetError, declared_datasets, load_datasets, load_order
from warehouse.schema import DATASET_TABLES, metadata

DECLARATIONS = Path(__file__).resolve().parents[2] / "config" / "datasets"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of the real declarations, to break one of them."""
    return Path(shutil.copytree(DECLARATIONS, tmp_path / "datasets"))


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_every_dataset_loads_after_the_datasets_it_references() -> None:
    order = load_order()
    for name, dataset in declared_datasets().items():
        for ref in dataset.references:
            if ref.table in order:
                assert order.index(ref.table) < order.index(name), f"{name} -> {ref.table}"


def test_the_demo_datasets_keep_the_order_they_always_loaded_in() -> None:
    before = [
        "beneficiaries",
        "training_sessions",
        "training_attendance",
        "loans",
        "repayments",
        "market_prices",
    ]
    assert [name for name in load_order() if name in before] == before


def test_every_dataset_table_is_its_declared_columns_then_the_lineage() -> None:
    for name, dataset in declared_datasets().items():
        table = DATASET_TABLES[name]
        assert [c.name for c in table.columns] == [*dataset.columns, "batch_id", "source_row"]
        assert [c.name for c in table.primary_key.columns] == list(dataset.key)
        assert {c.name for c in table.columns if not c.nullable} == {
            *dataset.key,
            *(c for c in dataset.columns if not dataset.is_nullable(c)),
            "batch_id",
            "source_row",
        }


def test_every_reference_names_a_table_and_key_of_the_warehouse() -> None:
    for name, dataset in declared_datasets().items():
        for ref in dataset.references:
            assert ref.key in metadata.tables[ref.table].c, f"{name}: {ref}"
            if ref.categories:
                assert "category" in metadata.tables[ref.table].c, f"{name}: {ref}"


def test_a_dataset_that_loads_before_what_it_references_is_refused(folder: Path) -> None:
    _edit(folder / "repayments.yaml", "order: 50", "order: 35")  # before loans (40)
    with pytest.raises(DatasetError, match=r"repayments\.yaml: references\[0\]\.table: loans \(order 40\)"):
        load_datasets(folder)


def test_a_reference_to_an_undeclared_column_names_the_file_and_key(folder: Path) -> None:
    _edit(folder / "loans.yaml", "{column: mfi_id,", "{column: mfi,")
    with pytest.raises(DatasetError, match=r"loans\.yaml: references\[1\]\.column: 'mfi' is not one of"):
        load_datasets(folder)


def test_an_unknown_column_type_names_the_file_and_column(folder: Path) -> None:
    _edit(folder / "loans.yaml", "volume_kg: {type: float", "volume_kg: {type: decimal")
    with pytest.raises(DatasetError, match=r"loans\.yaml: columns\.volume_kg\.type: String should match"):
        load_datasets(folder)


def test_a_misspelt_key_is_refused_not_ignored(folder: Path) -> None:
    _edit(folder / "loans.yaml", "nullable: false", "nulable: false")
    with pytest.raises(DatasetError, match=r"loans\.yaml: columns\.borrower_id\.nulable: Extra inputs"):
        load_datasets(folder)


def test_a_key_column_must_be_declared(folder: Path) -> None:
    _edit(folder / "repayments.yaml", "key: [loan_id, paid_on, seq]", "key: [loan_id, paid_on, sequence]")
    with pytest.raises(DatasetError, match=r"repayments\.yaml: key: 'sequence' is not one of its columns"):
        load_datasets(folder)


def test_two_datasets_cannot_share_an_order(folder: Path) -> None:
    _edit(folder / "repayments.yaml", "order: 50", "order: 60")
    with pytest.raises(DatasetError, match=r"repayments\.yaml: order: 60 is also the order of market_prices"):
        load_datasets(folder)


def test_a_file_that_is_not_yaml_is_named(folder: Path) -> None:
    (folder / "loans.yaml").write_text("key: [loan_id\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=r"loans\.yaml: not valid YAML"):
        load_datasets(folder)
