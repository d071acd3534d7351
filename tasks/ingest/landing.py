"""Find the files dropped in the landing folder, `<landing>/<partner>/<dataset>/<file>`, in loading order."""

from __future__ import annotations

from dataclasses import dataclass
from graphlib import TopologicalSorter
from pathlib import Path

from sqlalchemy import Engine, select

from tasks.ingest.register import sha256_of
from tasks.validate.references import load_references
from warehouse.schema import DATASET_TABLES, ingest_batch

_SUFFIXES = {".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls", ".ods", ".json"}


@dataclass(frozen=True)
class LandedFile:
    """A file waiting in the landing folder, routed by its folders to a partner and a dataset."""

    path: Path
    partner: str
    dataset: str
    sha256: str


def dataset_order(config_dir: Path) -> list[str]:
    """Datasets so that each comes after those its references point to (beneficiaries before loans)."""
    table_of = {table.name: name for name, table in DATASET_TABLES.items()}
    graph: dict[str, set[str]] = {name: set() for name in DATASET_TABLES}
    for dataset, refs in load_references(config_dir).items():
        if dataset in graph:
            graph[dataset] |= {table_of[r["table"]] for r in refs if r["table"] in table_of}
    sorter = TopologicalSorter(graph)
    sorter.prepare()
    order: list[str] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready(), key=list(DATASET_TABLES).index)
        order += ready
        sorter.done(*ready)
    return order


def landed_files(landing_dir: Path, config_dir: Path) -> list[LandedFile]:
    """Every data file under `<partner>/<dataset>/`, datasets in loading order, then by name."""
    order = dataset_order(config_dir)
    found = []
    for path in sorted(landing_dir.glob("*/*/*")):
        partner, dataset = path.parent.parent.name, path.parent.name
        if not path.is_file() or path.name.startswith(".") or path.suffix.lower() not in _SUFFIXES:
            continue
        if dataset not in DATASET_TABLES:
            continue  # reported by the flow: a folder that names no dataset
        found.append(LandedFile(path, partner, dataset, sha256_of(path)))
    return sorted(found, key=lambda f: (order.index(f.dataset), f.partner, f.path.name))


def unknown_folders(landing_dir: Path) -> list[Path]:
    """Dataset folders whose name is not a dataset, so the scan can say why their files were left."""
    return sorted(p for p in landing_dir.glob("*/*") if p.is_dir() and p.name not in DATASET_TABLES)


def loaded_hashes(engine: Engine) -> set[str]:
    """The sha256 of every file loaded before: those are skipped without being read again."""
    with engine.connect() as conn:
        return set(
            conn.execute(select(ingest_batch.c.sha256).where(ingest_batch.c.status == "loaded")).scalars()
        )
