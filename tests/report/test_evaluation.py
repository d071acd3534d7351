"""The campaign's evaluation report: every figure over the campaign's whole window, beside the previous one.

The expected numbers come from campaign_scenario.py, which applies the catalogue's definitions to the rows it
wrote in plain Python; they are compared with the JSON and with the page.
"""

import campaign_scenario as scenario
import pytest
from evaluation_page import cell, results, section
from program_builder import campaign_without_week_2, make_program

from tasks.report.evaluation import render_evaluation, write_evaluation
from tasks.report.evaluation_numbers import evaluate_campaign
from tasks.report.labels import value_label

CAMPAIGN, PREVIOUS = "2019-2020", "2018-2019"


@pytest.fixture(scope="module")
def two_campaigns(tmp_path_factory):
    """One warehouse for the module's tests, which only read it."""
    return scenario.build(make_program(tmp_path_factory.mktemp("campaigns")))


@pytest.fixture(scope="module")
def report(two_campaigns):
    """The JSON and the English page of 2019-2020, both from one computation of the figures."""
    engine, config_dir = two_campaigns.engine, two_campaigns.config_dir
    evaluation = evaluate_campaign(engine, CAMPAIGN, config_dir)
    return evaluation.as_json(), render_evaluation(evaluation, "en", config_dir)


@pytest.fixture
def no_pdf(monkeypatch):
    """The page alone: printing it is tests/report/test_note_in_chromium.py's business, and costs seconds."""
    monkeypatch.setattr("tasks.report.evaluation.find_chromium", lambda: None)


def _value(payload: dict, indicator: str, **disaggregation: object) -> dict:
    (found,) = [
        v
        for v in payload["indicators"]
        if v["indicator"] == indicator and v["disaggregation"] == disaggregation
    ]
    return found


def _pct(numerator: int, denominator: int) -> str:
    return f"{100 * numerator / denominator:.1f}%"


def test_the_window_runs_from_the_first_send_to_a_week_after_the_last(report):
    payload, _ = report
    start, end = scenario.window(CAMPAIGN)
    assert (payload["campaign"], payload["start"], payload["end"]) == (CAMPAIGN, str(start), str(end))
    assert payload["previous"]["start"] == str(scenario.window(PREVIOUS)[0])


def test_the_json_sums_the_campaigns_flows_over_every_bimonth_it_spans(report):
    payload, _ = report
    sms, loans = scenario.sms(CAMPAIGN), scenario.loans(CAMPAIGN)
    assert _value(payload, "sms_sent")["value"] == sms["sent"]
    assert _value(payload, "sms_delivered")["value"] == sms["delivered"]
    rate = _value(payload, "sms_delivery_rate")
    assert (rate["numerator"], rate["denominator"]) == (sms["delivered"], sms["sent"])
    assert rate["value"] == pytest.approx(sms["delivered"] / sms["sent"])
    assert _value(payload, "loans_disbursed_count")["value"] == loans["count"]  # December and January
    assert _value(payload, "loans_disbursed_xof")["value"] == loans["xof"]
    assert _value(payload, "training_sessions_held")["value"] == scenario.training(CAMPAIGN)["sessions"]
    assert {v["aggregation"] for v in payload["indicators"] if v["indicator"] == "sms_sent"} == {"period"}


def test_the_reach_is_the_summed_numerators_over_the_summed_denominators_of_its_weeks(report):
    payload, _ = report
    weeks = scenario.reach(CAMPAIGN)
    reached, active = sum(n for n, _ in weeks.values()), sum(d for _, d in weeks.values())
    total = _value(payload, "sms_weekly_reach")
    assert (total["numerator"], total["denominator"]) == (reached, active)
    assert total["value"] == pytest.approx(reached / active)
    for week, (n, d) in weeks.items():
        row = _value(payload, "sms_weekly_reach", campaign=CAMPAIGN, week=week)
        assert (row["numerator"], row["denominator"]) == (n, d)
    for cercle, (n, d) in scenario.reach(CAMPAIGN, by="cercle").items():
        row = _value(payload, "sms_weekly_reach", cercle=cercle)
        assert (row["numerator"], row["denominator"]) == (n, d)


def test_stocks_and_to_date_values_are_taken_at_the_windows_end(report):
    payload, _ = report
    loans, training = scenario.loans(CAMPAIGN), scenario.training(CAMPAIGN)
    portfolio = _value(payload, "gross_loan_portfolio_xof")
    assert (portfolio["value"], portfolio["aggregation"]) == (loans["portfolio"], "at_end")
    for mfi, (late, outstanding) in loans["par30_by_mfi"].items():
        row = _value(payload, "par30", mfi=mfi)
        assert (row["numerator"], row["denominator"]) == (late, outstanding)
    trained = _value(payload, "trained_producers")
    assert (trained["value"], trained["aggregation"]) == (training["trained"], "to_date")
    assert _value(payload, "borrowers_financed")["value"] == loans["borrowers"]
    assert _value(payload, "sms_weeks_broadcast", campaign=CAMPAIGN)["value"] == scenario.weeks_broadcast(
        CAMPAIGN
    )


def test_only_this_campaigns_rows_are_reported(report):
    payload, _ = report
    assert not [v for v in payload["indicators"] if v["disaggregation"].get("campaign", CAMPAIGN) != CAMPAIGN]
    assert set(payload["indicators"][0]) == {
        "indicator",
        "disaggregation",
        "numerator",
        "denominator",
        "value",
        "target",
        "aggregation",
    }


def test_the_page_shows_the_numbers_of_the_json(report):
    payload, page = report
    sms, loans = scenario.sms(CAMPAIGN), scenario.loans(CAMPAIGN)
    assert cell(page, "sms_sent", CAMPAIGN).startswith(f"{sms['sent']:,} ")
    assert cell(page, "loans_disbursed_xof", CAMPAIGN).startswith(f"{loans['xof']:,} XOF")
    assert cell(page, "gross_loan_portfolio_xof", CAMPAIGN).startswith(f"{loans['portfolio']:,} XOF")
    reach = _value(payload, "sms_weekly_reach")
    shown = cell(page, "sms_weekly_reach", CAMPAIGN)
    assert shown.startswith(_pct(reach["numerator"], reach["denominator"]))
    assert f"{reach['numerator']:.0f} / {reach['denominator']:.0f}" in shown
    summary = section(page, "summary")
    assert f"{scenario.weeks_broadcast(CAMPAIGN)} / {scenario.CAMPAIGNS[CAMPAIGN][1]}" in summary
    assert f">{sms['sent']}<" in summary.replace(" ", "")


def test_both_campaigns_side_by_side_with_the_change(report):
    _, page = report
    now, before = scenario.sms(CAMPAIGN)["sent"], scenario.sms(PREVIOUS)["sent"]
    row = results(page)[("sms_sent", "{}")]
    assert row[PREVIOUS].startswith(f"{before} ") and row[CAMPAIGN].startswith(f"{now} ")
    assert row["change"] == f"{now - before:+d}"
    weeks_now, weeks_before = scenario.reach(CAMPAIGN), scenario.reach(PREVIOUS)
    ratio_now = sum(n for n, _ in weeks_now.values()) / sum(d for _, d in weeks_now.values())
    ratio_before = sum(n for n, _ in weeks_before.values()) / sum(d for _, d in weeks_before.values())
    assert (
        results(page)[("sms_weekly_reach", "{}")]["change"] == f"{100 * (ratio_now - ratio_before):+.1f} pts"
    )
    broadcast = results(page)[("sms_weeks_broadcast", '{"campaign": "2019-2020"}')]
    assert broadcast[PREVIOUS].startswith(f"{scenario.weeks_broadcast(PREVIOUS)} ")  # each its own campaign's


def test_each_figure_says_what_kind_of_number_it_is(report):
    _, page = report
    end = scenario.window(CAMPAIGN)[1]
    assert cell(page, "sms_sent", CAMPAIGN).endswith("over the campaign")
    assert cell(page, "trained_producers", CAMPAIGN).endswith("to date")
    assert cell(page, "par30", CAMPAIGN).endswith(f"at {end:%d/%m/%Y}")
    assert cell(page, "par30", PREVIOUS).endswith(f"at {scenario.window(PREVIOUS)[1]:%d/%m/%Y}")


def test_the_operator_table_says_what_each_column_holds(report):
    _, page = report
    table = section(page, "summary").split('id="operators"')[1].split("</table>")[0]
    header = table.split("</thead>")[0]
    for column in ("SMS accepted by the gateway", "Delivered (DLR)", "Delivery rate"):
        assert column in header
    operators = {s[0]: s[2] for s in scenario.SUBSCRIBERS}
    mine = [m for m in scenario.MESSAGES if m[0] == CAMPAIGN and m[3] in scenario.ACCEPTED]
    orange = [m for m in mine if operators[m[2]] == "orange"]
    delivered = sum(m[3] == "delivered" for m in orange)
    row = table.split(f"<td>{value_label('operator', 'orange', 'en')}</td>")[1].split("</tr>")[0]
    assert [c.split("<")[0] for c in row.split('class="num">')[1:]] == [
        str(len(orange)),
        str(delivered),
        _pct(delivered, len(orange)),
    ]


def test_the_lessons_come_from_the_campaigns_data(report):
    _, page = report
    lessons = section(page, "lessons")
    by_cercle = scenario.reach(CAMPAIGN, by="cercle")
    weakest = min(by_cercle, key=lambda c: by_cercle[c][0] / by_cercle[c][1])
    first = lessons.split('id="lesson-weakest_cercles"')[1].split("</li>")[0].split(":", 1)[1]
    assert first.strip().startswith(f"{weakest} {_pct(*by_cercle[weakest])}")
    under = [w for w, (n, d) in scenario.reach(CAMPAIGN).items() if d and n / d < 0.8]
    weeks = lessons.split('id="lesson-weeks_under"')[1].split("</li>")[0]
    assert f"{len(under)} of {scenario.CAMPAIGNS[CAMPAIGN][1]}" in weeks
    assert all(f"{w} (" in weeks for w in under)
    optouts = lessons.split('id="lesson-optouts"')[1].split("</li>")[0]
    assert f": {scenario.optouts_in(CAMPAIGN)} (" in optouts
    amassa = [b for b in scenario.BATCHES if b[0] == "amassa"]
    held, rows_in = sum(b[2] for b in amassa), sum(b[1] for b in amassa)
    assert f"amassa {held} / {rows_in} ({_pct(held, rows_in)})" in lessons
    loans = scenario.loans(CAMPAIGN)
    for mfi, past_due in loans["past_due_by_mfi"].items():
        late, outstanding = loans["par30_by_mfi"][mfi]
        assert (
            f"{mfi} {past_due:,} XOF (of which more than 30 days late {late:,} XOF, "
            f"portfolio {outstanding:,} XOF)"
        ) in lessons


def test_the_first_campaign_stands_alone(two_campaigns):
    evaluation = evaluate_campaign(two_campaigns.engine, PREVIOUS, two_campaigns.config_dir)
    assert evaluation.previous is None and evaluation.as_json()["previous"] is None
    assert evaluation.current.find("sms_sent")["value"] == scenario.sms(PREVIOUS)["sent"]


def test_the_summary_counts_the_campaign_weeks_and_their_reach(program, tmp_path, no_pdf):
    campaign = campaign_without_week_2(program)
    html, _ = write_evaluation(campaign.engine, CAMPAIGN, tmp_path, "en", campaign.config_dir)
    page = html.read_text()
    summary = section(page, "summary")
    assert "2 / 3" in summary  # weeks 1 and 3 went out, week 2 did not
    assert "33.3% (2 / 6)" in summary  # reach 2/2, 0/2, 0/2 summed
    assert html.name == "evaluation-2019-2020-en.html" and "data:image/png;base64," in page


def test_an_unknown_campaign_is_refused_with_the_known_ones(program, tmp_path):
    with pytest.raises(ValueError, match="2019-2020"):
        write_evaluation(program.engine, "2030-2031", tmp_path, "fr", program.config_dir)


def test_weeks_broadcast_count_every_week_of_the_campaign_across_bimonths(program, tmp_path, no_pdf):
    (program.config_dir / "campaigns.yaml").write_text(  # week 1 ends 30 Dec 2019, week 2 on 6 Jan 2020
        'send_time: "08:00"\ncampaigns:\n  "2019-2020": {start: 2019-12-23, weeks: 2}\n', encoding="utf-8"
    )
    program.message(1, "P1", "delivered", final_at="2019-12-23 09:00")
    program.message(2, "P1", "delivered", final_at="2019-12-30 09:00")
    html, _ = write_evaluation(program.engine, CAMPAIGN, tmp_path, "fr", program.config_dir)
    assert "2 / 2" in section(html.read_text(), "summary")


def test_the_json_carries_the_counts_the_lessons_show(report):
    payload, page = report
    assert sum(r["optouts"] for r in payload["optouts"]) == scenario.optouts_in(CAMPAIGN)
    (amassa,) = [r for r in payload["quarantine"] if r["partner"] == "amassa"]
    batches = [b for b in scenario.BATCHES if b[0] == "amassa"]
    assert (amassa["rows_in"], amassa["rows_quarantined"]) == (
        sum(b[1] for b in batches),
        sum(b[2] for b in batches),
    )
    assert f"amassa {amassa['rows_quarantined']} / {amassa['rows_in']}" in section(page, "lessons")


def test_a_total_over_every_campaign_says_so(report):
    _, page = report
    total = page.split('data-indicator="sms_weeks_broadcast" data-disaggregation="{}"')[1].split("</td>")[0]
    assert "all campaigns" in total
    weeks = sum(scenario.weeks_broadcast(c) for c in scenario.CAMPAIGNS)  # both campaigns, to date
    assert cell(page, "sms_weeks_broadcast", CAMPAIGN).startswith(f"{weeks} ")


def test_the_json_and_the_page_carry_the_loans_aging_and_par_at_the_window_s_end(report):
    payload, page = report
    loans = payload["loans"]
    assert loans["as_of"] == payload["end"]
    outstanding = sum(row["outstanding_xof"] for row in loans["aging"])
    assert outstanding == pytest.approx(sum(row["gross_loan_portfolio_xof"] for row in loans["par"]))
    assert '<section id="loans-follow-up">' in page
