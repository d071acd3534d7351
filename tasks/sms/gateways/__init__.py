"""SMS gateways behind one interface, chosen by name (get_settings().sms.gateway)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from malux.settings import get_settings
from tasks.sms.gateways.base import Gateway, OutgoingSms, SendResult
from tasks.sms.gateways.file import FileGateway
from tasks.sms.gateways.kannel import KannelGateway, kannel_from_env


def _file(out_dir: Path | None = None) -> Gateway:
    return FileGateway(out_dir or get_settings().outbox_dir)


def _africastalking() -> Gateway:
    from tasks.sms.gateways.africastalking import AfricasTalkingGateway  # reads MALUX_AT_* when chosen

    return AfricasTalkingGateway()


GATEWAYS: dict[str, Callable[..., Gateway]] = {
    "file": _file,
    "kannel": kannel_from_env,
    "africastalking": _africastalking,
}


def get_gateway(name: str, **options: object) -> Gateway:
    """The gateway registered under a name, built with its options (e.g. out_dir for "file")."""
    if name not in GATEWAYS:
        raise ValueError(f"unknown SMS gateway {name!r}; known gateways: {', '.join(sorted(GATEWAYS))}")
    return GATEWAYS[name](**options)


__all__ = ["FileGateway", "Gateway", "KannelGateway", "OutgoingSms", "SendResult", "get_gateway"]
