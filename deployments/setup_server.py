"""Prepare a Prefect server for MALUX's deployments: work pool, limits, variables, secrets and automations.

Run it before `prefect --no-prompt deploy --all`, with PREFECT_API_URL set to the server. It is safe to run
again: everything is created or brought up to date, nothing is duplicated.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
POOL = "malux-process"


def _yaml(name: str) -> Any:
    return yaml.safe_load((HERE / name).read_text(encoding="utf-8")) or {}


def ensure_work_pool(client: Any, name: str = POOL) -> str:
    """A process work pool with Prefect's default job template, so workers run flows as subprocesses."""
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectNotFound
    from prefect.workers.process import ProcessWorker

    try:
        client.read_work_pool(name)
        return f"work pool {name}: exists"
    except ObjectNotFound:
        template = ProcessWorker.get_default_base_job_template()
        client.create_work_pool(WorkPoolCreate(name=name, type="process", base_job_template=template))
        return f"work pool {name}: created"


def ensure_limits(client: Any, limits: dict[str, dict]) -> list[str]:
    """Every global concurrency / rate limit of limits.yaml, with its limit and decay as configured.

    The same function creates a gateway's limit on the temporary server of a run with no server configured.
    """
    from tasks.sms.rate_limits import ensure_limit

    return [ensure_limit(client, name, spec) for name, spec in limits.items()]


def ensure_variables(variables: dict[str, str]) -> list[str]:
    """Prefect variables; a "$NAME" value comes from the environment and is skipped when unset."""
    from prefect.variables import Variable

    done = []
    for name, value in variables.items():
        if isinstance(value, str) and value.startswith("$"):
            value = os.environ.get(value[1:])
            if not value:
                done.append(f"variable {name}: skipped (environment variable unset)")
                continue
        Variable.set(name, value, overwrite=True)
        done.append(f"variable {name}: set")
    return done


def ensure_secrets(secrets: dict[str, str]) -> list[str]:
    """Secret blocks from environment variables, so credentials never sit in a file of the repository."""
    from prefect.blocks.system import Secret

    done = []
    for block, env in secrets.items():
        value = os.environ.get(env)
        if not value:
            done.append(f"secret {block}: skipped ({env} unset)")
            continue
        Secret(value=value).save(block, overwrite=True)
        done.append(f"secret {block}: saved from {env}")
    return done


ALERT_URL_ENV = "MALUX_ALERT_WEBHOOK_URL"  # the same URL the hooks' server variable gets (variables.yaml)
_WEBHOOK_REF = "webhook/"  # an action's block_document_id "webhook/<name>": the Webhook block saved here


def ensure_webhook_block(name: str, url: str) -> Any:
    """The Webhook block an automation posts alerts through, saved (or updated) with the alert URL."""
    from prefect.blocks.webhook import Webhook

    return Webhook(url=url).save(name, overwrite=True)


def _resolve_webhooks(spec: dict[str, Any]) -> str | None:
    """Swap each "webhook/<name>" block reference for the saved block's id; why not, when it cannot be."""
    for action in spec.get("actions", []):
        ref = str(action.get("block_document_id", ""))
        if ref.startswith(_WEBHOOK_REF):
            url = os.environ.get(ALERT_URL_ENV)
            if not url:
                return f"{ALERT_URL_ENV} unset"
            action["block_document_id"] = str(ensure_webhook_block(ref.removeprefix(_WEBHOOK_REF), url))
    return None


# An action's schedule_after that means: once a dead broadcast's messages have settled.
SETTLE_DELAY = "sms-settle-seconds"


def settle_delay_seconds() -> float:
    """The claim lease plus the in-doubt window in force (MALUX_SMS_*): by then a dead run is judged."""
    from malux.settings import get_settings

    sms = get_settings().sms
    return sms.claim_lease_seconds + sms.in_doubt_seconds


def _resolve_settle_delays(spec: dict[str, Any]) -> None:
    """Swap each "sms-settle-seconds" schedule_after for the seconds of the settings in force."""
    for action in spec.get("actions", []):
        if action.get("schedule_after") == SETTLE_DELAY:
            action["schedule_after"] = settle_delay_seconds()


def ensure_automations(client: Any, folder: Path = HERE / "automations") -> list[str]:
    """Each automation of automations/*.yaml, replacing any of the same name rather than adding a copy."""
    from prefect.events.schemas.automations import AutomationCore

    done = []
    for path in sorted(folder.glob("*.yaml")):
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        _resolve_settle_delays(spec)
        missing = _resolve_webhooks(spec)
        if missing:
            done.append(f"automation {spec['name']}: skipped ({missing})")
            continue
        automation = AutomationCore.model_validate(spec)
        for old in client.read_automations_by_name(automation.name):
            client.delete_automation(old.id)
        client.create_automation(automation)
        delays = [a.schedule_after for a in automation.actions if getattr(a, "schedule_after", None)]
        after = f" (runs again {delays[0].total_seconds():g} s after)" if delays else ""
        done.append(f"automation {automation.name}: created{after}")
    return done


def main() -> None:
    """Apply everything and say what was done, one line each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pool", default=POOL, help="work pool name (default malux-process)")
    args = parser.parse_args()
    if not os.environ.get("PREFECT_API_URL"):
        raise SystemExit("PREFECT_API_URL is not set: it would configure a throwaway temporary server")
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        lines = [ensure_work_pool(client, args.pool), *ensure_limits(client, _yaml("limits.yaml"))]
        lines += ensure_automations(client)
    lines += ensure_variables(_yaml("variables.yaml")) + ensure_secrets(_yaml("secrets.yaml"))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
