"""Find the files dropped in the landing folder, `<landing>/<partner>/<dataset>/<file>`, in loading order."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, select

from tasks.ingest.raw_copy import sha256_of
from warehouse.datasets import load_order
from warehouse.schema import DATASET_TABLES, ingest_batch

_SUFFIXES = {".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls", ".ods", ".json"}


@dataclass(frozen=True)
class LandedFile:
    """A file waiting in the landing folder, routed by its folders to a partner and a dataset."""

    path: Path
    partner: str
    dataset: str
    sha256: str


def landed_files(landing_dir: Path, config_dir: Path) -> list[LandedFile]:
    """Every data file under `<partner>/<dataset>/`, datasets in their declared order, then by name."""
    order = load_order(config_dir)
    found = []
    for path in sorted(landing_dir.glob("*/*/*")):
        partner, dataset = path.parent.parent.name, path.parent.name
        if path.is_symlink() or not path.is_file() or path.name.startswith("."):
            continue  # a link may point anywhere: reported by the flow (`refused_files`), never read
        if path.suffix.lower() not in _SUFFIXES:
            continue
        if dataset not in DATASET_TABLES:
            continue  # reported by the flow: a folder that names no dataset
        found.append(LandedFile(path, partner, dataset, sha256_of(path)))
    return sorted(found, key=lambda f: (order.index(f.dataset), f.partner, f.path.name))


def refused_files(landing_dir: Path) -> list[Path]:
    """Links and other non-regular entries where files belong, so the scan can say why they were left."""
    return sorted(p for p in landing_dir.glob("*/*/*") if p.is_symlink() or not (p.is_file() or p.is_dir()))


def unknown_folders(landing_dir: Path) -> list[Path]:
    """Dataset folders whose name is not a dataset, so the scan can say why their files were left."""
    return sorted(p for p in landing_dir.glob("*/*") if p.is_dir() and p.name not in DATASET_TABLES)


def loaded_hashes(engine: Engine) -> set[str]:
    """The sha256 of every file loaded before: those are skipped without being read again."""
    with engine.connect() as conn:
        return set(
            conn.execute(select(ingest_batch.c.sha256).where(ingest_batch.c.status == "loaded")).scalars()
        )
