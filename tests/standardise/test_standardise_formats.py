"""Every layout partners send (JSON, multi-sheet XLSX, WFP/HDX, Kannel DLR exports) onto canonical rows."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from malux.settings import get_settings
from tasks.standardise import InputError, standardise_file
from tasks.standardise.file import inspect_file
from tasks.standardise.reader import read_grid

CONFIG = get_settings().config_dir


def _xlsx_with_cached_formulas(book: Workbook, path: Path, values: dict[str, str]) -> Path:
    """Save, then give formula cells the value Excel would have cached (openpyxl writes none)."""
    book.save(path)
    with zipfile.ZipFile(path) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    xml = parts["xl/worksheets/sheet2.xml"].decode()
    for ref, value in values.items():
        xml = re.sub(rf'(<c r="{ref}"[^>]*>)<f>([^<]*)</f><v\s*/>', rf"\1<f>\2</f><v>{value}</v>", xml)
    parts["xl/worksheets/sheet2.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def test_json_lists_and_wrapped_lists_give_the_same_rows_numbered_by_record(tmp_path: Path) -> None:
    common = {"borrower_id": "OP1", "mfi_id": "MFI01"}
    records = [
        {"loan_id": "L1", **common, "crop": "sesame", "principal_xof": 1250000, "disbursed_on": "2018-11-01"},
        {
            "loan_id": "L2",
            **common,
            "crop": "rice",
            "principal_xof": "1 000 000",
            "disbursed_on": "01/12/2018",
        },
    ]
    records[0]["maturity_on"], records[1]["maturity_on"] = "2019-05-30", "2019-06-30"
    records[1]["volume_kg"] = 800
    plain, wrapped = tmp_path / "a.json", tmp_path / "b.json"
    plain.write_text(json.dumps(records), encoding="utf-8")
    wrapped.write_text(json.dumps({"count": 2, "results": records}), encoding="utf-8")
    a, b = standardise_file(plain, "loans"), standardise_file(wrapped, "loans")
    pd.testing.assert_frame_equal(a.frame, b.frame)
    assert a.frame["source_row"].tolist() == [1, 2]
    assert a.frame["principal_xof"].tolist() == [1_250_000, 1_000_000]
    assert a.frame["volume_kg"].isna().tolist() == [True, False]


def test_a_json_object_without_a_list_of_records_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"message": "rate limited"}', encoding="utf-8")
    with pytest.raises(InputError, match="x.json: a JSON object needs a list of records"):
        standardise_file(path, "loans")


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(
    st.lists(
        st.dictionaries(
            st.sampled_from(["a", "b", "é c"]), st.text(min_size=1, max_size=8).filter(str.strip), min_size=1
        ),
        min_size=1,
        max_size=8,
    )
)
def test_a_json_file_reads_back_every_value_under_its_key(tmp_path: Path, records: list[dict]) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    grid = read_grid(path)
    header = grid.rows[0][1]
    for number, cells in grid.rows[1:]:
        assert {k: v for k, v in zip(header, cells, strict=True) if v is not None} == records[number - 1]
    assert len(grid.rows) == len(records) + 1


def test_the_sheet_with_the_header_is_found_merged_cells_filled_and_formulas_read(tmp_path: Path) -> None:
    book = Workbook()
    book.active.title = "Notes"
    book.active.append(["Rapport des prix, à lire"])
    sheet = book.create_sheet("Prix")
    sheet.append(["N'kalô – prix hebdomadaires"])
    sheet.append(["observed_on", "market", "cercle", "commodity", "price_type", "price_xof_per_kg"])
    sheet.append(["2019-11-04", "San", "San", "sesame", "farmgate", 400])
    sheet.append(["2019-11-04", "Tominian", None, "sesame", "farmgate", "=F3+12.5"])
    sheet.append(["TOTAL", None, None, None, None, "=SUM(F3:F4)"])
    sheet.merge_cells("C3:C4")  # one "San" cell spanning both rows, as partners format by hand
    path = _xlsx_with_cached_formulas(book, tmp_path / "prix.xlsx", {"F4": "412.5", "F5": "812.5"})
    result = standardise_file(path, "market_prices")
    assert result.sheet == "Prix"
    assert result.frame["source_row"].tolist() == [3, 4]
    assert result.frame["cercle"].tolist() == ["San", "San"]
    assert result.frame["price_xof_per_kg"].tolist() == [400, 412.5]


def test_a_wrong_sheet_name_is_refused_naming_the_sheets_found(tmp_path: Path) -> None:
    book = Workbook()
    book.active.title = "Prêts 2019"
    book.save(tmp_path / "p.xlsx")
    config = tmp_path / "config"
    shutil.copytree(CONFIG / "reference", config / "reference")
    (config / "partners" / "x").mkdir(parents=True)
    (config / "partners" / "x" / "loans.yaml").write_text("file: {sheet: Prets}\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"p.xlsx: no sheet 'Prets'; sheets found: \['Prêts 2019'\]"):
        standardise_file(tmp_path / "p.xlsx", "loans", "x", config)


def test_a_duplicated_header_of_a_mapped_column_is_refused_naming_both_columns(tmp_path: Path) -> None:
    path = tmp_path / "prices.csv"
    path.write_text(
        "observed_on,market,commodity,price_type,price_xof_per_kg,price_xof_per_kg\n"
        "2019-11-04,San,sesame,farmgate,400,410\n",
        encoding="utf-8",
    )
    with pytest.raises(
        InputError, match=r"prices.csv, header row 1: header 'price_xof_per_kg'.*column 5 and column 6"
    ):
        standardise_file(path, "market_prices")


def test_inspection_reports_mapped_missing_ignored_and_duplicated_headers(tmp_path: Path) -> None:
    path = tmp_path / "prices.csv"
    path.write_text(
        "Date,Marché,Produit,Prix (FCFA/kg),Remarque,Remarque\n2019-11-04,San,Sésame,400,,\n",
        encoding="utf-8",
    )
    layout = inspect_file(path, "market_prices", "nkalo")
    assert layout.mapped["market"] == "Marché" and layout.mapped["price_xof_per_kg"] == "Prix (FCFA/kg)"
    assert set(layout.missing) == {"cercle", "price_type"} and not layout.ok
    assert layout.ignored == ["Remarque", "Remarque"] and layout.duplicated == ["Remarque"]
    assert layout.header_row == 1 and layout.sheet is None


def _wfp_sample(real: Path, tmp_path: Path, lines: int, extra: str = "") -> Path:
    source = real / "wfp_food_prices_burkina-faso_hdx2020format.csv"
    with source.open(encoding="utf-8") as fh:
        head = [next(fh) for _ in range(lines)]
    path = tmp_path / "wfp.csv"
    path.write_text("".join(head) + extra, encoding="utf-8")
    return path


def test_the_wfp_hdx_layout_skips_its_tag_row_and_prices_per_100_kg_become_per_kg(
    tmp_path: Path, real_data: Path
) -> None:
    mali = "2020-05-15,Millet - Wholesale,100 KG,cereals,21000.0,XOF,Mali,Segou,1,San,1,1,14,5,1,x,\n"
    path = _wfp_sample(real_data, tmp_path, 12, mali)
    layout = inspect_file(path, "market_prices", "wfp")
    assert layout.skipped_rows == [2] and layout.ok
    result = standardise_file(path, "market_prices", "wfp")
    frame = result.frame
    assert frame["source_row"].iloc[0] == 3 and len(frame) == 11
    assert frame["commodity"].iloc[0] == "rice_imported" and frame["price_type"].iloc[0] == "retail"
    san = frame[frame["market"] == "San"].iloc[0]
    assert (san["price_xof_per_kg"], san["cercle_pcode"], san["source"]) == (210.0, "ML0405", "wfp")
    # Burkina Faso markets are not cercles of Mali: every such row carries the reason and will be held back.
    foreign = {i.source_row for i in result.issues if i.check == "parse_cercle"}
    assert foreign == set(frame["source_row"]) - {san["source_row"]}


def test_a_wfp_market_name_becomes_its_cercle_through_the_aliases(tmp_path: Path) -> None:
    path = tmp_path / "wfp.csv"
    path.write_text(
        "date,cmname,unit,price,mktname\n#date,#item+name,#item+unit,#value,#name+market\n"
        "2020-05-15,Sorghum - Retail,KG,250,Ségou Centre\n2020-05-15,Sorghum - Retail,SAC,250,Bla\n",
        encoding="utf-8",
    )
    result = standardise_file(path, "market_prices", "wfp")
    assert result.frame["cercle"].tolist() == ["Segou", "Bla"]
    assert result.frame["market"].tolist() == ["Ségou Centre", "Bla"]
    assert [(i.source_row, i.check) for i in result.issues] == [(4, "parse_unit")]


def test_kannel_dlr_values_become_delivery_statuses(tmp_path: Path) -> None:
    path = tmp_path / "dlr.csv"
    rows = [(f"M{n}", "+22376123456", n, f"2019-11-04 08:0{i}:00") for i, n in enumerate((1, 2, 4, 8, 16, 3))]
    path.write_text(
        "id;receiver;dlr;time;smsc-msgid;err\n" + "".join(f"{m};{p};{d};{t};x{m};\n" for m, p, d, t in rows),
        encoding="utf-8",
    )
    result = standardise_file(path, "sms_delivery_reports", "kannel")
    assert result.frame["status"].tolist() == [
        "delivered",
        "undelivered",
        "buffered",
        "accepted",
        "rejected",
        "3",
    ]
    assert result.frame["status_at"].iloc[0] == pd.Timestamp("2019-11-04 08:00:00")
    assert [(i.source_row, i.column) for i in result.issues] == [(7, "status")]


def _as_the_csv_module_reads(text: str) -> list[tuple[int, list[str]]]:
    """The reference: every record with a value, numbered by the line it starts on, as csv.reader sees it."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    rows, previous = [], 0
    for cells in reader:
        if any(cell.strip() for cell in cells):
            rows.append((previous + 1, cells))
        previous = reader.line_num
    return rows


# every fifth code has accents and a cp1252-only dash, so a cp1252 body has cells to decode
_BODY = "".join(f"L{i};{'Ségou – n°' if i % 5 == 0 else 'OP'}{i % 7:03d};{i * 1000}\n" for i in range(1, 251))
CSV_SHAPES = {
    "a title line above the header": "Rapport des prêts – AMASSA\nN° Prêt;Code;Montant\n" + _BODY,
    "blank lines and rows of empty cells": "N;C;M\n" + _BODY[:400] + "\n;  ;\n\n" + _BODY[400:],
    "Windows and old Mac line ends": "N;C;M\r\n"
    + "\r\n".join(_BODY.splitlines()[:100])
    + "\r\n"
    + "\r".join(_BODY.splitlines()[100:])
    + "\r",
    "a quoted value on two lines": 'N;C;M\n1;"Koro\nSud";3\n' + _BODY,
    "quoted values and delimiters inside them": 'N;C;M\n"1";"a;b";" 3"\n' + _BODY,
    "a short row far down": "N;C;M\n" + _BODY + "TOTAL;3\n",
    "empty lines at the end": "N;C;M\n" + _BODY + "\n\n\r\n",
    "a header only": "N;C;M\n",
}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("text", CSV_SHAPES.values(), ids=list(CSV_SHAPES))
def test_a_csv_keeps_every_row_and_the_line_a_person_sees_whatever_its_shape(
    tmp_path: Path, text: str, encoding: str
) -> None:
    path = tmp_path / "prets.csv"
    path.write_text(text, encoding=encoding, newline="")
    grid = read_grid(path, delimiter=";")
    expected = _as_the_csv_module_reads(text)
    assert list(grid.rows) == expected
    assert grid.numbers(1, len(expected)).tolist() == [number for number, _ in expected[1:]]
    for index in range(3):
        cells = grid.column(index, 1, len(expected))
        cells = cells.to_pylist() if isinstance(cells, pa.Array | pa.ChunkedArray) else list(cells)
        assert cells == [c[index] if index < len(c) else None for _, c in expected[1:]]
