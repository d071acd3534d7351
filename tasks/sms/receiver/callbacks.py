"""What a gateway's delivery callback says, read from its request: which message, which status, when.

Kannel calls the dlr-url we gave it per message:
`{MALUX_DLR_URL}/dlr/kannel?mid=<message_id>&token=<token_for(message_id)>&status=%d&at=%T`.
Africa's Talking posts every delivery report of the account to one callback URL, set once in its dashboard,
with its own message id; it cannot carry our per-message token, so that URL carries a gateway token in its
path (`{MALUX_DLR_URL}/dlr/africastalking/<gateway_token("africastalking-dlr")>`) and each report must name
an AT message id our outbox stored at send time for the same phone number (AT ids are random, never public).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from tasks.sms.dlr_token import token_for
from warehouse.sms_status import ReportStatus

# Each gateway's words for a report, onto the statuses MALUX stores (Kannel's are its dlr-mask bits).
KANNEL_DLR_TYPES = {
    1: ReportStatus.DELIVERED,
    2: ReportStatus.UNDELIVERED,
    4: ReportStatus.BUFFERED,
    8: ReportStatus.ACCEPTED,
    16: ReportStatus.REJECTED,
}
AT_STATUSES = {
    "success": ReportStatus.DELIVERED,
    "failed": ReportStatus.UNDELIVERED,
    "rejected": ReportStatus.REJECTED,
    "sent": ReportStatus.ACCEPTED,
    "submitted": ReportStatus.ACCEPTED,
    "buffered": ReportStatus.BUFFERED,
}
AT_OPTOUT_REASONS = frozenset({"userinblacklist"})  # AT's "UserInBlackList": the subscriber refused us
MESSAGE_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
_AT_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")


class MalformedCallback(ValueError):
    """A callback whose fields cannot be read; answered 400, because a retry of it would fail the same way."""


@dataclass(frozen=True)
class Callback:
    """One delivery report as received; exactly one of message_id and gateway_message_id names the message."""

    gateway: str
    status: str
    status_at: datetime  # naive UTC, like the outbox's other times
    message_id: str | None = None
    gateway_message_id: str | None = None
    phone: str | None = None
    error_code: str | None = None

    @property
    def opted_out(self) -> bool:
        """Whether the gateway reports that the subscriber refuses our messages."""
        return (self.error_code or "").casefold() in AT_OPTOUT_REASONS


def gateway_token(purpose: str, secret: bytes | None = None) -> str:
    """The token of a callback URL shared by all messages of a gateway (AT's reports, incoming messages)."""
    return token_for(f"gateway:{purpose}", secret)


def _one(fields: dict[str, list[str]], name: str) -> str:
    values = fields.get(name) or []
    if len(values) != 1 or not values[0].strip():
        raise MalformedCallback(f"{name} must be given once")
    return values[0].strip()


def epoch_to_utc(value: str) -> datetime:
    """Kannel's %T (seconds since the epoch) as a naive UTC datetime."""
    try:
        return datetime.fromtimestamp(int(value), UTC).replace(tzinfo=None)
    except (ValueError, OverflowError, OSError) as exc:
        raise MalformedCallback(f"not a unix time: {value[:20]!r}") from exc


def kannel_dlr(fields: dict[str, list[str]]) -> tuple[Callback, str]:
    """The callback of Kannel's dlr-url, and the token it carries (checked by the caller)."""
    mid = _one(fields, "mid")
    if not MESSAGE_ID.match(mid):
        raise MalformedCallback("mid is not a message id")
    try:
        status = KANNEL_DLR_TYPES[int(_one(fields, "status"))]
    except (KeyError, ValueError) as exc:
        raise MalformedCallback("status is not a Kannel dlr type (1, 2, 4, 8, 16)") from exc
    token = (fields.get("token") or [""])[0]
    return Callback("kannel", status, epoch_to_utc(_one(fields, "at")), message_id=mid), token


def africastalking_dlr(fields: dict[str, list[str]], now: datetime) -> Callback:
    """The callback of AT's delivery report POST (id, status, phoneNumber, networkCode, failureReason)."""
    at_id = _one(fields, "id")
    if not _AT_ID.match(at_id):
        raise MalformedCallback("id is not an Africa's Talking message id")
    raw_status = _one(fields, "status")
    status = AT_STATUSES.get(raw_status.casefold())
    if status is None:
        raise MalformedCallback(f"unknown Africa's Talking status {raw_status[:20]!r}")
    reason = (fields.get("failureReason") or [""])[0].strip() or None
    # AT's report has no time of its own: the time we receive it is the closest we know.
    return Callback(
        "africastalking", status, now, gateway_message_id=at_id, phone=_one(fields, "phoneNumber"),
        error_code=reason[:32] if reason else None,
    )  # fmt: skip


def incoming_time(value: str | None, now: datetime) -> datetime:
    """When an incoming message was sent, from the gateway (epoch seconds or ISO date), else now."""
    if not value or not value.strip():
        return now
    value = value.strip()
    if value.isdigit():
        return epoch_to_utc(value)
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise MalformedCallback(f"not a date: {value[:30]!r}") from exc
    return parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed
