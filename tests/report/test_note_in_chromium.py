"""The note as a person sees it in a real headless Chromium: a real page, its numbers, no broken image."""

import base64
import io
import re

import pytest
from PIL import Image
from program_builder import make_program

from tasks.report.chromium import dump_dom, screenshot
from tasks.report.issue import issue_note


@pytest.fixture(scope="module")
def issued(tmp_path_factory, chromium):
    """The May–June 2019 note with 4 producers trained and the PAR30 example's loans, issued with its PDF."""
    tmp_path = tmp_path_factory.mktemp("chromium-note")
    program = make_program(tmp_path)
    for producer in ("P1", "P2", "P3", "P4"):
        program.beneficiary(producer)
        program.attended("S1", producer)
    program.session("S1", held_on="2019-05-10")
    program.loan("L1", principal=1_000_000, maturity="2019-05-30").repaid(400_000, on="2019-05-30")
    program.loan("L2", principal=2_000_000, maturity="2019-06-20", mfi="kafo_jiginew", crop="rice")
    for period in ("201902B", "201903B"):
        program.compute(period)
    return issue_note(program.engine, "201903B", tmp_path / "notes", "fr", program.config_dir)


def test_the_screenshot_is_a_real_picture_of_the_page(issued, tmp_path):
    png = screenshot(issued.html, tmp_path / "note.png", width=1200, height=2400)
    image = Image.open(png).convert("RGB")
    assert image.size == (1200, 2400)
    colours = image.getcolors(maxcolors=1_000_000)
    assert len(colours) > 100  # text, tables and charts, not a blank or error page
    white = next((count for count, rgb in colours if rgb == (255, 255, 255)), 0)
    assert white < 0.97 * 1200 * 2400


def test_the_headline_numbers_are_in_the_rendered_page(issued):
    dom = dump_dom(issued.html).replace("&nbsp;", "\u00a0")  # Chromium serialises U+00A0 as an entity
    headline = dom.split('id="headline"')[1].split("</section>")[0]
    assert "Producteurs formés" in headline
    assert "23,1\u00a0%" in headline  # PAR30 = 600 000 / 2 600 000
    assert "2\u202f600\u202f000 FCFA" in headline  # gross loan portfolio
    assert "0,2\u00a0%" in headline  # 4 producers of the 2000 targeted


def test_no_image_in_the_page_is_broken(issued):
    dom = dump_dom(issued.html)
    sources = re.findall(r"<img[^>]*\ssrc=\"([^\"]*)\"", dom)
    assert len(sources) >= 2  # the trends and the portfolio (no campaign week yet in May–June 2019)
    for source in sources:
        assert source.startswith("data:image/png;base64,")
        Image.open(io.BytesIO(base64.b64decode(source.split(",", 1)[1]))).verify()


def test_issuing_prints_the_note_to_pdf(issued):
    assert issued.pdf is not None and issued.pdf.name == "note-201903B-v1-fr.pdf"
    assert issued.pdf.read_bytes().startswith(b"%PDF") and issued.pdf.stat().st_size > 20_000
