"""AMASSA's exports as its MFI reports come: CSV in cp1252 with semicolons, French amounts and dates."""

from __future__ import annotations

import random

from tasks.generate.defects import duplicate, set_cells
from tasks.generate.files import PartnerFile, amount_fr, decimal_fr, dmy, phone_as_typed
from tasks.generate.program import Program

KIND = {"mse": "MPE", "seed_company": "Entreprise semencière", "mfi": "IMF"}
CROP = {"sesame": "Sésame", "rice": "Riz", "fonio": "Fonio"}


def beneficiaries(program: Program, rng: random.Random) -> PartnerFile:
    """The enterprises, seed companies and MFIs AMASSA works with."""
    headers = [
        "Identifiant",
        "Raison sociale",
        "Type",
        "Cercle",
        "Commune",
        "Téléphone",
        "Consentement SMS",
        "Date d'enregistrement",
    ]
    rows = [
        [
            b["beneficiary_id"],
            b["name"],
            KIND[b["category"]],
            b["cercle"],
            b["commune"],
            phone_as_typed(rng, b["phone"]),
            "oui" if b["sms_consent"] else "non",
            dmy(b["registered_on"]),
        ]
        for b in program.beneficiaries
        if b["category"] in KIND
    ]
    # no defect here: one would already be 3 % of a 33-line file
    return PartnerFile(
        "amassa", "beneficiaries", "amassa_partenaires_2019.csv", headers, rows, encoding="cp1252"
    )


# AMASSA's MFI report layout (config/partners/amassa/loans.yaml maps it).
LOAN_HEADERS = [
    "N° Prêt",
    "Code emprunteur",
    "IMF",
    "Spéculation",
    "Montant décaissé (FCFA)",
    "Taux mensuel",
    "Date décaissement",
    "Date échéance",
    "Volume (kg)",
]


# The MFIs' status columns, after the ones the ingest benchmark also writes (bench/amassa_loans.py).
STATUS_HEADERS = ["Statut", "Date passage en perte", "Date rééchelonnement"]


def _status(loan: dict) -> list[str]:
    """What the MFI report says of a loan's state; the status text itself is for people (not read)."""
    written_off, restructured = loan.get("written_off_on"), loan.get("restructured_on")
    status = "Passé en perte" if written_off else "Rééchelonné" if restructured else "Normal"
    return [status, dmy(written_off) if written_off else "", dmy(restructured) if restructured else ""]


def loans(program: Program, rng: random.Random) -> PartnerFile:
    """Loans disbursed by the MFIs to farmer organisations and enterprises."""
    mfi_names = {b["beneficiary_id"]: b["name"] for b in program.beneficiaries if b["category"] == "mfi"}
    headers = LOAN_HEADERS + STATUS_HEADERS
    rows = [
        [
            loan["loan_id"],
            loan["borrower_id"],
            mfi_names[loan["mfi_id"]],
            CROP[loan["crop"]],
            amount_fr(loan["principal_xof"], rng),
            decimal_fr(loan["monthly_rate"]),
            dmy(loan["disbursed_on"]),
            dmy(loan["maturity_on"]),
            amount_fr(loan["volume_kg"]) if loan["volume_kg"] else "",
            *_status(loan),
        ]
        for loan in program.loans
    ]
    set_cells(rows, 3, ["Maïs"], salt=1)
    set_cells(rows, 4, ["1 25O 000", "-750 000"], salt=4)  # a letter O typed for a zero; a negative amount
    set_cells(rows, 6, ["31/02/2019"], salt=6)
    early = set_cells(rows, 7, ["01/01/2018"], salt=9)  # maturity before disbursement
    duplicate(rows, source=early[0] + 3, at=early[0] + 10)
    return PartnerFile(
        "amassa",
        "loans",
        "amassa_prets_imf_2018_2020.csv",
        headers,
        rows,
        expected_issues=3,
        encoding="cp1252",
    )


def loan_schedule(program: Program, rng: random.Random) -> PartnerFile:
    """The amortisation schedules of the loans repaid in instalments, one line per instalment."""
    headers = ["N° Prêt", "N° échéance", "Date échéance", "Capital dû (FCFA)", "Intérêts dus (FCFA)"]
    rows = [
        [
            s["loan_id"],
            s["seq"],
            dmy(s["due_on"]),
            amount_fr(s["principal_due_xof"], rng),
            amount_fr(s["interest_due_xof"]),
        ]
        for s in program.schedules
    ]
    return PartnerFile(
        "amassa", "loan_schedule", "amassa_echeanciers_2018_2020.csv", headers, rows, encoding="cp1252"
    )


def repayments(program: Program, rng: random.Random) -> PartnerFile:
    """Repayments recorded by the MFIs, one line per payment."""
    headers = ["N° Prêt", "Date paiement", "N° versement", "Capital remboursé (FCFA)", "Intérêts (FCFA)"]
    rows = [
        [
            r["loan_id"],
            dmy(r["paid_on"]),
            r["seq"],
            amount_fr(r["principal_xof"], rng),
            amount_fr(r["interest_xof"]),
        ]
        for r in program.repayments
    ]
    set_cells(rows, 1, ["30/02/2020"], salt=5)
    set_cells(rows, 3, ["n.c."], salt=8)
    duplicate(rows, source=len(rows) // 2, at=len(rows) // 2 + 5)
    return PartnerFile(
        "amassa",
        "repayments",
        "amassa_remboursements_2018_2020.csv",
        headers,
        rows,
        expected_issues=2,
        encoding="cp1252",
    )
