"""`malux report note|evaluation`: the files a program officer opens, and what the command tells them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from program_builder import campaign_without_week_2, two_trained_in_may

from tasks.report.chromium import find_chromium

pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture
def trained(settled_program):
    return two_trained_in_may(settled_program)


@pytest.fixture
def campaign(settled_program):
    return campaign_without_week_2(settled_program)


def _path_after(label: str, output: str) -> Path:
    match = re.search(rf"^{label}: (\S+)$", output, re.MULTILINE)
    assert match, f"no line `{label}: <path>` in:\n{output}"
    return Path(match.group(1))


def _pdf_line_is_honest(output: str) -> None:
    """A PDF is named only when Chromium printed it, and then it is there."""
    if find_chromium() is None:
        assert "PDF: not printed (no Chromium found)" in output
    else:
        assert _path_after("PDF", output).stat().st_size > 0


def test_a_first_note_is_version_1_and_its_page_is_where_the_command_says(malux, trained, data_dir):
    result = malux("report", "note", "--period", "201903B", "--lang", "en")
    assert result.exit_code == 0, result.output
    page = _path_after("Monitoring note 201903B version 1", result.output)
    assert page == data_dir.resolve() / "reports" / page.name and page.name == "note-201903B-v1-en.html"
    assert "Producers trained" in page.read_text(encoding="utf-8")
    assert "First version." in result.output
    _pdf_line_is_honest(result.output)


def test_issuing_the_note_again_without_new_values_says_it_is_already_issued(malux, trained):
    malux("report", "note", "--period", "201903B")
    again = malux("report", "note", "--period", "201903B")
    assert again.exit_code == 0, again.output
    assert "Monitoring note 201903B version 1:" in again.output
    assert "Already issued as version 1: the stored values and the commentary have not changed since." in (
        again.output
    )


def test_after_new_data_and_a_recompute_the_note_is_version_2_listing_what_changed(malux, trained):
    malux("report", "note", "--period", "201903B")
    trained.beneficiary("P3", gender="M")
    trained.attended("S1", "P3")
    assert malux("indicators", "compute", "--period", "201903B").exit_code == 0
    result = malux("report", "note", "--period", "201903B")
    assert result.exit_code == 0, result.output
    assert "Monitoring note 201903B version 2:" in result.output
    assert re.search(r"^  trained_producers 201903B \{\}: 2(\.0)? -> 3(\.0)?$", result.output, re.MULTILINE)


def test_a_note_in_an_unknown_language_is_refused_and_nothing_is_written(malux, trained, data_dir):
    result = malux("report", "note", "--period", "201903B", "--lang", "bm")
    assert result.exit_code == 1
    assert "unknown language 'bm': fr or en" in result.stderr
    assert not (data_dir / "reports").exists()


def test_the_evaluation_report_is_written_where_the_command_says_with_the_campaign_weeks(malux, campaign):
    result = malux("report", "evaluation", "--campaign", "2019-2020", "--lang", "en")
    assert result.exit_code == 0, result.output
    page = _path_after("Evaluation report 2019-2020", result.output)
    summary = page.read_text(encoding="utf-8").split('id="summary"')[1].split("</section>")[0]
    assert "2 / 3" in summary  # weeks 1 and 3 went out, week 2 did not
    _pdf_line_is_honest(result.output)


def test_an_unknown_campaign_is_refused_naming_the_known_ones(malux, campaign):
    result = malux("report", "evaluation", "--campaign", "2030-2031")
    assert result.exit_code == 1
    assert "2030-2031" in result.stderr and "2019-2020" in result.stderr


def test_without_a_period_the_note_is_that_of_the_latest_closed_period_of_the_calendar(malux, trained):
    from datetime import date

    from tasks.indicators.periods import parse_period
    from tasks.report.calendar import reporting_periods

    closed = [p for p in reporting_periods(trained.config_dir) if parse_period(p).end < date.today()]
    result = malux("report", "note")
    assert result.exit_code == 0, result.output
    page = _path_after(f"Monitoring note {closed[-1]} version 1", result.output)
    assert page.name == f"note-{closed[-1]}-v1-fr.html"


def test_a_comments_file_adds_the_commentary_as_a_new_version(malux, trained, tmp_path):
    malux("report", "note", "--period", "201903B")
    comments = tmp_path / "commentaires.md"
    comments.write_text("Les sessions de **mai** sont terminées.\n", encoding="utf-8")
    result = malux("report", "note", "--period", "201903B", "--comments", str(comments))
    assert result.exit_code == 0, result.output
    assert "The commentary changed since version 1." in result.output
    page = _path_after("Monitoring note 201903B version 2", result.output).read_text(encoding="utf-8")
    assert "<strong>mai</strong>" in page.split('id="comments"')[1]


def test_a_missing_comments_file_is_refused_in_one_line(malux, trained, tmp_path):
    result = malux("report", "note", "--period", "201903B", "--comments", str(tmp_path / "absent.md"))
    assert result.exit_code == 1
    assert f"no comments file at {tmp_path / 'absent.md'}" in result.stderr
