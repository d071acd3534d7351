"""A minimal delivery-report receiver for the Kannel tests: checks the token, keeps every callback."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import Engine, insert

from tasks.sms.dlr_token import token_is_valid
from warehouse.schema import sms_delivery_reports

STATUSES = {"1": "delivered", "2": "undelivered", "4": "buffered", "8": "accepted", "16": "rejected"}


class _Server(ThreadingHTTPServer):
    request_queue_size = 1024  # smsbox opens a connection per callback: a burst must not be dropped
    daemon_threads = True


class DlrSink:
    """Listens on 127.0.0.1; `reports` holds (message_id, status, epoch seconds) of each valid callback."""

    def __init__(self, secret: bytes) -> None:
        self.secret, self.reports, self.forged = secret, [], 0
        self.lock = threading.Lock()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                q = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
                ok = token_is_valid(q.get("mid", ""), q.get("token", ""), sink.secret)
                with sink.lock:
                    if ok:
                        sink.reports.append((q["mid"], STATUSES.get(q.get("status", ""), "?"), q.get("at")))
                    else:
                        sink.forged += 1
                self.send_response(200 if ok else 403)
                self.end_headers()

            def log_message(self, *_args) -> None:
                pass

        self.server = _Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        """The base URL (MALUX_DLR_URL)."""
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def delivered(self) -> set[str]:
        """Message ids with a 'delivered' report."""
        with self.lock:
            return {mid for mid, status, _ in self.reports if status == "delivered"}

    def wait_delivered(self, count: int, timeout: float = 30.0) -> set[str]:
        """The delivered ids once there are `count` of them, or at the deadline."""
        deadline = time.monotonic() + timeout
        while len(done := self.delivered()) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return done

    def store(self, engine: Engine, batch_id: int = 1) -> int:
        """Write the reports received so far into sms_delivery_reports, as the real receiver would."""
        with self.lock:
            rows = {(mid, status, int(at or 0)) for mid, status, at in self.reports}

        def at_utc(at: int) -> datetime:
            return datetime.fromtimestamp(at, UTC).replace(tzinfo=None)

        values = [
            {"message_id": m, "status": st, "status_at": at_utc(at), "batch_id": batch_id, "source_row": i}
            for i, (m, st, at) in enumerate(sorted(rows), start=1)
        ]
        with engine.begin() as conn:
            conn.execute(sms_delivery_reports.delete())
            if values:
                conn.execute(insert(sms_delivery_reports), values)
        return len(values)

    def close(self) -> None:
        """Stop listening."""
        self.server.shutdown()
        self.server.server_close()
