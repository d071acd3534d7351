"""The campaign's evaluation report: over every bi-month the campaign touches, from the stored values."""

import pytest
from program_builder import campaign_without_week_2

from tasks.report.evaluation import write_evaluation


@pytest.fixture
def campaign(program):
    return campaign_without_week_2(program)


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


def test_the_report_takes_the_weeks_broadcast_to_date_of_the_last_bimonth_not_a_sum(program, tmp_path):
    (program.config_dir / "campaigns.yaml").write_text(  # week 1 ends 30 Dec 2019, week 2 on 6 Jan 2020
        'send_time: "08:00"\ncampaigns:\n  "2019-2020": {start: 2019-12-23, weeks: 2}\n', encoding="utf-8"
    )
    program.message(1, "P1", "delivered", final_at="2019-12-23 09:00")
    program.message(2, "P1", "delivered", final_at="2019-12-30 09:00")
    for period in ("201906B", "202001B"):  # stored to date: 1, then 2
        program.compute(period)
    html, _ = write_evaluation(program.engine, "2019-2020", tmp_path, "en", program.config_dir)
    assert "2 / 2" in html.read_text().split('id="summary"')[1].split("</section>")[0]
