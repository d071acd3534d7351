"""The receiver of delivery reports and incoming messages (`malux dlr-server`): the ASGI app on uvicorn.

uvicorn serves the app (`app.py`) from its own thread and event loop, with the limits an internet-facing
service needs (docs/security.md): request head size and time, body size and time, keep-alive,
connections at once. The writer thread (`store.py`) commits callbacks in batches behind it.
"""

from __future__ import annotations

import asyncio
import logging
import resource
import socket
import threading
import time
from datetime import timedelta

import uvicorn
from sqlalchemy import Engine

from malux.settings import ReceiverSettings, get_settings
from tasks.sms.dlr_token import dlr_secret
from tasks.sms.gateways import get_gateway
from tasks.sms.receiver.app import WAIT_FOR_COMMIT_S, Limits, ReceiverApp
from tasks.sms.receiver.callbacks import gateway_token
from tasks.sms.receiver.protocol import guarded_protocol
from tasks.sms.receiver.store import ReportWriter
from tasks.sms.replies import ReplySender

log = logging.getLogger("malux.dlr")
BACKLOG = 4096  # a burst waits in the kernel's queue, not refused (capped by net.core.somaxconn)
STARTS_WITHIN_S = 30.0
SPARE_FILES = 256  # beyond the connections: the warehouse, logs, the interpreter's own files


def fit_open_files(max_connections: int) -> None:
    """Raise the soft open-file limit so the connection cap, not EMFILE, is what refuses clients."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = max_connections + SPARE_FILES
    if soft != resource.RLIM_INFINITY and soft < wanted:
        ceiling = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (ceiling, hard))
        if ceiling < wanted:
            log.warning(
                "open-file limit %d is below MALUX_DLR_MAX_CONNECTIONS %d + %d: raise `ulimit -n`",
                ceiling, max_connections, SPARE_FILES,
            )  # fmt: skip


class Receiver:
    """The running receiver: a bound socket, uvicorn on it in a thread, the writer, the token secret."""

    def __init__(
        self,
        engine: Engine,
        host: str = "127.0.0.1",
        port: int = 0,
        secret: bytes | None = None,
        settings: ReceiverSettings | None = None,
    ) -> None:
        self.engine = engine
        self.secret = secret or dlr_secret()
        limits = settings or get_settings().receiver
        self.writer = ReportWriter(engine, clock_skew=timedelta(seconds=limits.clock_skew_s))
        sms = get_settings().sms
        self.replies = ReplySender(
            engine, lambda: get_gateway(sms.gateway),
            timedelta(seconds=sms.in_doubt_seconds), timedelta(seconds=sms.claim_lease_seconds),
        )  # fmt: skip
        app = ReceiverApp(
            engine, self.writer, self.secret,
            Limits(limits.max_body_bytes, limits.body_timeout_s, limits.clock_skew_s),
            self.replies, sms.daily_reply_cap,
        )  # fmt: skip
        fit_open_files(limits.max_connections)
        # Bound here, not by uvicorn, so the address (and a port taken) is known before serving starts.
        self.socket = socket.create_server((host, port), backlog=BACKLOG)
        config = uvicorn.Config(
            app,
            http=guarded_protocol(limits.header_timeout_s, limits.max_connections),
            lifespan="off",
            log_config=None,  # the CLI's logging; uvicorn's access log would print tokens
            access_log=False,
            server_header=False,
            backlog=BACKLOG,
            limit_concurrency=limits.max_connections,
            timeout_keep_alive=int(max(1, limits.keep_alive_s)),
            h11_max_incomplete_event_size=limits.max_header_bytes,
            timeout_graceful_shutdown=int(WAIT_FOR_COMMIT_S + limits.body_timeout_s),
        )
        self.server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> tuple[str, int]:
        host, port = self.socket.getsockname()[:2]
        return host, port

    @property
    def url(self) -> str:
        host, port = self.address
        return f"http://{host}:{port}"

    def start(self) -> Receiver:
        """Serve from a background thread; returns once uvicorn listens."""
        self.writer.start()
        self.replies.start()
        self._thread = threading.Thread(target=self._serve, name="dlr-http", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + STARTS_WITHIN_S
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.writer.stop()
                self.replies.stop()
                raise RuntimeError("the receiver did not start (see the log above)")
            time.sleep(0.01)
        return self

    def _serve(self) -> None:
        asyncio.run(self.server.serve(sockets=[self.socket]))

    def serve_forever(self) -> None:
        """Serve until interrupted (the CLI's signal handlers raise KeyboardInterrupt), then stop cleanly."""
        self.start()
        try:
            while self._thread is not None and self._thread.is_alive():
                self._thread.join(0.5)
        finally:
            self.stop()

    def stop(self) -> None:
        """Stop accepting, finish every reply in flight, write every queued callback."""
        self.server.should_exit = True
        if self._thread is not None:
            self._thread.join()
            self._thread = None
            self.writer.stop()
            self.replies.stop()
        self.socket.close()


def callback_urls(base_url: str, secret: bytes | None = None) -> dict[str, str]:
    """The URLs to configure at each gateway, with their tokens (secrets: show them, never log them)."""
    base = base_url.rstrip("/")
    return {
        "kannel dlr-url (set per message by the kannel gateway)": f"{base}/dlr/kannel?mid=…&token=…",
        "kannel sms-service get-url": kannel_get_url(base, secret),
        "africastalking delivery reports callback": f"{base}/dlr/africastalking/"
        + gateway_token("africastalking-dlr", secret),
        "africastalking incoming messages callback": f"{base}/mo/africastalking/"
        + gateway_token("africastalking-mo", secret),
    }


def kannel_get_url(base_url: str, secret: bytes | None = None) -> str:
    """Kannel's sms-service get-url: sender %p, receiver %P, text %a, Kannel's id %I, time %t, our token."""
    token = gateway_token("kannel-mo", secret)
    return f"{base_url.rstrip('/')}/mo/kannel?from=%p&to=%P&text=%a&id=%I&at=%t&token={token}"


def kannel_sms_service(base_url: str, secret: bytes | None = None) -> str:
    """The kannel.conf group that hands every incoming message to the receiver and lets MALUX answer it."""
    return "\n".join(
        [
            "# MALUX: every incoming message to the receiver; MALUX answers through its outbox",
            "group = sms-service",
            "keyword = default",
            f'get-url = "{kannel_get_url(base_url, secret)}"',
            "max-messages = 0",
            "omit-empty = true",
            "catch-all = true",
            "",
        ]
    )
