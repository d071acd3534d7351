"""The state hook that posts a failed or crashed flow run to the alert webhook (MALUX_ALERT_WEBHOOK_URL)."""

from __future__ import annotations

import logging
import os
from typing import Any

import requests

from malux.settings import get_settings

log = logging.getLogger("malux.alerts")

ALERT_URL_VARIABLE = "malux_alert_webhook_url"  # set on the server by deployments/setup_server.py
FILE_PARAMETERS = ("path", "dataset", "partner", "landing_dir", "campaign", "week", "period")


def alert_payload(flow: Any, flow_run: Any, state: Any) -> dict[str, Any]:
    """What a person needs to act without opening the UI: the flow, the partner file, the reason."""
    parameters = {k: _plain(v) for k, v in (getattr(flow_run, "parameters", None) or {}).items()}
    return {
        "text": f"MALUX {flow.name} {state.name}: {state.message or 'no reason given'}",
        "flow": flow.name,
        "flow_run_id": str(flow_run.id),
        "flow_run_name": flow_run.name,
        "deployment_id": str(flow_run.deployment_id) if flow_run.deployment_id else None,
        "state": state.name,
        "reason": state.message,
        "parameters": parameters,
        "file": {k: parameters[k] for k in FILE_PARAMETERS if parameters.get(k) is not None},
    }


def _plain(value: Any) -> Any:
    return value if isinstance(value, str | int | float | bool | type(None)) else str(value)


def alert_url() -> str | None:
    """The worker's MALUX_ALERT_WEBHOOK_URL, else the server's variable: one setting serves every worker."""
    configured = get_settings().alerts.webhook_url
    if configured is not None and configured.get_secret_value():
        return configured.get_secret_value()
    if not os.environ.get("PREFECT_API_URL"):
        return None  # an in-process run with no server has no variables to read
    try:
        from prefect.variables import Variable

        return Variable.get(ALERT_URL_VARIABLE, default=None)
    except Exception as exc:  # the server being unreachable is itself what may have failed the run
        log.warning("could not read the Prefect variable %s: %s", ALERT_URL_VARIABLE, exc)
        return None


def notify_failure(flow: Any, flow_run: Any, state: Any) -> None:
    """Post the alert; a webhook that is down is logged, never allowed to hide the run's own failure."""
    url = alert_url()
    if not url:
        return
    try:
        requests.post(url, json=alert_payload(flow, flow_run, state), timeout=10).raise_for_status()
    except requests.RequestException as exc:
        log.warning("could not post the alert for %s to %s: %s", flow.name, url, exc)
