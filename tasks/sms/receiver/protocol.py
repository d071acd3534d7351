"""uvicorn's h11 protocol with the two guards it lacks: a deadline for the request head, a cap on connections.

uvicorn arms its keep-alive timer only after a response, so a client that connects and sends its headers one
line every few seconds (slowloris) holds its connection for ever; and it accepts every connection, answering
503 only once a request's head is complete. Here a connection must deliver its request line and headers
within `head_timeout_s`, and one beyond `max_connections` is closed as soon as it is accepted.
"""

from __future__ import annotations

import asyncio
import logging

from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger("malux.dlr")


class GuardedH11Protocol(H11Protocol):
    """One connection to the receiver; its limits are class attributes set by `guarded_protocol`."""

    head_timeout_s: float = 10.0
    max_connections: int = 4096

    _head_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        if len(self.connections) >= self.max_connections:
            self.transport = transport  # connection_lost closes it again, harmlessly
            transport.abort()
            log.debug("connection refused: %d connections already open", len(self.connections))
            return
        super().connection_made(transport)
        self._head_deadline = self.loop.call_later(self.head_timeout_s, self._head_too_slow)

    def handle_events(self) -> None:
        super().handle_events()
        if self.cycle is not None and self._head_deadline is not None:  # the head arrived in time
            self._head_deadline.cancel()
            self._head_deadline = None

    def connection_lost(self, exc: Exception | None) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None
        super().connection_lost(exc)

    def _head_too_slow(self) -> None:
        self._head_deadline = None
        if self.cycle is None and not self.transport.is_closing():
            log.debug("dropped a connection that sent no complete request head in %s s", self.head_timeout_s)
            self.transport.abort()


def guarded_protocol(head_timeout_s: float, max_connections: int) -> type[GuardedH11Protocol]:
    """The protocol class uvicorn builds each connection from, with these limits."""
    limits = {"head_timeout_s": head_timeout_s, "max_connections": max_connections}
    return type("ReceiverH11Protocol", (GuardedH11Protocol,), limits)
