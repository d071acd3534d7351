"""A partner file in the making (headers, rows, expected defects) and writers that give stable bytes."""

from __future__ import annotations

import csv
import io
import random
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook

_FIXED = datetime(2020, 6, 30, 12, 0, 0)  # every workbook's created/modified stamp, so bytes never vary
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


@dataclass
class PartnerFile:
    """One file as a partner would send it, with the count of values standardising should flag."""

    partner: str
    dataset: str
    name: str
    headers: list[str]
    rows: list[list[Any]]
    expected_issues: int = 0
    title_rows: list[str] = field(default_factory=list)
    sheet: str | None = None
    total_row: list[Any] | None = None
    encoding: str = "utf-8"
    delimiter: str = ";"


def phone_as_typed(rng: random.Random, digits: str) -> str:
    """An 8-digit Mali mobile number in one of the forms partners really type."""
    pairs = " ".join(digits[i : i + 2] for i in range(0, 8, 2))
    forms = [
        pairs,
        digits,
        f"00223{digits}",
        "+223-" + pairs.replace(" ", "-"),
        f"+223 {pairs}",
        f"223 {digits}",
    ]
    return rng.choices(forms, weights=[5, 4, 2, 2, 2, 1])[0]


def amount_fr(value: float, rng: random.Random | None = None) -> str:
    """An amount the French way: "1 250 000", with a no-break space now and then."""
    text = f"{int(round(value)):,}".replace(",", " ")
    return text.replace(" ", "\u00a0") if rng is not None and rng.random() < 0.2 else text


def decimal_fr(value: float) -> str:
    """A decimal with a comma, as French spreadsheets print it: 412,5."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def dmy(day: date) -> str:
    """A date as dd/mm/yyyy, the way partners type it."""
    return day.strftime("%d/%m/%Y")


def _frozen_zip(data: bytes) -> bytes:
    """Rewrite an XLSX archive with fixed entry times: openpyxl stamps each entry with the clock."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_FIXED.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps `modified` with the clock on save
                content = _MODIFIED.sub(_FIXED.strftime(r"\g<1>%Y-%m-%dT%H:%M:%SZ\g<2>").encode(), content)
            target.writestr(entry, content)
    return out.getvalue()


def xlsx_bytes(file: PartnerFile) -> bytes:
    """The file as a workbook: title rows, an empty line, the header, the rows, the TOTAL line."""
    book = Workbook()
    book.properties.creator = file.partner.upper()
    book.properties.created = book.properties.modified = _FIXED
    sheet = book.active
    sheet.title = file.sheet or file.dataset
    for title in file.title_rows:
        sheet.append([title])
    if file.title_rows:
        sheet.append([])
    sheet.append(file.headers)
    for row in file.rows:
        sheet.append(row)
    if file.total_row is not None:
        sheet.append(file.total_row)
    buffer = io.BytesIO()
    book.save(buffer)
    return _frozen_zip(buffer.getvalue())


def csv_bytes(file: PartnerFile) -> bytes:
    """The file as delimited text in the partner's encoding (utf-8-sig gives the BOM)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=file.delimiter, lineterminator="\r\n")
    writer.writerow(file.headers)
    writer.writerows(["" if v is None else v for v in row] for row in file.rows)
    return buffer.getvalue().encode(file.encoding)


def write(file: PartnerFile, out_dir: Path) -> Path:
    """Write the file in the landing convention out_dir/landing/<partner>/<dataset>/<name>."""
    path = out_dir / "landing" / file.partner / file.dataset / file.name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(xlsx_bytes(file) if file.name.endswith(".xlsx") else csv_bytes(file))
    return path
