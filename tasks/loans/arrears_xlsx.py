"""The arrears list as AMASSA's credit officer works it: an XLSX in French, one late loan a row, to call."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from tasks.loans.follow_up import LateLoan
from tasks.report.translations import keyed
from tasks.safe_cells import safe_xlsx_cell

# the crops as the note names them in French (context `crop:<code>` in the report's catalogues)
CROPS_FR = keyed("crop", "fr")

# (header, width, value of a late loan)
COLUMNS = (
    ("N° prêt", 14, lambda loan: loan.loan_id),
    ("Code emprunteur", 16, lambda loan: loan.borrower_id),
    ("Emprunteur", 30, lambda loan: loan.borrower_name),
    ("Organisation paysanne", 30, lambda loan: loan.farmer_organisation),
    ("Téléphone", 16, lambda loan: loan.phone),
    ("IMF", 10, lambda loan: loan.mfi_id),
    ("Spéculation", 12, lambda loan: CROPS_FR.get(loan.crop, loan.crop)),
    ("Jours de retard", 10, lambda loan: loan.days_past_due),
    ("Capital échu impayé (FCFA)", 18, lambda loan: loan.overdue_principal_xof),
    ("Encours (FCFA)", 18, lambda loan: loan.outstanding_xof),
    ("Rééchelonné le", 14, lambda loan: loan.restructured_on),
)


def write_arrears_xlsx(late: list[LateLoan], as_of: date, out: Path) -> Path:
    """Write the list; every text cell that a spreadsheet could run as a formula is kept as text."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Prêts en retard"
    total = sum(loan.outstanding_xof for loan in late)
    sheet.append([f"Prêts en retard au {as_of:%d/%m/%Y}"])
    amount = f"{total:,.0f}".replace(",", "\u202f")  # French thousands: a narrow no-break space
    sheet.append([f"{len(late)} prêt(s), encours {amount} FCFA"])
    sheet.append([])
    sheet.append([header for header, _, _ in COLUMNS])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for loan in late:
        sheet.append([value(loan) for _, _, value in COLUMNS])
    for cells in sheet.iter_rows():
        for cell in cells:
            safe_xlsx_cell(cell)
            if isinstance(cell.value, float):
                cell.number_format = "#,##0"
            elif isinstance(cell.value, date):
                cell.number_format = "DD/MM/YYYY"
    for index, (_, width, _) in enumerate(COLUMNS):
        sheet.column_dimensions[sheet.cell(row=4, column=index + 1).column_letter].width = width
    sheet.freeze_panes = "A5"
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return out
