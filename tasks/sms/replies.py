"""The receiver's reply sender: one thread that sends each queued reply through the broadcast's sender code.

Each reply is its own outbox "week" (campaign `mo`), so its claim never waits behind a weekly broadcast's
rows, and a reply a dead receiver left in doubt is judged by the same in-doubt rule when it restarts.
Replies are paced by the gateway's rate limit (`tasks/sms/pacing.py`), beside the broadcast, never behind it.
A reply the gateway turns away for now stays queued however often that happens (the idle loop tries it
again); only a refusal for good fails it, and a reply that may have reached the gateway waits for the
in-doubt rule, so none is sent twice.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import Engine

from tasks.redact import redact
from tasks.sms.gateways.base import Gateway
from tasks.sms.inbox import REPLY_CAMPAIGN, unsent_reply_weeks
from tasks.sms.outbox import send_queued
from tasks.sms.pacing import sms_pace

log = logging.getLogger("malux.replies")
_STOP = -1
RETRY_EVERY_S = 60.0  # how often replies the gateway turned away for now, or left in doubt, are tried again


class ReplySender:
    """Sends the replies handed to it, in order; on start, and every `retry_every_s` while idle, also those
    left unsent (the gateway refused them for now, or a previous receiver died holding them)."""

    def __init__(
        self,
        engine: Engine,
        gateway: Callable[[], Gateway],
        in_doubt_after: timedelta,
        claim_lease: timedelta,
        retry_every_s: float = RETRY_EVERY_S,
        pace: Callable[[str], Callable[[int], None]] = sms_pace,
    ) -> None:
        """pace: given the gateway's name, the hook taking n of its rate limit's slots before n are sent."""
        self.engine, self._gateway, self.retry_every_s = engine, gateway, retry_every_s
        self._pace = pace
        self.in_doubt_after, self.claim_lease = in_doubt_after, claim_lease
        self._queue: queue.Queue[int] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._retry_at = 0.0  # when the unsent replies are next looked for (time.monotonic)

    def start(self) -> ReplySender:
        self._requeue_unsent()
        self._retry_at = time.monotonic() + self.retry_every_s
        self._thread = threading.Thread(target=self._run, name="sms-replies", daemon=True)
        self._thread.start()
        return self

    def submit(self, week: int) -> None:
        self._queue.put(week)

    def stop(self) -> None:
        """Send what is queued, then stop."""
        if self._thread is not None:
            self._queue.put(_STOP)
            self._thread.join()
            self._thread = None

    def _requeue_unsent(self) -> None:
        for week in unsent_reply_weeks(self.engine):
            self._queue.put(week)

    def _next(self) -> int | None:
        """The next reply to send; None every `retry_every_s`, busy or idle, after queueing what is left
        unsent, so a steady stream of new requests never keeps a refused reply from its next try."""
        wait = self._retry_at - time.monotonic()
        if wait > 0:
            try:
                return self._queue.get(timeout=wait)
            except queue.Empty:
                pass
        self._retry_at = time.monotonic() + self.retry_every_s
        try:
            self._requeue_unsent()
        except Exception as exc:  # the warehouse is away: try again at the next turn
            log.error("could not look for unsent replies: %s", type(exc).__name__)
        return None

    def _run(self) -> None:
        gateway, pace = None, None
        while (week := self._next()) != _STOP:
            if week is None:
                continue
            try:
                gateway = gateway or self._gateway()
                try:
                    pace = pace or self._pace(gateway.name)
                except Exception as exc:  # no pace, no send: the reply stays queued, tried again later
                    log.error(
                        "reply %d not sent, %s cannot be paced: %s", week, gateway.name, redact(str(exc))
                    )
                    continue
                summary = send_queued(
                    self.engine, REPLY_CAMPAIGN, week, gateway, workers=1, pace=pace, max_attempts=None,
                    in_doubt_after=self.in_doubt_after, claim_lease=self.claim_lease,
                )  # fmt: skip
                log.info("reply %d: %d sent, %d failed, %d in doubt", week, summary.sent, summary.failed,
                         summary.in_doubt)  # fmt: skip
            except Exception as exc:  # the reply stays queued: the next look for unsent replies sends it
                log.error("reply %d not sent: %s", week, type(exc).__name__)
