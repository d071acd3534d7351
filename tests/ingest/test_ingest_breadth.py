"""Bad inputs, corrected re-submissions, the landing scan and the quarantine commands, through real flows."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from typer.testing import CliRunner

from flows.ingest_file import ingest_file
from flows.landing_scan import landing_scan
from tasks.ingest.models import BatchRejected
from warehouse.db import engine_for
from warehouse.schema import beneficiaries, ingest_batch, loans, quarantine, row_replacement

pytestmark = pytest.mark.usefixtures("prefect_harness")
PEOPLE = (
    "beneficiary_id,category,name,cercle,phone,gender,sms_consent\n"
    "OP01,producer_org,Union Jekafo,San,+223 76 00 00 01,M,true\n"
    "MFI1,mfi,Soro Yiriwaso,Segou,,M,false\n"
    "P001,producer,Awa Coulibaly,San,+226 70 12 34 56,F,true\n"
)
LOAN_HEAD = "loan_id,borrower_id,mfi_id,crop,principal_xof,disbursed_on,maturity_on\n"
FUTURE = (date.today() + timedelta(days=30)).isoformat()


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


def _count(url: str, table, *where) -> int:
    with engine_for(url).connect() as conn:
        return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


@pytest.fixture
def sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / 'warehouse.sqlite'}"


def test_future_dates_and_negative_amounts_are_quarantined_and_non_mali_phones_marked_invalid(
    sqlite_url: str, data_dir: Path, tmp_path: Path
) -> None:
    ingest_file(_write(tmp_path, "people.csv", PEOPLE), "beneficiaries")
    text = LOAN_HEAD + (
        "L1,OP01,MFI1,sesame,1000000,2018-11-01,2019-05-30\n"
        f"L2,OP01,MFI1,sesame,1000000,{FUTURE},{FUTURE}\n"
        "L3,OP01,MFI1,rice,-500000,2018-11-01,2019-05-30\n"
        "L4,OP01,MFI1,rice,500000,2018-11-01,2019-05-30\n"
    )
    summary = ingest_file(_write(tmp_path, "loans.csv", text), "loans")
    assert (summary.rows_in, summary.rows_loaded, summary.rows_quarantined) == (4, 2, 2)
    with engine_for(sqlite_url).connect() as conn:
        held = set(conn.execute(select(quarantine.c.source_row, quarantine.c.column_name)).all())
        p001 = (
            conn.execute(select(beneficiaries).where(beneficiaries.c.beneficiary_id == "P001"))
            .mappings()
            .one()
        )
    assert (3, "disbursed_on") in held and (4, "principal_xof") in held
    assert (p001["phone_raw"], p001["phone"], p001["phone_valid"]) == ("+226 70 12 34 56", None, False)
    folder = data_dir / "work" / f"batch-{summary.batch_id}"
    report = (folder / "validation.html").read_text(encoding="utf-8")
    assert "disbursed_on cannot be in the future" in report and "failed" in report
    # Great Expectations' own Data Docs page of the same validation, linked from the report
    link = re.search(r'<a href="([^"]+data-docs/validations/loans/[^"]+\.html)"', report)
    assert link, report
    page = (folder / link.group(1)).resolve()
    assert page.is_relative_to((data_dir / "data-docs" / "validations" / "loans").resolve())
    docs = page.read_text(encoding="utf-8")
    assert "expect_column_values_to_be_between" in docs or "values must be" in docs.lower()
    assert "disbursed_on" in docs and f"batch-{summary.batch_id}" in docs and "loans.csv" in docs
    assert (data_dir / "data-docs" / "expectations" / "loans.html").is_file()  # the suite page it links


def test_ten_thousand_identical_rows_are_all_duplicates_and_are_counted(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest_file(_write(tmp_path, "people.csv", PEOPLE), "beneficiaries")
    same = LOAN_HEAD + "L1,OP01,MFI1,sesame,1000000,2018-11-01,2019-05-30\n" * 10_000
    path = _write(tmp_path, "loans.csv", same)
    with pytest.raises(BatchRejected, match="10000 of 10000 rows fail validation"):
        ingest_file(path, "loans")
    monkeypatch.setenv("MALUX_MAX_QUARANTINE_SHARE", "1")
    summary = ingest_file(path, "loans")  # the same rejected file, retried under a looser rule
    assert (summary.rows_in, summary.rows_loaded, summary.rows_quarantined) == (10_000, 0, 10_000)
    assert _count(sqlite_url, loans) == 0
    assert _count(sqlite_url, quarantine, quarantine.c.batch_id == summary.batch_id) == 10_000


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("zero.csv", b"", "zero.csv: empty file"),
        ("garbage.csv", bytes(range(256)) * 20, "garbage.csv: not a text file"),
        ("header.csv", LOAN_HEAD.encode(), "header.csv: header only"),
    ],
)
def test_files_that_cannot_be_trusted_are_rejected_whole_and_kept_raw(
    sqlite_url: str, data_dir: Path, tmp_path: Path, name: str, content: bytes, words: str
) -> None:
    (tmp_path / name).write_bytes(content)
    with pytest.raises(BatchRejected, match=words):
        ingest_file(tmp_path / name, "loans")
    assert _count(sqlite_url, loans) == 0 and not (data_dir / "lake" / "loans").exists()
    assert len(list((data_dir / "raw").rglob(name))) == 1


def test_a_corrected_resubmission_replaces_rows_by_key_and_keeps_what_replaced_what(
    warehouse_url: str, tmp_path: Path
) -> None:
    ingest_file(_write(tmp_path, "people.csv", PEOPLE), "beneficiaries")
    first = ingest_file(
        _write(tmp_path, "v1.csv", LOAN_HEAD + "L1,OP01,MFI1,sesame,100,2018-11-01,2019-05-30\n"
               "L2,OP01,MFI1,rice,200,2018-11-01,2019-05-30\n"), "loans")  # fmt: skip
    second = ingest_file(
        _write(tmp_path, "v2.csv", LOAN_HEAD + "L2,OP01,MFI1,rice,250,2018-11-01,2019-05-30\n"), "loans"
    )
    with engine_for(warehouse_url).connect() as conn:
        amounts = dict(conn.execute(select(loans.c.loan_id, loans.c.principal_xof)).all())
        history = conn.execute(
            select(row_replacement.c.dataset, row_replacement.c.row_key, row_replacement.c.old_batch_id,
                   row_replacement.c.new_batch_id)
        ).all()  # fmt: skip
    assert amounts == {"L1": 100, "L2": 250}
    assert [(d, json.loads(k), o, n) for d, k, o, n in history] == [
        ("loans", {"loan_id": "L2"}, first.batch_id, second.batch_id)
    ]


def test_the_landing_scan_ingests_in_dependency_order_survives_a_rejection_and_skips_known_files(
    sqlite_url: str, tmp_path: Path
) -> None:
    landing = tmp_path / "landing"
    loans_file = _write(landing / "coop" / "loans", "prets.csv", "")
    loans_file.write_text(LOAN_HEAD + "L1,OP01,MFI1,sesame,100,2018-11-01,2019-05-30\n", encoding="utf-8")
    _write(landing / "coop" / "beneficiaries", "people.csv", PEOPLE)  # needed first, though sorted after
    _write(landing / "coop" / "repayments", "broken.csv", "nothing,useful\n1,2\n")
    _write(landing / "coop" / "notes", "readme.csv", "a\n1\n")  # not a dataset folder: left alone
    before = {p: p.read_bytes() for p in landing.rglob("*") if p.is_file()}
    summaries = landing_scan(str(landing))
    assert [(s.dataset, s.status) for s in summaries] == [
        ("beneficiaries", "loaded"),
        ("loans", "loaded"),
        ("repayments", "rejected"),
    ]
    assert "broken.csv" in (summaries[2].error or "") and summaries[1].rows_loaded == 1
    assert [(s.dataset, s.status) for s in landing_scan(str(landing))] == [("repayments", "rejected")]
    assert {p: p.read_bytes() for p in landing.rglob("*") if p.is_file()} == before
    assert _count(sqlite_url, ingest_batch) == 3


def test_quarantine_show_and_the_french_rejection_report_name_row_column_value_and_fix(
    sqlite_url: str, data_dir: Path, tmp_path: Path
) -> None:
    from malux.cli.main import app

    ingest_file(_write(tmp_path, "people.csv", PEOPLE), "beneficiaries")
    summary = ingest_file(
        _write(tmp_path, "loans.csv", LOAN_HEAD + "L1,OP01,MFI1,sesame,100,2018-11-01,2019-05-30\n"
               "L2,OP01,MFI1,maize,200,2018-11-01,2019-05-30\n"), "loans")  # fmt: skip
    runner = CliRunner()
    shown = runner.invoke(app, ["quarantine", "show", str(summary.batch_id)], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    assert "maize" in shown.output and "crop must be" in shown.output and "validation.html" in shown.output
    out = tmp_path / "rejet.xlsx"
    made = runner.invoke(app, ["quarantine", "report", str(summary.batch_id), "--out", str(out)])
    assert made.exit_code == 0, made.output
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    header = rows.index(("ligne", "colonne", "valeur", "ce qui est attendu"))
    assert rows[header + 1][:3] == (3, "crop", "maize")
    assert "l'une des valeurs" in rows[header + 1][3] and "sesame" in rows[header + 1][3]
    missing = runner.invoke(app, ["quarantine", "show", "999"])
    assert missing.exit_code == 1 and "no batch 999" in missing.output


def test_batches_json_lists_exactly_the_fields_of_the_issue(sqlite_url: str, tmp_path: Path) -> None:
    from malux.cli.main import app

    ingest_file(_write(tmp_path, "people.csv", PEOPLE), "beneficiaries")
    result = CliRunner().invoke(app, ["batches", "--format", "json"])
    (batch,) = json.loads(result.output)
    fields = "batch_id partner dataset file sha256 rows_in rows_loaded rows_quarantined status"
    assert set(batch) == set(fields.split())
    assert (batch["file"], batch["rows_in"], batch["status"]) == ("people.csv", 3, "loaded")


def test_partners_check_exits_1_naming_a_missing_required_column(tmp_path: Path) -> None:
    from malux.cli.main import app

    path = tmp_path / "prets.csv"
    path.write_bytes("N° Prêt;IMF;Commentaire\nL1;Soro Yiriwaso;ok\n".encode("cp1252"))  # as AMASSA sends
    result = CliRunner().invoke(
        app, ["partners", "check", str(path), "--dataset", "loans", "--partner", "amassa", "--format", "json"]
    )
    assert result.exit_code == 1
    layout = json.loads(result.output)
    assert layout["mapped"] == {"loan_id": "N° Prêt", "mfi_id": "IMF"}
    assert "borrower_id" in layout["missing"] and layout["ignored"] == ["Commentaire"]


def test_a_beneficiary_without_a_category_is_quarantined_not_a_crashed_batch(
    sqlite_url: str, tmp_path: Path
) -> None:
    # GX's in-set check skips empty values: without a not-null check the row hit the warehouse's NOT NULL
    text = PEOPLE + "P002,,Fatoumata Diarra,San,+223 76 00 00 02,F,true\n"
    summary = ingest_file(_write(tmp_path, "people.csv", text), "beneficiaries")
    assert (summary.rows_in, summary.rows_loaded, summary.rows_quarantined) == (4, 3, 1)
    assert _count(sqlite_url, beneficiaries, beneficiaries.c.beneficiary_id == "P002") == 0
    assert _count(sqlite_url, quarantine, quarantine.c.column_name == "category") == 1
