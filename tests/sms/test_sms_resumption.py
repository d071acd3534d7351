"""A crashed or failed broadcast resumed by the server: when the week is settled, how often, with what."""

import copy
import inspect
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from sqlalchemy import update

from tasks.sms.outbox import queue_week
from tasks.sms.resumption import MAX_RESUMPTIONS, WeekNotSettled, gave_up, settled_rows
from warehouse.schema import sms_outbox

CAMPAIGN, WEEK = "2018-2019", 2
ROOT = Path(__file__).parents[2]
AUTOMATIONS = ROOT / "deployments" / "automations"


def _status(engine, message_id: str, status: str) -> None:
    with engine.begin() as conn:
        conn.execute(update(sms_outbox).where(sms_outbox.c.message_id == message_id).values(status=status))


def test_a_week_never_queued_is_not_settled(engine):
    assert settled_rows(engine, CAMPAIGN, WEEK) is None


@pytest.mark.parametrize("open_status", ["queued", "claimed", "sending"])
def test_a_week_with_one_row_still_open_is_not_settled(engine, program, open_status):
    program.beneficiary("B1").beneficiary("B2").beneficiary("B3")
    queue_week(engine, CAMPAIGN, WEEK)
    _status(engine, "2018-2019-w02-B1", "wired")
    _status(engine, "2018-2019-w02-B2", "failed")
    _status(engine, "2018-2019-w02-B3", open_status)
    assert settled_rows(engine, CAMPAIGN, WEEK) is None


def test_a_week_whose_every_row_is_past_the_gateway_is_settled_with_its_row_count(engine, program):
    ids = [f"B{i}" for i in range(1, 5)]
    for b in ids:
        program.beneficiary(b)
    queue_week(engine, CAMPAIGN, WEEK)
    for b, status in zip(ids, ["wired", "sent", "delivered", "failed"], strict=True):
        _status(engine, f"2018-2019-w02-{b}", status)
    assert settled_rows(engine, CAMPAIGN, WEEK) == len(ids)


def test_the_server_resumes_a_week_at_most_max_resumptions_times():
    assert gave_up(CAMPAIGN, WEEK, MAX_RESUMPTIONS) is None
    why = gave_up(CAMPAIGN, WEEK, MAX_RESUMPTIONS + 1)
    assert f"malux sms broadcast --campaign {CAMPAIGN} --week {WEEK}" in why


def _resume_action(name: str) -> dict:
    [action] = yaml.safe_load((AUTOMATIONS / name).read_text(encoding="utf-8"))["actions"]
    return action


def _render(parameters: dict, flow_run: SimpleNamespace) -> dict:
    """The parameters as the server's run-deployment action renders them for a triggering flow run."""
    from prefect.server.events.actions import RunDeployment
    from prefect.utilities.schema_tools.hydration import HydrationContext, hydrate

    rendered = copy.deepcopy(parameters)
    RunDeployment._upgrade_v1_templates(rendered)
    context = HydrationContext(raise_on_error=True, render_jinja=True, jinja_context={"flow_run": flow_run})
    return hydrate(rendered, context)


def test_a_resumed_weekly_broadcast_gets_the_crashed_run_s_parameters_and_the_next_resumption_number():
    from flows.weekly_broadcast import weekly_broadcast

    action = _resume_action("resume-weekly-broadcast.yaml")
    assert set(action["parameters"]) == set(inspect.signature(weekly_broadcast.fn).parameters)
    first = SimpleNamespace(parameters={"campaign": "2019-2020", "week": 3})
    assert _render(action["parameters"], first) == {
        "campaign": "2019-2020", "week": 3, "gateway": None, "resumption": 1,
    }  # fmt: skip
    second = {"campaign": "2019-2020", "week": 3, "gateway": "kannel", "resumption": 2}
    third = SimpleNamespace(parameters=second)
    assert _render(action["parameters"], third) == third.parameters | {"resumption": 3}


def test_a_resumed_monday_run_sends_the_week_of_the_day_the_crashed_run_was_scheduled():
    from flows.broadcast_this_week import broadcast_this_week

    action = _resume_action("resume-broadcast-this-week.yaml")
    assert set(action["parameters"]) == set(inspect.signature(broadcast_this_week.fn).parameters)
    monday = datetime(2019, 11, 18, 8, 0, tzinfo=UTC)
    scheduled = SimpleNamespace(parameters={}, expected_start_time=monday)
    expected = {"today": "2019-11-18", "gateway": None, "resumption": 1}
    assert _render(action["parameters"], scheduled) == expected
    by_hand = SimpleNamespace(parameters={"today": "2019-11-25", "resumption": 1}, expected_start_time=monday)
    assert _render(action["parameters"], by_hand)["today"] == "2019-11-25"


def test_setup_server_schedules_a_resumption_once_the_lease_and_the_in_doubt_window_have_passed(monkeypatch):
    monkeypatch.setenv("MALUX_SMS_CLAIM_LEASE_SECONDS", "7")
    monkeypatch.setenv("MALUX_SMS_IN_DOUBT_SECONDS", "30")
    monkeypatch.syspath_prepend(str(ROOT / "deployments"))
    sys.modules.pop("setup_server", None)
    import setup_server
    from prefect.events.schemas.automations import AutomationCore

    for name in ("resume-weekly-broadcast.yaml", "resume-broadcast-this-week.yaml"):
        spec = yaml.safe_load((AUTOMATIONS / name).read_text(encoding="utf-8"))
        setup_server._resolve_settle_delays(spec)
        [action] = AutomationCore.model_validate(spec).actions
        assert action.schedule_after.total_seconds() == 7 + 30
    prefect_yaml = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))
    deployments = {d["name"] for d in prefect_yaml["deployments"]}
    resumed = {
        yaml.safe_load(p.read_text(encoding="utf-8"))["trigger"]["match_related"]["prefect.resource.name"]
        for p in AUTOMATIONS.glob("resume-*.yaml")
    }
    assert resumed == {"weekly-broadcast", "broadcast-this-week"} <= deployments


def _sent(data_dir: Path) -> list[str]:
    path = data_dir / "sms" / CAMPAIGN / f"week-{WEEK:02d}.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return [json.loads(line)["message_id"] for line in lines]


@pytest.mark.usefixtures("prefect_harness")
def test_a_resumption_that_finds_the_week_settled_ends_at_once_and_queues_no_one(migrated, data_dir):
    from flows.weekly_broadcast import weekly_broadcast
    from tasks.sms.steps import BroadcastSummary

    migrated.beneficiary("B1").beneficiary("B2")
    weekly_broadcast(CAMPAIGN, WEEK)
    sent = _sent(data_dir)
    migrated.beneficiary("B3")  # registered after the week was sent: a resumption does not reopen the week

    resumed = weekly_broadcast(CAMPAIGN, WEEK, resumption=1)

    assert resumed == BroadcastSummary(CAMPAIGN, WEEK, 0, len(sent), 0, 0)
    assert _sent(data_dir) == sent
    assert settled_rows(migrated.engine, CAMPAIGN, WEEK) == len(sent) == 2


@pytest.mark.usefixtures("prefect_harness")
def test_a_resumption_that_ends_with_messages_still_held_fails_so_that_the_server_comes_back(
    migrated, data_dir
):
    from flows.weekly_broadcast import weekly_broadcast

    migrated.beneficiary("B1").beneficiary("B2")
    queue_week(migrated.engine, CAMPAIGN, WEEK)
    with migrated.engine.begin() as conn:  # another run's message on the wire, just handed over
        conn.execute(
            update(sms_outbox)
            .where(sms_outbox.c.message_id == "2018-2019-w02-B1")
            .values(status="sending", wired_at=datetime.now(UTC), attempts=1)
        )

    state = weekly_broadcast(CAMPAIGN, WEEK, resumption=1, return_state=True)

    assert state.is_failed()
    failure = state.result(raise_on_failure=False)
    assert isinstance(failure, WeekNotSettled) and "1 message not settled yet" in str(failure)
    assert _sent(data_dir) == ["2018-2019-w02-B2"]  # what could go went


@pytest.mark.usefixtures("prefect_harness")
def test_a_resumption_past_the_cap_is_not_run_and_says_what_to_do(migrated, data_dir):
    from flows.broadcast_this_week import broadcast_this_week
    from flows.weekly_broadcast import weekly_broadcast
    from tasks.sms.calendar import week_for

    migrated.beneficiary("B1")
    monday = week_for(CAMPAIGN, WEEK).send_at.date()

    for state in (
        weekly_broadcast(CAMPAIGN, WEEK, resumption=MAX_RESUMPTIONS + 1, return_state=True),
        broadcast_this_week(monday, resumption=MAX_RESUMPTIONS + 1, return_state=True),
    ):
        assert state.is_cancelled()
        assert f"malux sms broadcast --campaign {CAMPAIGN} --week {WEEK}" in state.message
    assert settled_rows(migrated.engine, CAMPAIGN, WEEK) is None  # nothing queued, nothing sent
    assert _sent(data_dir) == []
