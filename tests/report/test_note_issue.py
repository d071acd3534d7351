"""An issued note is a versioned snapshot: later data never changes it; a recompute makes version N+1."""

import json

import pytest
from program_builder import two_trained_in_may
from sqlalchemy import func, select

from tasks.report.issue import issue_note, latest_issue
from warehouse.schema import note_issue


@pytest.fixture
def trained(program):
    return two_trained_in_may(program)


def _issue(program, tmp_path, lang="fr"):
    return issue_note(program.engine, "201903B", tmp_path / "notes", lang, program.config_dir, pdf=False)


def _issues(program) -> int:
    with program.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(note_issue)).scalar()


def test_the_first_issue_is_version_1_with_its_own_files(trained, tmp_path):
    issued = _issue(trained, tmp_path)
    assert (issued.version, issued.new_version, issued.changes) == (1, True, [])
    assert issued.html.name == "note-201903B-v1-fr.html"
    assert "Version 1" in issued.html.read_text() and _issues(trained) == 1


def test_issuing_again_without_new_values_keeps_the_same_version(trained, tmp_path):
    first = _issue(trained, tmp_path)
    again = _issue(trained, tmp_path)
    assert (again.version, again.new_version, again.html) == (1, False, first.html)
    assert _issues(trained) == 1


def test_data_arriving_later_does_not_change_an_issued_note_until_recomputed(trained, tmp_path):
    first = _issue(trained, tmp_path)
    before = first.html.read_text()
    trained.beneficiary("P3")
    trained.attended("S1", "P3")  # new attendance rows, indicators not recomputed yet
    assert _issue(trained, tmp_path).version == 1
    assert first.html.read_text() == before


def test_recomputing_and_issuing_makes_version_2_listing_what_changed(trained, tmp_path):
    first = _issue(trained, tmp_path)
    trained.beneficiary("P3", gender="M")
    trained.attended("S1", "P3")
    trained.compute("201903B")
    second = _issue(trained, tmp_path)
    assert (second.version, second.new_version) == (2, True)
    changed = {(c["indicator"], json.dumps(c["disaggregation"])): c for c in second.changes}
    total = changed[("trained_producers", "{}")]
    assert (total["previous"]["value"], total["current"]["value"]) == (2, 3)
    assert {"gender": "M"} in [c["disaggregation"] for c in second.changes if c["previous"] is None]
    page = second.html.read_text()
    assert second.html.name == "note-201903B-v2-fr.html"
    assert "Changements depuis la version précédente" in page
    assert "Producteurs formés" in page.split('id="changes"')[1].split("</section>")[0]
    assert "Version 1" in first.html.read_text()  # version 1's file is left as issued


def test_a_second_language_of_an_unchanged_note_renders_the_same_snapshot(trained, tmp_path):
    _issue(trained, tmp_path, "fr")
    trained.beneficiary("P3")
    trained.attended("S1", "P3")  # not recomputed: the stored values are still version 1's
    english = _issue(trained, tmp_path, "en")
    assert (english.version, english.html.name) == (1, "note-201903B-v1-en.html")
    with trained.engine.connect() as conn:
        snapshots = conn.execute(select(note_issue.c.lang, note_issue.c.snapshot)).all()
    assert len(snapshots) == 2 and json.loads(snapshots[0][1]) == json.loads(snapshots[1][1])
    assert latest_issue(trained.engine, "201903B", "en").version == 1
