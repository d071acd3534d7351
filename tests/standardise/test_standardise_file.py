"""A partner file becomes canonical rows: every row kept, unreadable values reported, bad files refused."""

import shutil
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from malux.settings import get_settings
from tasks.standardise import InputError, RowIssue, standardise_file
from warehouse.schema import DATASET_TABLES

LOANS_MAPPING = """
file: {encoding: cp1252, delimiter: ";", header_row_contains: "N° Prêt"}
columns:
  loan_id: "N° Prêt"
  borrower_id: "Code OP"
  mfi_id: "IMF"
  crop: "Spéculation"
  principal_xof: {column: "Montant décaissé (FCFA)", type: amount}
  disbursed_on: {column: "Date décaissement", type: date, format: "%d/%m/%Y"}
  maturity_on: {column: "Échéance", type: date}
values:
  crop: {"Sésame": sesame, "Riz": rice, "Fonio": fonio}
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """A config dir with the shipped reference files and a made-up partner mapping."""
    real = get_settings().config_dir
    root = tmp_path / "config"
    shutil.copytree(real / "reference", root / "reference")
    shutil.copy(real / "program.yaml", root / "program.yaml")
    (root / "partners" / "amassa").mkdir(parents=True)
    (root / "partners" / "amassa" / "loans.yaml").write_text(LOANS_MAPPING, encoding="utf-8")
    return root


def _csv(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "file.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_canonical_headers_need_no_mapping_and_phones_stay_text(tmp_path, config):
    path = _csv(
        tmp_path,
        "beneficiary_id,category,phone,cercle,sms_consent\nB1,producer,+22376123456,Ségou,yes\n"
        "B2,producer,,Tomian,\n",
    )
    result = standardise_file(path, "beneficiaries", config_dir=config)
    assert list(result.frame.columns) == [
        c.name for c in DATASET_TABLES["beneficiaries"].columns if c.name != "batch_id"
    ]
    rows = result.table.to_pydict()  # as staged: a missing value is null, whatever pandas shows for it
    assert rows["phone_raw"] == ["+22376123456", None]
    assert rows["phone_valid"] == [True, False]
    assert rows["sms_consent"] == [True, False]
    assert rows["cercle_pcode"] == ["ML0406", None]
    assert rows["cercle"] == ["Segou", "Tomian"]
    assert rows["source_row"] == [2, 3]
    why = "expected the name of a cercle of Mali, such as San, Tominian or Segou"
    assert result.issues == [RowIssue(3, "cercle", "Tomian", "parse_cercle", why)]


def test_a_cp1252_partner_layout_maps_headers_values_and_types(tmp_path, config):
    text = (
        "N° PRÊT ; Code OP;IMF;speculation;Montant décaissé (FCFA);Date décaissement;Échéance\n"
        "L1;OP1;MFI01;SESAME;1 250 000;05/10/2018;2019-03-05\n"
        "L2;OP2;MFI01;Maïs;abc;31/02/2019;43466\n"
    )
    result = standardise_file(_csv(tmp_path, text, "cp1252"), "loans", "amassa", config)
    frame = result.frame
    assert frame["crop"].tolist() == ["sesame", "Maïs"]
    assert frame["principal_xof"].iloc[0] == 1_250_000 and pd.isna(frame["principal_xof"].iloc[1])
    assert frame["disbursed_on"].tolist()[0] == pd.Timestamp("2018-10-05") and pd.isna(
        frame["disbursed_on"][1]
    )
    assert frame["maturity_on"].tolist() == [pd.Timestamp("2019-03-05"), pd.Timestamp("2019-01-01")]
    assert str(frame["disbursed_on"].dtype).startswith("datetime64")
    assert frame["principal_xof"].dtype == "float64"
    assert [(i.source_row, i.column, i.value, i.check) for i in result.issues] == [
        (3, "crop", "Maïs", "parse_value"),
        (3, "principal_xof", "abc", "parse_amount"),
        (3, "disbursed_on", "31/02/2019", "parse_date"),
    ]
    assert result.rows_in == len(frame) == 2


def test_bom_and_delimiter_are_detected(tmp_path, config):
    text = (
        "observed_on\tmarket\tcommodity\tprice_type\tprice_xof_per_kg\n"
        "2019-11-04\tSan\tsesame\tfarmgate\t412,5\n"
    )
    result = standardise_file(_csv(tmp_path, text, "utf-8-sig"), "market_prices", config_dir=config)
    assert result.frame["observed_on"].tolist() == [pd.Timestamp("2019-11-04")]
    assert result.frame["price_xof_per_kg"].tolist() == [412.5]


def test_a_spreadsheet_with_title_rows_and_a_total_line_keeps_spreadsheet_row_numbers(tmp_path, config):
    book = Workbook()
    sheet = book.active
    sheet.title = "Prêts"
    sheet.append(["AMASSA – rapport IMF"])
    sheet.append([])
    sheet.append(
        [
            "N° Prêt",
            "Code OP",
            "IMF",
            "Spéculation",
            "Montant décaissé (FCFA)",
            "Date décaissement",
            "Échéance",
        ]
    )
    sheet.append(["L1", "OP1", "MFI01", "Riz", 1_000_000, datetime(2018, 10, 5), date(2019, 3, 5)])
    sheet.append([1002, "OP1", "MFI01", "Fonio", "2 000 000", "06/10/2018", "06/03/2019"])
    sheet.append([])
    sheet.append(["TOTAL", None, None, None, 3_000_000])
    path = tmp_path / "loans.xlsx"
    book.save(path)
    result = standardise_file(path, "loans", "amassa", config)
    assert result.sheet == "Prêts" and result.rows_in == 2
    assert result.frame["source_row"].tolist() == [4, 5]
    assert result.frame["loan_id"].tolist() == ["L1", "1002"]
    assert result.frame["principal_xof"].tolist() == [1_000_000, 2_000_000]
    assert result.frame["disbursed_on"].tolist() == [pd.Timestamp("2018-10-05"), pd.Timestamp("2018-10-06")]
    assert result.issues == []


def test_a_missing_required_column_names_the_file_the_column_and_the_headers_found(tmp_path, config):
    path = _csv(tmp_path, "N° Prêt;IMF\nL1;MFI01\n", "cp1252", name="prets.csv")
    with pytest.raises(InputError) as caught:
        standardise_file(path, "loans", "amassa", config)
    message = str(caught.value)
    assert "prets.csv" in message and "borrower_id" in message and "'IMF'" in message


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "empty"),
        (b"loan_id,borrower_id,mfi_id,crop,principal_xof,disbursed_on,maturity_on\n", "header only"),
        (bytes(range(256)) * 20, "not a text file"),
        (bytes(range(1, 32)) * 40, "not a text file \\(control characters\\)"),
        # neither UTF-8 (a lone \xe9) nor cp1252 (\x81 is undefined there)
        (b"loan_id;crop\nL1;S\xe9same\x81\n", "cannot be decoded as UTF-8 or cp1252"),
    ],
)
def test_files_that_cannot_be_trusted_are_refused(tmp_path, config, content: bytes, words: str):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(InputError, match=words):
        standardise_file(path, "loans", config_dir=config)


def test_a_broken_spreadsheet_is_refused(tmp_path, config):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(InputError, match="bad.xlsx"):
        standardise_file(path, "loans", config_dir=config)
