"""The campaign's evaluation report: over every bi-month the campaign touches, from the stored values."""

import pytest

from tasks.report.evaluation import write_evaluation


@pytest.fixture
def campaign(program):
    """The 3-week test campaign (4–25 Nov 2019): two subscribers, week 2 not broadcast."""
    for producer in ("P1", "P2"):
        program.beneficiary(producer)
    program.message(1, "P1", "delivered", final_at="2019-11-04 09:00")
    program.message(1, "P2", "delivered", final_at="2019-11-04 09:00", operator="malitel")
    program.message(3, "P1", "undelivered", final_at="2019-11-18 09:00")
    program.compute("201906B")
    return program


def test_the_report_sums_the_campaign_weeks_and_their_reach(campaign, tmp_path):
    html, _ = write_evaluation(campaign.engine, "2019-2020", tmp_path, "en", campaign.config_dir)
    page = html.read_text()
    summary = page.split('id="summary"')[1].split("</section>")[0]
    assert "2 / 3" in summary  # weeks 1 and 3 went out, week 2 did not
    assert "33.3%" in summary  # reach 2/2, 0/2, 0/2 summed: 2 / 6
    assert html.name == "evaluation-2019-2020-en.html" and "data:image/png;base64," in page


def test_the_report_names_the_bimonths_not_yet_computed(program, tmp_path):
    html, _ = write_evaluation(program.engine, "2019-2020", tmp_path, "fr", program.config_dir)
    assert "201906B" in html.read_text().split('id="missing"')[1].split("</p>")[0]


def test_an_unknown_campaign_is_refused_with_the_known_ones(program, tmp_path):
    with pytest.raises(ValueError, match="2019-2020"):
        write_evaluation(program.engine, "2030-2031", tmp_path, "fr", program.config_dir)
