"""The partner's rejection report: an XLSX in French listing each held-back row, column, value and fix."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from sqlalchemy import Engine, select

from tasks.ingest.register import CANONICAL
from tasks.safe_cells import safe_xlsx_cell
from tasks.standardise.mapping import load_mapping
from tasks.validate.expected_fr import ExpectedInFrench
from warehouse import batches
from warehouse.schema import DATASET_TABLES, quarantine

HEADERS = ["ligne", "colonne", "valeur", "ce qui est attendu"]


@dataclass(frozen=True)
class HeldRow:
    """One reason a row was held back, as the quarantine table keeps it."""

    source_row: int
    column: str | None
    value: str | None
    check: str
    reason: str


def held_rows(engine: Engine, batch_id: int) -> list[HeldRow]:
    """Every quarantine reason of a batch, by file row."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                quarantine.c.source_row,
                quarantine.c.column_name,
                quarantine.c.value,
                quarantine.c.check_name,
                quarantine.c.reason,
            )
            .where(quarantine.c.batch_id == batch_id)
            .order_by(quarantine.c.source_row, quarantine.c.id)
        ).all()
    return [HeldRow(*row) for row in rows]


def _partner_headers(config_dir: Path, partner: str, dataset: str) -> dict[str, str]:
    """Canonical column -> the header the partner uses, so the report speaks the partner's language."""
    mapping = load_mapping(
        config_dir, None if partner == CANONICAL else partner, dataset, DATASET_TABLES[dataset]
    )
    return {name: spec.headers[0] for name, spec in mapping.columns.items()}


def write_rejection_report(
    engine: Engine, batch_id: int, out: Path, config_dir: Path, expectations_dir: Path
) -> tuple[Path, int]:
    """Write the report of one batch; returns its path and the number of reasons listed."""
    batch = batches.get(engine, batch_id)
    headers = _partner_headers(config_dir, batch.partner, batch.dataset)
    expected = ExpectedInFrench(expectations_dir, batch.dataset)
    book = Workbook()
    sheet = book.active
    sheet.title = "Lignes refusées"
    sheet.append([f"Fichier : {batch.file_name} — lot {batch_id} ({batch.dataset})"])
    sheet.append(
        [
            f"Lignes reçues : {batch.rows_in}, chargées : {batch.rows_loaded}, "
            f"retenues : {batch.rows_quarantined}. Corrigez ces lignes et renvoyez le fichier."
        ]
    )
    if batch.status == "rejected":
        sheet.append([f"Fichier refusé en entier : {batch.error}"])
    sheet.append([])
    sheet.append(HEADERS)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    rows = held_rows(engine, batch_id)
    for row in rows:
        columns = [headers.get(c.strip(), c.strip()) for c in (row.column or "").split(",") if c.strip()]
        sheet.append(
            [row.source_row, ", ".join(columns), row.value, expected(row.check, row.column, row.reason)]
        )
    for letter, width in zip("ABCD", (8, 30, 30, 70), strict=True):
        sheet.column_dimensions[letter].width = width
    for cells in sheet.iter_rows(min_row=1, max_col=4):
        for cell in cells:
            safe_xlsx_cell(cell)  # a held-back "=HYPERLINK(…)" is shown to the partner, never run
            cell.alignment = Alignment(wrap_text=cell.column == 4, vertical="top")
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return out, len(rows)
