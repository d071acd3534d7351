"""The receiver's routes as an ASGI app (Starlette): each callback's token is checked before its body is read.

Routes (GET or POST; fields from the query string, and for POST from a form body too):
- `/dlr/kannel?mid=&token=&status=%d&at=%T`          Kannel's dlr-url, a token per message (mid and token in
  the query, as the kannel gateway writes them)
- `/dlr/africastalking/<gateway_token("africastalking-dlr")>`  AT's delivery reports (id, status, phoneNumber)
- `/mo/kannel?from=%p&to=%P&text=%a&id=%I&at=%t&token=<gateway_token("kannel-mo")>`  Kannel's get-url
- `/mo/africastalking/<gateway_token("africastalking-mo")>`  AT's incoming messages (from, to, text, date, id)
An incoming message is stored once (tasks/sms/inbox.py) and answered through the outbox, not in the response.
- `/health`
Answers: 200 stored (or already stored), 400 malformed or implausible, 403 bad token, 404 no such message,
405 another method, 408 body too slow, 413 body too large, 500 not stored (the gateway retries). A reply waits
for the commit of its batch, so a 200 is never lost. Every connection carries one callback, as smsbox makes
them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse
from starlette.types import Receive, Scope, Send

from tasks.sms.dlr_token import token_is_valid
from tasks.sms.inbox import Incoming, store_and_answer
from tasks.sms.optout import mask_phone
from tasks.sms.receiver.callbacks import (
    MESSAGE_ID,
    Callback,
    MalformedCallback,
    africastalking_dlr,
    incoming_time,
    kannel_dlr,
)
from tasks.sms.receiver.store import Outcome, ReportWriter
from tasks.sms.replies import ReplySender

log = logging.getLogger("malux.dlr")
WAIT_FOR_COMMIT_S = 60.0
Fields = dict[str, list[str]]
Answer = tuple[int, str]


@dataclass(frozen=True)
class Limits:
    """What one callback may cost the receiver (the `receiver` settings)."""

    max_body_bytes: int = 65536
    body_timeout_s: float = 10.0
    clock_skew_s: float = 300.0


class _BodyTooLarge(Exception):
    """The body passed the limit: the rest is never read."""


@dataclass(frozen=True)
class _Route:
    """A route: what its token signs, where the token is, and what to do once the body is read."""

    signs: Callable[[Fields], str | None]  # the subject of the token, from the query alone
    token_in_path: bool
    what: Callable[[Fields], str]  # what a refused callback was, for the log
    handle: Callable[[ReceiverApp, Fields], Awaitable[Answer]]


def _first(fields: Fields, name: str) -> str:
    return (fields.get(name) or [""])[0]


def _printable_mid(fields: Fields) -> str:
    """The mid of a refused callback for the log: an attacker's text is never written as it came."""
    mid = _first(fields, "mid")
    return mid if MESSAGE_ID.match(mid) else "(not a message id)"


class ReceiverApp:
    """The ASGI app: route, token, body within its limits, then the callback handed to the writer."""

    def __init__(
        self,
        engine: Engine,
        writer: ReportWriter,
        secret: bytes,
        limits: Limits,
        replies: ReplySender | None = None,
        daily_cap: int = 5,
    ) -> None:
        self.engine, self.writer, self.secret, self.limits = engine, writer, secret, limits
        self.replies, self.daily_cap = replies, daily_cap

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        status, body = await self._answer(request)
        response = PlainTextResponse(body, status, headers={"Connection": "close"})
        await response(scope, receive, send)

    async def _answer(self, request: Request) -> Answer:
        path = request.url.path.rstrip("/")
        where = "/".join(path.split("/")[:3])  # the route without a token in the path, for the log
        if path == "/health":
            return 200, "ok"
        route, path_token = _route(path)
        if route is None:
            return 404, "unknown path"
        if request.method not in ("GET", "POST"):
            return 405, "GET or POST"
        fields = parse_qs(request.url.query, keep_blank_values=True)
        token = path_token if route.token_in_path else _first(fields, "token")
        subject = route.signs(fields)
        if not subject or not token_is_valid(subject, token, self.secret):
            log.warning("refused %s: bad token", route.what(fields))
            return 403, "bad token"
        try:
            body = await asyncio.wait_for(self._body(request), self.limits.body_timeout_s)
        except _BodyTooLarge:
            log.warning("refused a callback on %s: body over %d bytes", where, self.limits.max_body_bytes)
            return 413, "too large"
        except TimeoutError:
            log.warning("refused a callback on %s: body too slow", where)
            return 408, "body too slow"
        except ClientDisconnect:
            return 400, "disconnected"
        if body:
            for name, values in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items():
                fields.setdefault(name, []).extend(values)
        try:
            return await route.handle(self, fields)
        except MalformedCallback as exc:
            log.warning("malformed callback on %s: %s", where, exc)
            return 400, f"malformed: {exc}"
        except Exception as exc:  # e.g. the warehouse is down: the gateway retries a 500
            log.error("callback on %s failed: %s", where, type(exc).__name__)
            return 500, "not stored, try again"

    async def _body(self, request: Request) -> bytes:
        """The body, refused unread when its declared length is over the limit, else read up to it."""
        declared = request.headers.get("content-length")
        if declared is not None and int(declared) > self.limits.max_body_bytes:  # h11 checked the digits
            raise _BodyTooLarge
        chunks, size = [], 0
        async for chunk in request.stream():  # a chunked body has no declared length: count as it comes
            size += len(chunk)
            if size > self.limits.max_body_bytes:
                raise _BodyTooLarge
            chunks.append(chunk)
        return b"".join(chunks)

    # -- what each route does, once its token is good and its body read ----------------------------------

    def _now(self) -> datetime:
        return datetime.now(UTC).replace(tzinfo=None)

    async def _store(self, callback: Callback, who: str) -> Answer:
        future = asyncio.wrap_future(self.writer.submit(callback))
        try:  # shielded: the writer sets the result even when this reply gave up waiting
            outcome = await asyncio.wait_for(asyncio.shield(future), WAIT_FOR_COMMIT_S)
        except Exception:
            return 500, "not stored, try again"
        if outcome is Outcome.UNKNOWN:
            log.warning("%s callback for an unknown message %s (%s)", callback.gateway, who, callback.status)
            return 404, "unknown message"
        if outcome is Outcome.IMPLAUSIBLE:
            log.warning(
                "refused a %s report for message %s: its time %s is before the message was queued",
                callback.gateway, who, callback.status_at.isoformat(),
            )  # fmt: skip
            return 400, "implausible time"
        return 200, outcome.value

    async def dlr_kannel(self, fields: Fields) -> Answer:
        callback, _token = kannel_dlr(fields)
        if callback.status_at > self._now() + timedelta(seconds=self.limits.clock_skew_s):
            log.warning(
                "refused a kannel report for message %s: its time %s is in the future",
                callback.message_id, callback.status_at.isoformat(),
            )  # fmt: skip
            return 400, "implausible time"
        return await self._store(callback, callback.message_id or "")

    async def dlr_africastalking(self, fields: Fields) -> Answer:
        callback = africastalking_dlr(fields, self._now())
        return await self._store(callback, f"{callback.gateway_message_id} to {mask_phone(callback.phone)}")

    async def mo(self, gateway: str, fields: Fields) -> Answer:
        """Store the message and queue its one reply (sent by the reply thread, not in this response)."""
        sender, text = _first(fields, "from"), _first(fields, "text")
        if not sender:
            raise MalformedCallback("from must be given")
        at = incoming_time((fields.get("at") or fields.get("date") or [None])[0], self._now())
        gateway_id = (_first(fields, "id") or None) and _first(fields, "id")[:128]
        incoming = Incoming(gateway, sender, text, at, _first(fields, "to") or None, gateway_id)
        stored = await run_in_threadpool(store_and_answer, self.engine, incoming, self.daily_cap)
        if not stored.new:
            log.info("incoming message %d from %s received again: not answered twice", stored.inbox_id,
                     mask_phone(sender))  # fmt: skip
        elif stored.reply_week is not None and self.replies is not None:
            self.replies.submit(stored.reply_week)
        return 200, ""  # empty: Kannel sends no reply SMS of its own (omit-empty = true on the sms-service)


ROUTES: dict[str, _Route] = {
    "/dlr/kannel": _Route(
        lambda f: _first(f, "mid") or None, False,
        lambda f: f"a Kannel callback for message {_printable_mid(f)}", ReceiverApp.dlr_kannel,
    ),
    "/dlr/africastalking": _Route(
        lambda _f: "gateway:africastalking-dlr", True, lambda _f: "an Africa's Talking delivery report",
        ReceiverApp.dlr_africastalking,
    ),
    "/mo/kannel": _Route(
        lambda _f: "gateway:kannel-mo", False, lambda _f: "an incoming message from kannel",
        lambda app, f: app.mo("kannel", f),
    ),
    "/mo/africastalking": _Route(
        lambda _f: "gateway:africastalking-mo", True, lambda _f: "an incoming message from africastalking",
        lambda app, f: app.mo("africastalking", f),
    ),
}  # fmt: skip


def _route(path: str) -> tuple[_Route | None, str]:
    """The route of a path and the token in its last segment, for the routes that carry one there."""
    if path in ROUTES:
        return ROUTES[path], ""
    head, _, tail = path.rpartition("/")
    route = ROUTES.get(head)
    return (route, tail) if route is not None and route.token_in_path else (None, "")
