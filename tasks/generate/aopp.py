"""AOPP's registers as it keeps them: XLSX with French headers, title rows and a TOTAL line."""

from __future__ import annotations

import random
from datetime import date

from tasks.generate.defects import duplicate, set_cells, spoil_phones
from tasks.generate.files import PartnerFile, dmy, phone_as_typed
from tasks.generate.program import Program

CATEGORY = {"producer": "Producteur", "producer_org": "Organisation paysanne", "trainer": "Formateur"}
MODULE = {
    "sesame_market": "Marché international du sésame",
    "health_standards": "Normes sanitaires",
    "nkalo_info": "Service d'information N'kalô",
    "sesame_quality": "Qualité du sésame",
}
AUDIENCE = {"trainer": "Formateurs", "producer": "Producteurs"}
TITLE = "Programme MLI/021 – Appui à la filière sésame – AOPP"


def _cercle(rng: random.Random, name: str) -> str:
    return name.upper() if rng.random() < 0.1 else name


def beneficiaries(program: Program, rng: random.Random) -> PartnerFile:
    """Producers, their organisations and the trainers, one line each."""
    headers = [
        "Code",
        "Nom et prénom",
        "Catégorie",
        "Code OP",
        "Cercle",
        "Commune",
        "Village",
        "Sexe",
        "Téléphone",
        "Langue",
        "Consentement SMS",
        "Date d'inscription",
    ]
    rows = []
    for i, b in enumerate(p for p in program.beneficiaries if p["category"] in CATEGORY):
        registered: date | str = dmy(b["registered_on"]) if i % 3 == 0 else b["registered_on"]
        rows.append(
            [
                b["beneficiary_id"],
                b["name"],
                CATEGORY[b["category"]],
                b["org_id"],
                _cercle(rng, b["cercle"]),
                b["commune"],
                b["village"],
                {"F": "Femme", "M": "Homme"}.get(b["gender"]),
                phone_as_typed(rng, b["phone"]),
                {"fr": "Français", "bm": "Bambara"}[b["language"]],
                "Oui" if b["sms_consent"] else "Non",
                registered,
            ]
        )
    spoil_phones(rng, rows, 8)
    set_cells(rows, 4, ["Tomian", "Segu"], salt=7)  # cercles typed beyond recognition
    set_cells(rows, 11, ["31/02/2018"], salt=11)
    duplicate(rows, source=len(rows) // 3, at=len(rows) // 3 + 40)
    return PartnerFile(
        "aopp",
        "beneficiaries",
        "aopp_registre_beneficiaires_2019.xlsx",
        headers,
        rows,
        expected_issues=3,
        title_rows=[TITLE, "Registre des bénéficiaires – situation au 31/12/2019"],
        sheet="Bénéficiaires",
        total_row=["TOTAL", f"{len(rows)} bénéficiaires"],
    )


def training_sessions(program: Program, rng: random.Random) -> PartnerFile:
    """Every session held, with its module, audience, date and trainer."""
    headers = ["Code session", "Module", "Public", "Date", "Cercle", "Lieu", "Formateur", "Organisateur"]
    rows = [
        [
            s["session_id"],
            MODULE[s["module"]],
            AUDIENCE[s["audience"]],
            s["held_on"],
            s["cercle"],
            s["location"],
            s["trainer_id"],
            s["organiser"],
        ]
        for s in program.sessions
    ]
    set_cells(rows, 3, ["31/02/2019"], salt=3)
    set_cells(rows, 4, ["Tomian"], salt=5)
    return PartnerFile(
        "aopp",
        "training_sessions",
        "aopp_sessions_formation_2018_2019.xlsx",
        headers,
        rows,
        expected_issues=2,
        title_rows=[TITLE, "Sessions de formation"],
        sheet="Sessions",
        total_row=["Total", len(rows)],
    )


def training_attendance(program: Program, rng: random.Random) -> PartnerFile:
    """Who attended which session, with pre- and post-test scores out of 20 when taken."""
    headers = ["Code session", "Code participant", "Note pré-test (/20)", "Note post-test (/20)"]
    rows = [
        [a["session_id"], a["beneficiary_id"], a["pre_score"], a["post_score"]] for a in program.attendance
    ]
    set_cells(rows, 1, ["PR99901", "PR99902", "PR99903"], salt=13)  # participants nobody registered
    set_cells(rows, 3, ["abs"], salt=17)
    duplicate(rows, source=len(rows) // 2, at=len(rows) // 2 + 1)
    duplicate(rows, source=len(rows) // 4, at=len(rows) // 4 + 60)
    return PartnerFile(
        "aopp",
        "training_attendance",
        "aopp_presences_formation_2018_2019.xlsx",
        headers,
        rows,
        expected_issues=1,
        title_rows=[TITLE, "Listes de présence"],
        sheet="Présences",
    )
