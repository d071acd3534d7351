"""MALUX on a real Prefect server: deployments, the ingest -> indicators trigger, two workers, alerts."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from deploy_runs import client_for, launch, wait_final, wait_run_where
from deploy_stack import wait_for
from sqlalchemy import func, select

from warehouse.db import engine_for
from warehouse.schema import beneficiaries, indicator_value, loans, market_prices, sms_outbox

PRODUCERS = 150
AUDIENCE = PRODUCERS + 1  # the producers and their organisation; the MFI gets no market SMS
CAMPAIGN, WEEK, MONDAY_OF_WEEK = "2019-2020", 3, "2019-11-18"


def beneficiaries_csv() -> str:
    """A canonical registry: one farmer organisation, its producers with valid Orange numbers, one MFI."""
    head = "beneficiary_id,category,name,org_id,cercle,commune,village,phone,language,gender,sms_consent,"
    head += "registered_on"
    rows = [head, "OP01,producer_org,Union Jekafo,,San,San,San,+223 76 00 00 01,fr,M,true,2018-09-01"]
    rows += [
        f"P{i:03d},producer,Producteur {i},OP01,San,San,Sienso,76 1{i // 100} {i % 100:02d} 00,bm,F,true,"
        "2018-09-02"
        for i in range(1, PRODUCERS + 1)
    ]
    rows.append("MFI1,mfi,Soro Yiriwaso,,Segou,Segou,Segou,,fr,M,false,2018-01-01")
    return "\n".join(rows) + "\n"


PRICES_CSV = """observed_on,market,commodity,price_type,cercle,price_xof_per_kg,source
2019-11-12,San,sesame,farmgate,San,450,nkalo
2019-11-17,San,sesame,farmgate,San,475,nkalo
"""

LOANS_CSV = """loan_id,borrower_id,mfi_id,crop,principal_xof,monthly_rate,disbursed_on,maturity_on,volume_kg
L1,OP01,MFI1,sesame,1000000,0.0125,2018-11-01,2019-05-30,
L2,OP01,MFI1,rice,2000000,0.0125,2018-12-01,2019-06-20,
"""


def drop(stack, dataset: str, name: str, text: str) -> Path:
    """A partner file arriving in landing/<partner>/<dataset>/, as a partner's upload would."""
    folder = stack.data_dir / "landing" / "canonical" / dataset
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def scan_and_wait_for_indicators(stack, files: list[Path]) -> None:
    """Run the landing-scan deployment; each file's ingest run and the indicators run it triggers complete."""
    scan = wait_final(stack.api_url, launch(stack.api_url, "landing-scan/landing-scan", {}))
    assert scan.state.is_completed(), f"landing scan ended {scan.state.name}: {scan.state.message}"
    for path in files:
        ingest = wait_run_where(
            stack.api_url, "ingest-file", f"the ingest run of {path.name}",
            lambda r, p=path: Path(str(r.parameters.get("path", ""))).name == p.name,
        )  # fmt: skip
        assert ingest.state.is_completed(), f"ingest of {path.name} ended {ingest.state.name}"
        triggered = wait_run_where(
            stack.api_url, "compute-indicators", f"the indicators run triggered by the ingest of {path.name}",
            lambda r, i=ingest: r.parameters.get("upstream_flow_run_id") == str(i.id),
        )  # fmt: skip
        assert triggered.state.is_completed(), f"indicators run ended {triggered.state.name}"


def count(stack, table, *where) -> int:
    with engine_for(stack.warehouse_url).connect() as conn:
        return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def test_setup_gives_the_pool_the_rate_limits_the_zombie_automation_and_the_schedules(stack) -> None:
    with client_for(stack.api_url) as client:
        assert client.read_work_pool("malux-process").type == "process"
        limit = client.read_global_concurrency_limit_by_name("sms-file")
        assert (limit.limit, limit.slot_decay_per_second) == (1, 200)
        [zombie] = client.read_automations_by_name("malux-crash-zombie-flow-runs")
        assert zombie.trigger.within == timedelta(seconds=90)
        schedules = {
            name: [s.schedule for s in client.read_deployment_by_name(name).schedules]
            for name in ("compute-indicators/compute-indicators", "broadcast-this-week/broadcast-this-week")
        }
    [bimonthly] = schedules["compute-indicators/compute-indicators"]
    assert (bimonthly.cron, bimonthly.timezone) == ("0 6 1 */2 *", "Africa/Bamako")
    [weekly] = schedules["broadcast-this-week/broadcast-this-week"]
    assert (weekly.cron, weekly.timezone) == ("0 8 * * 1", "Africa/Bamako")


def test_files_dropped_in_landing_are_ingested_and_each_ingest_triggers_the_indicators(stack) -> None:
    people = drop(stack, "beneficiaries", "people.csv", beneficiaries_csv())
    prices = drop(stack, "market_prices", "prices.csv", PRICES_CSV)
    scan_and_wait_for_indicators(stack, [people, prices])
    loans_file = drop(stack, "loans", "loans.csv", LOANS_CSV)
    scan_and_wait_for_indicators(stack, [loans_file])

    assert count(stack, beneficiaries) == PRODUCERS + 2
    assert count(stack, market_prices) == 2
    assert count(stack, loans) == 2
    with engine_for(stack.warehouse_url).connect() as conn:
        financed = conn.execute(
            select(indicator_value.c.numerator).where(indicator_value.c.indicator == "borrowers_financed")
        ).scalars()
        assert 1 in set(financed)  # the run triggered by the loans file counted OP01


def test_two_broadcasts_of_one_week_on_two_workers_send_each_message_once(stack) -> None:
    assert count(stack, beneficiaries) > 0, "needs the registry loaded by the landing test"
    stack.start_worker("worker-2")
    runs = [
        launch(stack.api_url, "weekly-broadcast/weekly-broadcast", {"campaign": CAMPAIGN, "week": WEEK}),
        launch(stack.api_url, "broadcast-this-week/broadcast-this-week", {"today": MONDAY_OF_WEEK}),
    ]
    for run_id in runs:
        run = wait_final(stack.api_url, run_id)
        assert run.state.is_completed(), f"{run.name} ended {run.state.name}: {run.state.message}"

    sent = (
        (stack.data_dir / "sms" / CAMPAIGN / f"week-{WEEK:02d}.jsonl")
        .read_text(encoding="utf-8")
        .splitlines()
    )
    ids = [json.loads(line)["message_id"] for line in sent]
    assert len(ids) == len(set(ids)) == AUDIENCE
    assert count(stack, sms_outbox, sms_outbox.c.week == WEEK, sms_outbox.c.status == "wired") == AUDIENCE


def test_outside_a_campaign_week_the_weekly_schedule_sends_nothing_and_says_so(stack) -> None:
    run = wait_final(
        stack.api_url,
        launch(stack.api_url, "broadcast-this-week/broadcast-this-week", {"today": "2021-06-07"}),
    )
    assert run.state.is_completed()

    def said_so() -> bool:  # the worker ships a run's logs shortly after its final state
        from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId

        with client_for(stack.api_url) as client:
            logs = client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run.id])))
        return any("2021-06-07 is in no campaign week" in log.message for log in logs)

    wait_for("the run's log line saying there is no campaign week", said_so, 60)
    assert not (stack.data_dir / "sms" / "2020-2021").exists()


def test_a_failed_ingest_run_posts_the_flow_the_file_and_the_reason_to_the_alert_webhook(stack) -> None:
    missing = str(stack.data_dir / "landing" / "amassa" / "loans" / "gone.xlsx")
    params = {"path": missing, "dataset": "loans", "partner": "amassa"}
    run = wait_final(stack.api_url, launch(stack.api_url, "ingest-file/ingest-file", params))
    assert run.state.is_failed()

    alert = wait_for(
        "the alert of the failed ingest run",
        lambda: next((a for a in stack.alerts.received if a["flow_run_id"] == str(run.id)), None),
        60,
    )
    assert (alert["flow"], alert["state"]) == ("ingest-file", "Failed")
    assert alert["file"] == {"path": missing, "dataset": "loans", "partner": "amassa"}
    assert "no such file" in alert["reason"]
