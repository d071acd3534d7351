"""The evaluation-report flow as a deployment runs it: the report in the reports dir, or an alert with why."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from program_builder import campaign_without_week_2

pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture
def campaign(settled_program):
    return campaign_without_week_2(settled_program)


@pytest.fixture
def alert_webhook(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict]]:
    """A webhook on a free port of 127.0.0.1 (MALUX_ALERT_WEBHOOK_URL); the list of what was posted to it."""
    posted: list[dict] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
            posted.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("MALUX_ALERT_WEBHOOK_URL", f"http://127.0.0.1:{server.server_address[1]}/alert")
    yield posted
    server.shutdown()
    server.server_close()


def test_a_run_writes_the_campaign_report_into_the_reports_dir(campaign, data_dir):
    from flows.evaluation_report import evaluation_report

    state = evaluation_report("2019-2020", "en", return_state=True)
    assert state.is_completed(), state.message
    html, _ = state.result()
    assert html == data_dir.resolve() / "reports" / "evaluation-2019-2020-en.html"
    summary = html.read_text(encoding="utf-8").split('id="summary"')[1].split("</section>")[0]
    assert "2 / 3" in summary  # weeks 1 and 3 went out, week 2 did not


def test_a_run_for_an_unknown_campaign_fails_and_alerts_with_the_campaign_and_the_reason(
    campaign, alert_webhook, data_dir
):
    from flows.evaluation_report import evaluation_report

    state = evaluation_report("2030-2031", return_state=True)
    assert state.is_failed()
    (alert,) = alert_webhook
    assert (alert["flow"], alert["state"]) == ("evaluation-report", "Failed")
    assert alert["file"] == {"campaign": "2030-2031"}
    assert "2030-2031" in alert["reason"] and "2019-2020" in alert["reason"]  # the known campaign is named
    assert not list(data_dir.glob("reports/evaluation-*"))
