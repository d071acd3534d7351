"""The HTTP receiver of delivery reports and incoming messages (`malux dlr-server`), on the stdlib server.

Routes (GET or POST, query string or form body):
- `/dlr/kannel?mid=&token=&status=%d&at=%T`          Kannel's dlr-url, a token per message
- `/dlr/africastalking/<gateway_token("africastalking-dlr")>`  AT's delivery reports (id, status, phoneNumber)
- `/mo/kannel?from=%p&text=%a&at=%T&token=<gateway_token("kannel-mo")>`  Kannel sms-service get-url
- `/mo/africastalking/<gateway_token("africastalking-mo")>`   AT's incoming messages (from, text, date)
- `/health`
Answers: 200 stored (or already stored), 400 malformed, 403 bad token, 404 no such message, 500 not stored
(the gateway retries). A reply waits for the commit of its batch, so a 200 is never lost.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import Engine

from tasks.sms.dlr_token import dlr_secret, token_is_valid
from tasks.sms.optout import is_stop, mask_phone, opt_out_phone
from tasks.sms.receiver.callbacks import (
    MalformedCallback,
    africastalking_dlr,
    gateway_token,
    incoming_time,
    kannel_dlr,
)
from tasks.sms.receiver.store import Outcome, ReportWriter

log = logging.getLogger("malux.dlr")
MAX_BODY = 64 * 1024
WAIT_FOR_COMMIT_S = 60.0


class DlrHTTPServer(ThreadingHTTPServer):
    """ThreadingHTTPServer with a listen backlog for bursts (the default 5 lost 300 of 4 000 Kannel DLRs) and
    a pool of handler threads kept for the server's life: starting a thread per callback made the accept loop
    wait for each new thread to get the GIL, which capped the rate at which callbacks were taken in."""

    request_queue_size = 4096  # the kernel caps it at net.core.somaxconn (4096 here)
    handler_threads = 512  # callbacks answered at once, each waiting for its batch's commit (MAX_BATCH 500)
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(address, handler)
        self._pool = ThreadPoolExecutor(self.handler_threads, thread_name_prefix="dlr-http")

    def process_request(self, request: socket.socket, client_address: tuple[str, int]) -> None:
        self._pool.submit(self.process_request_thread, request, client_address)

    def server_close(self) -> None:
        """Stop listening, then wait for every reply in flight."""
        super().server_close()
        self._pool.shutdown(wait=True)


class Receiver:
    """The running receiver: HTTP server, writer thread and the secret that checks tokens."""

    def __init__(self, engine: Engine, host: str = "127.0.0.1", port: int = 0, secret: bytes | None = None):
        self.engine = engine
        self.secret = secret or dlr_secret()
        self.writer = ReportWriter(engine)
        self.httpd = DlrHTTPServer((host, port), _handler_for(self))
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> Receiver:
        """Serve in a background thread (tests, embedding); `serve_forever` is for the CLI."""
        self.writer.start()
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="dlr-http", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self.writer.start()
        try:
            self.httpd.serve_forever()
        finally:
            self._close()

    def stop(self) -> None:
        """Stop accepting, finish every reply in flight, write every queued callback."""
        self.httpd.shutdown()
        if self._thread is not None:
            self._thread.join()
            self._close()

    def _close(self) -> None:
        self.httpd.server_close()  # joins the handler threads, which wait for the writer
        self.writer.stop()

    # -- what each route does; each returns (HTTP status, body) --------------------------------------------

    def _now(self) -> datetime:
        return datetime.now(UTC).replace(tzinfo=None)

    def _store(self, callback, who: str) -> tuple[int, str]:
        try:
            outcome = self.writer.submit(callback).result(timeout=WAIT_FOR_COMMIT_S)
        except Exception:
            return 500, "not stored, try again"
        if outcome is Outcome.UNKNOWN:
            log.warning("%s callback for an unknown message %s (%s)", callback.gateway, who, callback.status)
            return 404, "unknown message"
        return 200, outcome.value

    def dlr_kannel(self, fields: dict[str, list[str]], _path_token: str) -> tuple[int, str]:
        callback, token = kannel_dlr(fields)
        if not token_is_valid(callback.message_id or "", token, self.secret):
            log.warning("refused a Kannel callback for message %s: bad token", callback.message_id)
            return 403, "bad token"
        return self._store(callback, callback.message_id or "")

    def dlr_africastalking(self, fields: dict[str, list[str]], path_token: str) -> tuple[int, str]:
        if not token_is_valid("gateway:africastalking-dlr", path_token, self.secret):
            log.warning("refused an Africa's Talking delivery report: bad token")
            return 403, "bad token"
        callback = africastalking_dlr(fields, self._now())
        return self._store(callback, f"{callback.gateway_message_id} to {mask_phone(callback.phone)}")

    def mo(self, gateway: str, fields: dict[str, list[str]], token: str) -> tuple[int, str]:
        if not token_is_valid(f"gateway:{gateway}-mo", token, self.secret):
            log.warning("refused an incoming message from %s: bad token", gateway)
            return 403, "bad token"
        sender = (fields.get("from") or [""])[0]
        text = (fields.get("text") or [""])[0]
        if not sender:
            raise MalformedCallback("from must be given")
        if not is_stop(text):
            log.info("incoming message from %s ignored: not an opt-out", mask_phone(sender))
            return 200, ""
        at = incoming_time((fields.get("at") or fields.get("date") or [None])[0], self._now())
        ids = opt_out_phone(self.engine, sender, at, "stop_reply")
        log.info("STOP from %s: %d beneficiaries opted out", mask_phone(sender), len(ids))
        return (
            200,
            "",
        )  # an empty answer: Kannel sends no reply SMS (set omit-empty = true on the sms-service)


Route = Callable[[Receiver, dict[str, list[str]], str], tuple[int, str]]
ROUTES: dict[str, Route] = {
    "/dlr/kannel": Receiver.dlr_kannel,
    "/dlr/africastalking": Receiver.dlr_africastalking,
    "/mo/kannel": lambda r, f, _t: r.mo("kannel", f, (f.get("token") or [""])[0]),
    "/mo/africastalking": lambda r, f, t: r.mo("africastalking", f, t),
}


def _route(path: str) -> tuple[Route | None, str]:
    """The route of a path and the token in its last segment, for the routes that carry one there."""
    if path in ROUTES:
        return ROUTES[path], ""
    head, _, tail = path.rpartition("/")
    return ROUTES.get(head), tail


def _handler_for(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        """One callback: read, check, hand to the writer, answer when committed."""

        protocol_version = "HTTP/1.1"
        server_version = "malux-dlr"
        timeout = 30  # a client that connects and says nothing cannot hold a clean stop for longer

        def _answer(self, status: int, body: str) -> None:
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            # One callback per connection, as smsbox makes them: no idle keep-alive can hold a clean stop.
            self.send_header("Connection", "close")
            self.close_connection = True
            self.end_headers()
            self.wfile.write(data)

        def _handle(self, body: bytes) -> None:
            url = urlsplit(self.path)
            if url.path == "/health":
                return self._answer(200, "ok")
            route, token = _route(url.path.rstrip("/"))
            if route is None:
                return self._answer(404, "unknown path")
            fields = parse_qs(url.query, keep_blank_values=True)
            if body:
                for name, values in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items():
                    fields.setdefault(name, []).extend(values)
            try:
                self._answer(*route(receiver, fields, token))
            except MalformedCallback as exc:
                log.warning("malformed callback on %s: %s", "/".join(url.path.split("/")[:3]), exc)
                self._answer(400, f"malformed: {exc}")
            except Exception as exc:  # e.g. the warehouse is down: the gateway retries a 500
                log.error("callback on %s failed: %s", "/".join(url.path.split("/")[:3]), type(exc).__name__)
                self._answer(500, "not stored, try again")

        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            self._handle(b"")

        def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self.close_connection = True
                return self._answer(413, "too large")
            self._handle(self.rfile.read(length) if length else b"")

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass  # the access log would hold query strings, with tokens and phone numbers in clear

    return Handler


def callback_urls(base_url: str, secret: bytes | None = None) -> dict[str, str]:
    """The URLs to configure at each gateway, with their tokens (secrets: show them, never log them)."""
    base = base_url.rstrip("/")
    return {
        "kannel dlr-url (set per message by the kannel gateway)": f"{base}/dlr/kannel?mid=…&token=…",
        "kannel sms-service get-url": f"{base}/mo/kannel?from=%p&text=%a&at=%T&token="
        + gateway_token("kannel-mo", secret),
        "africastalking delivery reports callback": f"{base}/dlr/africastalking/"
        + gateway_token("africastalking-dlr", secret),
        "africastalking incoming messages callback": f"{base}/mo/africastalking/"
        + gateway_token("africastalking-mo", secret),
    }
