"""Every failed or crashed run of a MALUX deployment reaches the alert webhook through a server automation."""

from __future__ import annotations

import yaml
from deploy_runs import client_for, launch, wait_final
from deploy_stack import REPO, wait_for

AUTOMATION = REPO / "deployments" / "automations" / "alert-failed-flow-runs.yaml"


def test_the_alert_automation_watches_every_deployment_of_prefect_yaml() -> None:
    deployments = yaml.safe_load((REPO / "prefect.yaml").read_text(encoding="utf-8"))["deployments"]
    watched = yaml.safe_load(AUTOMATION.read_text(encoding="utf-8"))["trigger"]["match_related"]
    assert sorted(watched["prefect.resource.name"]) == sorted(d["name"] for d in deployments)


def test_a_failed_run_of_a_flow_without_hooks_is_posted_by_the_automation(stack) -> None:
    with client_for(stack.api_url) as client:
        [automation] = client.read_automations_by_name("malux-alert-failed-flow-runs")
    assert automation.enabled
    # monitoring-note has no on_failure hook: whatever reaches the receiver for this run is the automation's
    run = wait_final(
        stack.api_url, launch(stack.api_url, "monitoring-note/monitoring-note", {"period": "2019-13"})
    )
    assert run.state.is_failed()

    alert = wait_for(
        "the automation's alert of the failed monitoring-note run",
        lambda: next((a for a in stack.alerts.received if a.get("flow_run_id") == str(run.id)), None),
        90,
    )
    assert (alert["source"], alert["flow"], alert["deployment"]) == (
        "automation",
        "monitoring-note",
        "monitoring-note",
    )
    assert alert["state"] == "Failed"
    assert alert["file"] == {"period": "2019-13"}
    assert "not a DHIS2 bimonthly period id" in alert["reason"]
