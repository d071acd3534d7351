"""AMASSA's loan report with the MFIs' status columns, and their amortisation schedules, through the flow."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from flows.ingest_file import ingest_file
from warehouse.db import engine_for
from warehouse.schema import DATASET_TABLES, loans, quarantine

pytestmark = pytest.mark.usefixtures("prefect_harness")
# ruff: noqa: E501  (partner files are written out as they arrive: long lines)

BENEFICIARIES = """beneficiary_id,category,name,org_id,cercle,commune,village,phone,language,gender,sms_consent,registered_on
OP01,producer_org,Union Jekafo,,San,San,San,+223 76 00 00 01,fr,M,true,2018-09-01
MFI01,mfi,Soro Yiriwaso,,Segou,Segou,Segou,,fr,M,false,2018-01-01
"""

# AMASSA's layout, with the status columns an MFI report carries and one column nobody maps
PRETS = """N° Prêt;Code emprunteur;IMF;Spéculation;Montant décaissé (FCFA);Taux mensuel;Date décaissement;Date échéance;Statut;Date passage en perte;Date rééchelonnement;Agent de crédit
L1;OP01;Soro Yiriwaso;Sésame;1 000 000;0,0125;01/11/2018;30/03/2019;Passé en perte;15/03/2019;;Diarra
L2;OP01;Soro Yiriwaso;Riz;2 000 000;0,0125;01/11/2018;30/09/2019;Rééchelonné;;20/04/2019;Diarra
L3;OP01;Soro Yiriwaso;Fonio;500 000;0,0125;01/12/2018;01/04/2019;En cours;;;Traoré
"""

ECHEANCES = """N° Prêt;N° échéance;Date échéance;Capital dû (FCFA);Intérêts dus (FCFA)
L3;1;01/02/2019;250 000;12 500
L3;2;01/04/2019;250 000;6 250
L9;1;01/04/2019;100 000;0
"""


def _write(folder: Path, name: str, text: str, encoding: str = "cp1252") -> Path:
    """AMASSA's exports are cp1252, as the mapping says; the registry below is a canonical UTF-8 file."""
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def test_the_status_dates_are_loaded_and_the_columns_no_mapping_places_are_named(
    warehouse_url: str, tmp_path: Path
) -> None:
    ingest_file(_write(tmp_path, "people.csv", BENEFICIARIES, "utf-8"), "beneficiaries")
    summary = ingest_file(_write(tmp_path, "prets.csv", PRETS), "loans", "amassa")
    assert (summary.rows_in, summary.rows_loaded, summary.rows_quarantined) == (3, 3, 0)
    assert summary.ignored_columns == ("Statut", "Agent de crédit")
    assert "2 columns ignored: 'Statut', 'Agent de crédit'" in summary.describe()
    with engine_for(warehouse_url).connect() as conn:
        stored = {
            r.loan_id: (r.written_off_on, r.restructured_on)
            for r in conn.execute(select(loans.c.loan_id, loans.c.written_off_on, loans.c.restructured_on))
        }
    assert stored == {
        "L1": (date(2019, 3, 15), None),
        "L2": (None, date(2019, 4, 20)),
        "L3": (None, None),
    }


def test_a_schedule_loads_its_instalments_and_holds_back_one_of_an_unknown_loan(
    warehouse_url: str, tmp_path: Path
) -> None:
    ingest_file(_write(tmp_path, "people.csv", BENEFICIARIES, "utf-8"), "beneficiaries")
    ingest_file(_write(tmp_path, "prets.csv", PRETS), "loans", "amassa")
    summary = ingest_file(_write(tmp_path, "echeances.csv", ECHEANCES), "loan_schedule", "amassa")
    assert (summary.rows_in, summary.rows_loaded, summary.rows_quarantined) == (3, 2, 1)
    assert summary.ignored_columns == ()
    schedule = DATASET_TABLES["loan_schedule"]
    with engine_for(warehouse_url).connect() as conn:
        rows = conn.execute(
            select(
                schedule.c.loan_id, schedule.c.seq, schedule.c.due_on, schedule.c.principal_due_xof
            ).order_by(schedule.c.seq)
        ).all()
        held = conn.execute(
            select(quarantine.c.column_name, quarantine.c.value).where(
                quarantine.c.batch_id == summary.batch_id
            )
        ).all()
    assert [tuple(r) for r in rows] == [
        ("L3", 1, date(2019, 2, 1), 250_000),
        ("L3", 2, date(2019, 4, 1), 250_000),
    ]
    assert ("loan_id", "L9") in {tuple(h) for h in held}


def test_partners_check_maps_the_status_dates_and_lists_what_it_will_ignore(tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from malux.cli.main import app

    path = _write(tmp_path, "prets.csv", PRETS)
    result = CliRunner().invoke(
        app, ["partners", "check", str(path), "--dataset", "loans", "--partner", "amassa", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    layout = json.loads(result.output)
    assert layout["mapped"]["written_off_on"] == "Date passage en perte"
    assert layout["mapped"]["restructured_on"] == "Date rééchelonnement"
    assert layout["ignored"] == ["Statut", "Agent de crédit"]
