"""The officer's commentary: Markdown rendered as the note's Comments section, raw HTML shown as text, and a
changed commentary issued as a new version that says so."""

from __future__ import annotations

import pytest
from program_builder import two_trained_in_may

from tasks.report.issue import issue_note

COMMENTS = """Les formations de **mai** ont eu lieu à *San*.

- une session reportée
- <script>alert("x")</script> <b onclick="y">gras ?</b>
"""


@pytest.fixture
def trained(program):
    return two_trained_in_may(program)


def _issue(program, tmp_path, comments=None, lang="fr"):
    return issue_note(
        program.engine, "201903B", tmp_path / "notes", lang, program.config_dir, pdf=False, comments=comments
    )


def _section(page: str, name: str) -> str:
    return page.split(f'id="{name}"')[1].split("</section>")[0]


def test_the_commentary_is_rendered_from_markdown_with_raw_html_escaped(trained, tmp_path):
    page = _issue(trained, tmp_path, COMMENTS).html.read_text()
    comments = _section(page, "comments")
    assert "<h2>Commentaires</h2>" in comments
    assert "<strong>mai</strong>" in comments and "<em>San</em>" in comments
    assert "<li>une session reportée</li>" in comments
    assert "<script" not in page and "<b onclick" not in comments
    assert "&lt;script&gt;" in comments and "&lt;b onclick=" in comments


def test_a_note_without_commentary_has_no_comments_section(trained, tmp_path):
    assert 'id="comments"' not in _issue(trained, tmp_path).html.read_text()


def test_the_english_note_heads_the_commentary_comments(trained, tmp_path):
    page = _issue(trained, tmp_path, COMMENTS, lang="en").html.read_text()
    assert "<h2>Comments</h2>" in _section(page, "comments")


def test_adding_commentary_to_an_issued_note_makes_a_new_version_that_says_so(trained, tmp_path):
    first = _issue(trained, tmp_path)
    second = _issue(trained, tmp_path, COMMENTS)
    assert (first.version, second.version, second.new_version) == (1, 2, True)
    assert [c["kind"] for c in second.changes] == ["comments"]
    assert (second.changes[0]["previous"], second.changes[0]["current"]) == (None, COMMENTS)
    changes = _section(second.html.read_text(), "changes")
    assert "Commentaires ajoutés" in changes and "Producteurs formés" not in changes


def test_the_same_commentary_again_keeps_the_version_and_another_one_makes_the_next(trained, tmp_path):
    _issue(trained, tmp_path, COMMENTS)
    assert _issue(trained, tmp_path, COMMENTS).version == 1
    edited = _issue(trained, tmp_path, COMMENTS + "\nAjout du 3 juillet.\n")
    assert (edited.version, [c["kind"] for c in edited.changes]) == (2, ["comments"])
    assert "Commentaires modifiés" in _section(edited.html.read_text(), "changes")


def test_new_values_without_a_comments_file_keep_the_commentary_and_list_the_values(trained, tmp_path):
    _issue(trained, tmp_path, COMMENTS)
    trained.beneficiary("P3", gender="M")
    trained.attended("S1", "P3")
    trained.compute("201903B")
    second = _issue(trained, tmp_path)  # no --comments: the officer's text carries over
    assert second.version == 2 and {c["kind"] for c in second.changes} == {"value"}
    page = second.html.read_text()
    assert "<strong>mai</strong>" in _section(page, "comments")
    changed = {(c["indicator"], str(c["disaggregation"])): c for c in second.changes}
    total = changed[("trained_producers", "{}")]
    assert (total["previous"]["value"], total["current"]["value"]) == (2, 3)
    assert "Producteurs formés" in _section(page, "changes")
