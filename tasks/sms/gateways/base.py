"""What every SMS gateway takes and answers, so the outbox never depends on one vendor."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class OutgoingSms:
    """One message as handed to a gateway; campaign and week let a gateway file or tag it."""

    message_id: str
    campaign: str
    week: int
    to: str
    text: str
    encoding: str
    segments: int


@dataclass(frozen=True)
class SendResult:
    """A gateway's answer for one message; transient rejections may be retried, others are final.

    in_doubt: the request may have reached the gateway (e.g. a read timeout): never sent again blindly.
    """

    message_id: str
    accepted: bool
    gateway_message_id: str | None = None
    error: str | None = None
    transient: bool = False
    in_doubt: bool = False


class Gateway(Protocol):
    """An SMS gateway: a name for the outbox rows and a batch send that answers per message."""

    name: str

    def send(self, messages: list[OutgoingSms]) -> list[SendResult]: ...
