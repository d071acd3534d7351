"""The dataset declarations, `config/datasets/<name>.yaml`: each dataset's columns, key, references and order.

One file says everything about a dataset that more than one part of MALUX needs: the warehouse builds its
table from it, ingest loads datasets in its order, validation checks its references, and the data
dictionary is written from it. The format is described in `config/datasets/README.md`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from malux.settings import get_settings

# `string(64)` is a VARCHAR of that length; the others name one SQL type each (warehouse/schema.py).
TYPE_PATTERN = r"^(string\([1-9][0-9]*\)|text|integer|float|boolean|date|datetime)$"
_NAME = r"^[a-z][a-z0-9_]*$"
# Every dataset row says where it came from; the warehouse adds these columns to every dataset table.
LINEAGE = {
    "batch_id": ("ingest batch the row came from", "id", "ingest"),
    "source_row": ("row number in the file received", "integer", "ingest"),
}


class DatasetError(ValueError):
    """A declaration that cannot be used, named by its file and key so it can be fixed there."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DeclaredColumn(_Strict):
    """A canonical column: its SQL type, whether it may be empty, and what it means to an analyst."""

    type: str = Field(pattern=TYPE_PATTERN)
    description: str = Field(min_length=1)
    unit: str = Field(min_length=1)
    source: str = Field(min_length=1)  # partner file, standardise, gateway…: where the value comes from
    nullable: bool = True  # a key column is never null, whatever this says
    values: tuple[str, ...] | None = None  # the codes the column may hold, when it is a code list
    index: bool = False  # a warehouse index on this column alone, `ix_<dataset>_<column>`


class Reference(_Strict):
    """A column whose values must already be in another table (of a category) before a row loads."""

    column: str
    table: str
    key: str
    categories: tuple[str, ...] = ()


class Dataset(_Strict):
    """One canonical dataset, as declared in its file."""

    name: str = Field(pattern=_NAME)  # the file's name
    path: Path  # the file, so that an error found later can still say where to fix it
    description: str = Field(min_length=1)
    order: int  # datasets load by increasing order; a referenced dataset has a lower one
    key: tuple[str, ...] = Field(min_length=1)
    columns: dict[str, DeclaredColumn] = Field(min_length=1)
    references: tuple[Reference, ...] = ()
    lake_partition: Literal["batch_id"] = "batch_id"  # the lake writes one partition per ingest batch
    after_load: tuple[str, ...] = ()  # hooks run once a batch is loaded (tasks/ingest/after_load.py)

    def is_nullable(self, column: str) -> bool:
        return column not in self.key and self.columns[column].nullable


Datasets = Mapping[str, Dataset]  # every declared dataset by name, in loading order (read-only)


def load_datasets(directory: Path) -> Datasets:
    """Read and check every `<name>.yaml` of the folder; a DatasetError names the file and key at fault."""
    return _load(Path(directory).resolve())


@cache
def _load(directory: Path) -> Datasets:
    paths = sorted(directory.glob("*.yaml"))
    if not paths:
        raise DatasetError(f"{directory}: no dataset declarations (<name>.yaml)")
    found = [_read(path) for path in paths]
    orders = {}
    for path, dataset in found:
        if dataset.order in orders:
            raise DatasetError(f"{path}: order: {dataset.order} is also the order of {orders[dataset.order]}")
        orders[dataset.order] = dataset.name
    datasets = MappingProxyType({d.name: d for _, d in sorted(found, key=lambda pair: pair[1].order)})
    for path, dataset in found:
        _check_references(path, dataset, datasets)
    return datasets


def _read(path: Path) -> tuple[Path, Dataset]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise DatasetError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise DatasetError(f"{path}: expected a mapping of description, order, key, columns…")
    for implied in ("name", "path"):
        if implied in raw:
            raise DatasetError(f"{path}: {implied}: a dataset is named by its file, not by a key")
    try:
        dataset = Dataset(name=path.stem, path=path, **raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise DatasetError(f"{path}: {where}: {first['msg']}") from None
    for name in dataset.columns:
        if not re.match(_NAME, name) or name in LINEAGE:
            raise DatasetError(f"{path}: columns.{name}: not a column name a dataset may declare")
    for name in dataset.key:
        if name not in dataset.columns:
            raise DatasetError(f"{path}: key: {name!r} is not one of its columns")
    return path, dataset


def _check_references(path: Path, dataset: Dataset, datasets: Datasets) -> None:
    """A reference names a declared column and, when it points at a dataset, one that loads earlier."""
    for i, ref in enumerate(dataset.references):
        where = f"{path}: references[{i}]"
        if ref.column not in dataset.columns:
            raise DatasetError(f"{where}.column: {ref.column!r} is not one of its columns")
        target = datasets.get(ref.table)
        if target is None:
            continue  # a bookkeeping table (sms_outbox): warehouse/schema.py checks it when it builds
        if ref.key not in target.columns:
            raise DatasetError(f"{where}.key: {ref.key!r} is not a column of {ref.table}")
        if ref.categories and "category" not in target.columns:
            raise DatasetError(f"{where}.categories: {ref.table} has no category column")
        if target.order >= dataset.order:
            raise DatasetError(
                f"{where}.table: {ref.table} (order {target.order}) must load before {dataset.name} "
                f"(order {dataset.order}): give {dataset.name} a higher order"
            )


def declared_datasets(config_dir: Path | None = None) -> Datasets:
    """The declarations under the configuration folder (`config/datasets/`), read once per folder."""
    return load_datasets(Path(config_dir or get_settings().config_dir) / "datasets")


def load_order(config_dir: Path | None = None) -> list[str]:
    """The datasets in the order files must load: each after the datasets its references point to."""
    return list(declared_datasets(config_dir))
