"""The note and the evaluation report as LuxDev receives them: printed by headless Chromium on A4, no
figure cut in two, no heading left alone at a page's foot, and no warehouse code in the French text."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from program_builder import REPO_CONFIG, make_program
from pypdf import PdfReader
from sqlalchemy import insert

from tasks.report.chromium import ChromiumError, print_pdf
from tasks.report.evaluation import write_evaluation
from tasks.report.issue import issue_note
from tasks.validate.references import check_references
from warehouse.schema import quarantine

A4_POINTS = (595.28, 841.89)  # 210 × 297 mm
CODES = ("producer_org", "seed_company", "sesame", "rice", "expect_")  # stored codes a reader must not see


@dataclass(frozen=True)
class Printed:
    """One printed document: its HTML, and each PDF page's size (points), text (ligatures unfolded) and
    number of images."""

    html: str
    sizes: list[tuple[float, float]]
    pages: list[str]
    images: list[int]


def _printed(html: Path, pdf: Path | None) -> Printed:
    assert pdf is not None and pdf.exists(), "Chromium is there, so the PDF must have been printed"
    reader = PdfReader(pdf)
    return Printed(
        html.read_text(encoding="utf-8"),
        [(float(page.mediabox.width), float(page.mediabox.height)) for page in reader.pages],
        [unicodedata.normalize("NFKC", page.extract_text()) for page in reader.pages],
        [len(page.images) for page in reader.pages],
    )


def _quarantine_rows(program, batch: int) -> list[str]:
    """Quarantine the loan rows a partner really gets wrong: every check of the loans suite with its
    reason, and the two reference checks' reasons as the validation writes them; returns the reasons."""
    suite = json.loads((REPO_CONFIG.parent / "expectations" / "loans.json").read_text(encoding="utf-8"))
    rows = [
        (10 + n, e["kwargs"].get("column", ""), e["type"], e["meta"]["reason"])
        for n, e in enumerate(suite["expectations"])
    ]
    # two rows each, so the note's ten commonest reasons include them
    unknown = pd.DataFrame({"source_row": [4, 5], "borrower_id": ["OP9", "OP8"], "mfi_id": ["MFI9", "MFI8"]})
    rows += [
        (i.source_row, i.column, i.check, i.reason)
        for i in check_references(program.engine, "loans", unknown, REPO_CONFIG)
    ]
    with program.engine.begin() as conn:
        for source_row, column, check, reason in rows:
            conn.execute(
                insert(quarantine).values(
                    batch_id=batch,
                    source_row=source_row,
                    column_name=column,
                    value="?",
                    check_name=check,
                    reason=reason,
                )
            )
    return [reason for *_, reason in rows]


@pytest.fixture(scope="module")
def printed(tmp_path_factory, chromium):
    """A small program (producers of both genders, one organisation, one seed company, one MSE, sesame and
    rice loans, three campaign weeks on two operators, a loans file with every kind of quarantine reason),
    its May–June 2019 note issued twice in French (a seed company registered in between, so the second
    version lists changes) and the campaign's evaluation report, both printed."""
    tmp_path = tmp_path_factory.mktemp("print")
    program = make_program(tmp_path)
    for n in range(6):
        program.beneficiary(f"P{n}", gender="FM"[n % 2], cercle=("San", "Tominian")[n % 2])
        program.attended("S1", f"P{n}")
    program.beneficiary("OP1", "producer_org")
    program.beneficiary("E1", "mse")
    program.session("S1", held_on="2019-05-10")
    loans_file = program.batch(
        "amassa", "loans", rows_in=20, rows_quarantined=12
    )  # 2 loaded rows feed values
    program.loan("L1", principal=1_250_000, maturity="2019-05-30", batch=loans_file).repaid(
        400_000, on="2019-05-30"
    )
    program.loan(
        "L2", principal=2_000_000, maturity="2019-06-20", mfi="kafo_jiginew", crop="rice", batch=loans_file
    )
    for producer, operator in (("P0", "orange"), ("P1", "malitel")):
        program.message(1, producer, "delivered", final_at="2019-11-04 09:00", operator=operator)
        program.message(3, producer, "undelivered", final_at="2019-11-18 09:00", operator=operator)
    reasons = _quarantine_rows(program, loans_file)
    for period in ("201902B", "201903B"):
        program.compute(period)
    issue_note(program.engine, "201903B", tmp_path / "notes", "fr", program.config_dir, pdf=False)
    program.beneficiary("SC1", "seed_company", registered_on="2019-05-20")
    for period in ("201903B", "201906B"):
        program.compute(period)
    note = issue_note(program.engine, "201903B", tmp_path / "notes", "fr", program.config_dir)
    assert note.version == 2 and note.changes
    report, report_pdf = write_evaluation(
        program.engine, "2019-2020", tmp_path / "eval", "fr", program.config_dir
    )
    return {
        "note": _printed(note.html, note.pdf),
        "evaluation": _printed(report, report_pdf),
        "reasons": reasons,
    }


DOCUMENTS = ("note", "evaluation")


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_page_is_a4(printed, document):
    sizes = printed[document].sizes
    assert len(sizes) >= 2  # enough content to need page breaks, else the layout checks below prove little
    for width, height in sizes:
        assert width == pytest.approx(A4_POINTS[0], abs=1) and height == pytest.approx(A4_POINTS[1], abs=1)


class _Headings(HTMLParser):
    """The text of every h1–h3 and the number of figures of a page, read from its HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[str] = []
        self.figures = 0
        self._open: list[str] | None = None

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in ("h1", "h2", "h3"):
            self._open = []
        if tag == "figure":
            self.figures += 1

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("h1", "h2", "h3") and self._open is not None:
            self.headings.append(" ".join("".join(self._open).split()))
            self._open = None


def _parsed(html: str) -> _Headings:
    parser = _Headings()
    parser.feed(html)
    return parser


def _lines(page: str) -> list[str]:
    return [" ".join(line.split()) for line in page.splitlines() if line.strip()]


@pytest.mark.parametrize("document", DOCUMENTS)
def test_each_figure_is_printed_whole_with_its_caption(printed, document):
    """A figure cut by a page break leaves its picture on one page and its caption on the next (or the
    picture on both): on every page the pictures and the `Figure n` captions must pair up."""
    doc = printed[document]
    figures = _parsed(doc.html).figures
    assert figures >= 2
    seen: list[int] = []
    for text, images in zip(doc.pages, doc.images, strict=True):
        captions = [int(n) for n in re.findall(r"Figure (\d+) –", text)]
        assert len(captions) == images, f"{images} picture(s) but captions {captions} on one page"
        seen += captions
    assert seen == list(range(1, figures + 1))  # each figure once, in order


@pytest.mark.parametrize("document", DOCUMENTS)
def test_no_page_ends_on_a_heading(printed, document):
    """`break-after: avoid`: a heading is always followed, on its page, by the start of what it heads."""
    doc = printed[document]
    headings = set(_parsed(doc.html).headings)
    assert len(headings) >= 4
    for number, text in enumerate(doc.pages[:-1], start=1):
        lines = _lines(text)
        assert lines, f"page {number} is empty"
        assert lines[-1] not in headings, f"page {number} ends on the heading {lines[-1]!r}"
        assert not set(lines) <= headings, f"page {number} holds only headings"


@pytest.mark.parametrize("document", DOCUMENTS)
def test_the_french_pdf_shows_no_stored_code(printed, document):
    text = " ".join(" ".join(_lines(page)) for page in printed[document].pages)
    for code in CODES:
        assert not re.search(rf"\b{code}", text), f"{code!r} printed in the French {document}"


def test_the_french_note_shows_no_english_reason_and_names_the_codes_in_french(printed):
    text = " ".join(" ".join(_lines(page)) for page in printed["note"].pages)
    shown = text.split("Principaux motifs de quarantaine", 1)[1]
    for reason in printed["reasons"]:
        assert " ".join(reason.split()) not in shown, f"English reason printed: {reason!r}"
    # the codes the rows hold reached the page, in words: the category breakdown, the changes, the crops
    for words in ("Organisation de producteurs", "Entreprise semencière", "Sésame", "Riz"):
        assert words in text
    assert "Catégorie : Entreprise semencière" in text  # the change the second version reports
    # the reference checks' reasons, their category codes in words too
    assert "Organisation de producteurs, Micro ou petite entreprise" in shown


def test_the_french_evaluation_names_the_operators(printed):
    text = " ".join(" ".join(_lines(page)) for page in printed["evaluation"].pages)
    assert "Orange" in text and "Malitel" in text
    assert not re.search(r"\b(orange|malitel)\b", text)


def test_a_page_chromium_cannot_open_is_an_error_not_a_printed_error_page(chromium, tmp_path):
    with pytest.raises(ChromiumError, match="could not open"):
        print_pdf(tmp_path / "missing.html", tmp_path / "missing.pdf")
    assert not (tmp_path / "missing.pdf").exists()
