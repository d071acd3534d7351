"""The loan follow-up partial: aging and PAR30/PAR90 by MFI, as the note and the evaluation report show it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from program_builder import make_program

from tasks.report.labels import number, percent
from tasks.report.loans_section import loans_section

TEMPLATES = Path(__file__).resolve().parents[2] / "tasks" / "report" / "templates"
D = date(2019, 6, 30)


def _render(section: dict) -> str:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"])
    )
    return environment.get_template("_loans.html.j2").render(loans=section)


def test_the_partial_shows_each_bucket_and_each_mfi_s_par_in_the_reader_s_language(tmp_path: Path) -> None:
    program = make_program(tmp_path)
    program.loan("L1", principal=1_000_000, maturity="2019-03-01", mfi="<b>kafo</b>")  # 121 days late
    program.loan("L2", principal=3_000_000, maturity="2019-09-30", mfi="<b>kafo</b>")
    program.loan("L3", principal=2_000_000, maturity="2019-05-20")  # 41 days late
    for lang in ("fr", "en"):
        html = _render(loans_section(program.engine, D, lang))
        assert f'<td>91-180</td><td class="num">1</td><td class="num">{number(1_000_000, lang)}</td>' in html
        assert f'<th class="num">{number(1_000_000 + 3_000_000 + 2_000_000, lang)}</th>' in html  # total
        kafo = f'<td class="num">{percent(1_000_000 / 4_000_000, lang)}</td>'
        assert "<td>&lt;b&gt;kafo&lt;/b&gt;</td>" in html and kafo in html  # names are escaped
        soro = f'<td class="num">{number(2_000_000, lang)}</td><td class="num">{percent(1.0, lang)}</td>'
        assert soro in html
    assert "Ancienneté des impayés" in _render(loans_section(program.engine, D, "fr"))


def test_without_any_outstanding_loan_the_partial_says_so(tmp_path: Path) -> None:
    program = make_program(tmp_path)
    program.loan("L1", principal=1_000_000, maturity="2019-09-30", disbursed="2019-07-01")
    html = _render(loans_section(program.engine, D, "en"))
    assert "No outstanding loan portfolio on that day." in html and "<table>" not in html
