"""Africa's Talking bulk messaging API: messages of one text go together in one request, answered per number.

POST {MALUX_AT_URL}/version1/messaging, form username/to/message[/from], header apiKey; the JSON answer lists
each recipient with a statusCode and AT's messageId, which the outbox keeps so that AT's delivery reports
(keyed by that id) find their message (see tasks/sms/receiver/callbacks.py).
"""

from __future__ import annotations

import logging
from collections import defaultdict

import requests

from malux.settings import AfricasTalkingSettings, get_settings
from tasks.sms.gateways.base import OutgoingSms, SendResult

log = logging.getLogger("malux.sms.africastalking")
ACCEPTED = {100: "Processed", 101: "Processed", 102: "Sent"}
# Worth another try later: AT or the operator had a passing problem, or the account needs topping up.
TRANSIENT = {405: "InsufficientBalance", 500: "InternalServerError", 501: "GatewayError"}
# Final: retrying would fail the same way, or (RiskHold) might send twice once AT releases the message.
PERMANENT = {
    401: "RiskHold", 402: "InvalidSenderId", 403: "InvalidPhoneNumber", 404: "UnsupportedNumberType",
    406: "UserInBlacklist", 407: "CouldNotRoute", 502: "RejectedByGateway",
}  # fmt: skip
MAX_RECIPIENTS = 500  # per request; AT takes more, but a smaller request fails less at once


class GatewayConfigError(RuntimeError):
    """AT refused our credentials: every message would fail, so the chunk rolls back instead."""


def answer_for(message_id: str, recipient: dict) -> SendResult:
    """One recipient's line of AT's answer as the outbox needs it."""
    code = int(recipient.get("statusCode") or 0)
    if code in ACCEPTED:
        return SendResult(message_id, True, recipient.get("messageId"))
    name = recipient.get("status") or TRANSIENT.get(code) or PERMANENT.get(code) or "unknown status"
    return SendResult(message_id, False, None, f"africastalking {code} {name}", code in TRANSIENT)


class AfricasTalkingGateway:
    """Sends through AT's bulk API; a message is taken only when AT lists its number as processed or sent."""

    name = "africastalking"

    def __init__(self, settings: AfricasTalkingSettings | None = None) -> None:
        self.settings = settings or get_settings().africastalking
        self.session = requests.Session()

    def send(self, messages: list[OutgoingSms]) -> list[SendResult]:
        """Group by text, one number at most once per request, then read AT's answer per number."""
        by_text: dict[str, list[OutgoingSms]] = defaultdict(list)
        for sms in messages:
            by_text[sms.text].append(sms)
        results: list[SendResult] = []
        for text, group in by_text.items():
            for request in _requests(group):
                results += self._post(text, request)
        return results

    def _post(self, text: str, group: list[OutgoingSms]) -> list[SendResult]:
        s = self.settings
        form = {"username": s.username, "to": ",".join(m.to for m in group), "message": text}
        if s.sender_id:
            form["from"] = s.sender_id
        headers = {"apiKey": s.api_key.get_secret_value(), "Accept": "application/json"}
        try:
            answer = self.session.post(
                f"{s.url.rstrip('/')}/version1/messaging", data=form, headers=headers, timeout=s.timeout_s
            )
        except requests.RequestException as exc:  # refused, reset, timed out: try again later
            return [
                SendResult(
                    m.message_id, False, None, f"africastalking unreachable: {type(exc).__name__}", True
                )
                for m in group
            ]
        if answer.status_code == 401:
            raise GatewayConfigError(f"Africa's Talking refused user {s.username!r}: check MALUX_AT_API_KEY")
        if answer.status_code >= 500 or answer.status_code == 429:
            return [
                SendResult(m.message_id, False, None, f"africastalking HTTP {answer.status_code}", True)
                for m in group
            ]
        try:
            recipients = answer.json()["SMSMessageData"]["Recipients"]
        except (ValueError, KeyError, TypeError):
            error = f"africastalking HTTP {answer.status_code}: {answer.text[:80]!r}"
            return [SendResult(m.message_id, False, None, error, False) for m in group]
        by_number = {r.get("number"): r for r in recipients}
        log.info(
            "africastalking took %d of %d messages",
            sum(int(r.get("statusCode") or 0) in ACCEPTED for r in recipients),
            len(group),
        )
        # A number AT does not list was not sent: the outbox's "no answer" default retries it.
        return [answer_for(m.message_id, by_number[m.to]) for m in group if m.to in by_number]


def _requests(group: list[OutgoingSms]) -> list[list[OutgoingSms]]:
    """Split one text's messages into requests where each number appears once (AT answers per number)."""
    batches: list[tuple[list[OutgoingSms], set[str]]] = []
    for sms in group:
        batch = next((b for b in batches if len(b[0]) < MAX_RECIPIENTS and sms.to not in b[1]), None)
        if batch is None:
            batch = ([], set())
            batches.append(batch)
        batch[0].append(sms)
        batch[1].add(sms.to)
    return [messages for messages, _ in batches]
