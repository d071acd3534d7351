"""The bimonthly note: rendered from the stored values, self-contained, in French or English."""

import ast
import re
from pathlib import Path

import pytest
from sqlalchemy import insert

from tasks.indicators.periods import parse_period
from tasks.report.labels import EMPTY_NOTES_FR
from tasks.report.note import render_note, write_note
from tasks.report.snapshot import take_snapshot
from warehouse.schema import quarantine


@pytest.fixture
def noted(program, tmp_path):
    """A program in May–June 2019: 4 producers trained, the PAR30 example's two loans, one quarantined row."""
    for producer in ("P1", "P2", "P3", "P4"):
        program.beneficiary(producer)
    program.session("S1", held_on="2019-03-10")
    program.session("S2", held_on="2019-05-10")
    for producer in ("P1", "P2", "P3", "P4"):
        program.attended("S2", producer)
    batch = program.batch("amassa", "loans", rows_in=3, rows_loaded=2, rows_quarantined=1)
    program.loan("L1", principal=1_000_000, maturity="2019-05-30", batch=batch).repaid(
        400_000, on="2019-05-30"
    )
    program.loan(
        "L2", principal=2_000_000, maturity="2019-06-20", mfi="kafo_jiginew", crop="rice", batch=batch
    )
    with program.engine.begin() as conn:
        conn.execute(
            insert(quarantine).values(
                batch_id=batch,
                source_row=3,
                column_name="disbursed_on",
                value="31/02/2019",
                check_name="date_valid",
                reason="31/02/2019 is not a date",
            )
        )
    for period in ("201902B", "201903B"):
        program.compute(period)
    return program


def test_the_french_note_shows_the_headline_numbers_as_stored(noted, tmp_path):
    html = write_note(noted.engine, "201903B", tmp_path / "notes", config_dir=noted.config_dir).read_text()
    assert "Producteurs formés" in html and "mai–juin 2019" in html
    assert "23,1\u00a0%" in html  # PAR30 = 600 000 / 2 600 000
    assert "2\u202f600\u202f000 FCFA" in html  # gross loan portfolio
    assert "0,2\u00a0%" in html  # 4 producers trained of 2000


def test_the_english_note_uses_english_names_and_number_formats(noted, tmp_path):
    path = write_note(noted.engine, "201903B", tmp_path / "notes", lang="en", config_dir=noted.config_dir)
    html = path.read_text()
    assert path.name == "note-201903B-en.html"
    assert "Producers trained" in html and "23.1%" in html and "2,600,000 XOF" in html


def test_the_note_is_self_contained_with_embedded_charts(noted, tmp_path):
    html = write_note(noted.engine, "201903B", tmp_path, config_dir=noted.config_dir).read_text()
    assert html.count("data:image/png;base64,") >= 2
    assert not re.search(r"(src|href)=\"https?:", html)


def test_the_note_reports_files_and_quarantine_reasons(noted, tmp_path):
    html = write_note(noted.engine, "201903B", tmp_path, config_dir=noted.config_dir).read_text()
    assert "amassa" in html and "date_valid" in html and "31/02/2019 is not a date" in html


def test_a_period_with_nothing_stored_still_renders(program, tmp_path):
    html = write_note(program.engine, "201901B", tmp_path, config_dir=program.config_dir).read_text()
    assert "Aucune donnée pour cette période." in html


def test_an_unknown_language_is_refused(program, tmp_path):
    with pytest.raises(ValueError, match="not 'de'"):
        write_note(program.engine, "201901B", tmp_path, lang="de")


def test_why_a_value_is_empty_is_said_in_the_note_s_language(noted, tmp_path):
    # no SMS in the period: the delivery rate is empty, with its reason
    french = write_note(noted.engine, "201903B", tmp_path / "fr", config_dir=noted.config_dir).read_text()
    english = write_note(
        noted.engine, "201903B", tmp_path / "en", lang="en", config_dir=noted.config_dir
    ).read_text()
    assert "aucun SMS accepté par la passerelle sur la période" in french
    assert "no SMS accepted by the gateway in the period" not in french
    assert "no SMS accepted by the gateway in the period" in english


def test_every_reason_for_an_empty_value_has_its_french_words():
    """Each `empty_note` the indicator code can store (found in its source) is translated for the note."""
    notes = set()
    for source in (Path(__file__).resolve().parents[2] / "tasks" / "indicators").glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.keyword) and node.arg == "empty_note":
                notes.add(ast.literal_eval(node.value))
            if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", None) == "empty_note":
                notes.add(ast.literal_eval(node.value))
    assert len(notes) >= 6
    assert notes <= set(EMPTY_NOTES_FR)


def test_the_french_note_says_next_to_each_figure_what_kind_of_number_it_is(noted, tmp_path):
    html = write_note(noted.engine, "201903B", tmp_path, config_dir=noted.config_dir).read_text()
    row = re.search(r'<tr data-indicator="Encours brut \(FCFA\)">.*?</tr>', html, re.DOTALL).group(0)
    assert "au 30/06" in row  # a stock on the last day of May–June
    assert "à date" in html and "sur la période" in html


def test_the_english_note_says_to_date_in_the_period_and_at_the_last_day(noted, tmp_path):
    html = write_note(noted.engine, "201903B", tmp_path, lang="en", config_dir=noted.config_dir).read_text()
    producers = re.search(r'<tr data-indicator="Producers trained">.*?</tr>', html, re.DOTALL).group(0)
    assert "to date" in producers
    assert "in the period" in html and "at 30/06" in html


def test_a_note_issued_before_values_had_a_kind_takes_it_from_the_catalogue(noted):
    with noted.engine.connect() as conn:
        snapshot = take_snapshot(conn, parse_period("201903B"))
    for row in snapshot["values"]:
        del row["aggregation"]  # as the snapshot of a note issued before migration 0009
    html = render_note(snapshot, "en", noted.config_dir)
    par30 = re.search(r'<tr data-indicator="Portfolio at risk 30 days \(PAR30\)">.*?</tr>', html, re.DOTALL)
    assert "at 30/06" in par30.group(0)
