"""The Prefect rate limits that pace each SMS gateway, as deployments/limits.yaml defines them.

A configured server (PREFECT_API_URL) gets its limits from an operator running deployments/setup_server.py;
a send that finds one missing there refuses, so a typo in the server's set-up never sends unpaced. The
temporary server Prefect starts when no server is configured is MALUX's own: the send creates the limit it
needs there from the same definition, so `malux sms broadcast --gateway kannel` works as written.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from prefect.client.base import ServerType
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate, GlobalConcurrencyLimitUpdate
from prefect.concurrency.sync import rate_limit
from prefect.exceptions import ObjectNotFound

from malux.settings import PROJECT_ROOT

LIMITS_FILE = PROJECT_ROOT / "deployments" / "limits.yaml"
# The file gateway only writes a local file: a CLI run with it needs no rate limit on a Prefect server.
UNLIMITED_GATEWAYS = frozenset({"file"})


def rate_limit_name(gateway: str) -> str:
    """The Prefect global concurrency limit that paces one gateway (deployments/limits.yaml)."""
    return f"sms-{gateway}"


def read_limits(path: Path = LIMITS_FILE) -> dict[str, dict]:
    """Every limit of limits.yaml by name: {"limit": slots, "slot_decay_per_second": rate}."""
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def ensure_limit(client: Any, name: str, spec: dict) -> str:
    """Create the limit, or bring an existing one to the definition (active); one line saying what it is."""
    limit, decay = int(spec["limit"]), float(spec.get("slot_decay_per_second", 0.0))
    try:
        client.read_global_concurrency_limit_by_name(name)
        update = GlobalConcurrencyLimitUpdate(limit=limit, slot_decay_per_second=decay, active=True)
        client.update_global_concurrency_limit(name, update)
    except ObjectNotFound:
        create = GlobalConcurrencyLimitCreate(name=name, limit=limit, slot_decay_per_second=decay)
        client.create_global_concurrency_limit(create)
    return f"limit {name}: {limit} slot(s), decay {decay:g}/s"


def _limit_size(client: Any, name: str, gateway: str) -> int:
    """The limit's slots, creating it first on the temporary server; a configured server must have it."""
    try:
        return max(1, client.read_global_concurrency_limit_by_name(name).limit)
    except ObjectNotFound as exc:
        if client.server_type != ServerType.EPHEMERAL:
            raise RuntimeError(
                f"no Prefect rate limit {name!r} on this server to pace {gateway}: create it with "
                "`python deployments/setup_server.py` (deployments/limits.yaml) against this server"
            ) from exc
        spec = read_limits().get(name)
        if spec is None:
            raise RuntimeError(
                f"deployments/limits.yaml defines no rate limit {name!r}: {gateway} cannot be paced"
            ) from exc
        print(f"{ensure_limit(client, name, spec)} (created on the temporary Prefect server)")
        return max(1, int(spec["limit"]))


def gateway_pace(gateway: str) -> Callable[[int], None] | None:
    """Takes n slots of the gateway's rate limit before a chunk of n is sent; a missing limit fails now.

    The limit's size caps one acquisition, so a limit of 1 decaying at N/s (deployments/limits.yaml) and a
    limit of 500 decaying at N/s both pace at N messages a second; the larger one costs one call per chunk.
    """
    if gateway in UNLIMITED_GATEWAYS:
        return None
    name = rate_limit_name(gateway)
    with get_client(sync_client=True) as client:
        size = _limit_size(client, name, gateway)

    def pace(n: int) -> None:
        for taken in range(0, n, size):
            rate_limit(name, occupy=min(size, n - taken), strict=True)

    return pace
