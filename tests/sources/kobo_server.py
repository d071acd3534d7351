"""A KoboToolbox-shaped HTTP server on 127.0.0.1 for the tests: v2 data pages, Token auth, paging, a query."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

TOKEN = "s3cr3t-kobo-token-0123456789abcdef"
ASSET = "aTrainingForm"


@dataclass
class KoboState:
    """What the fake Kobo holds and how it misbehaves; `requests` records every request it received."""

    assets: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    token: str = TOKEN
    honour_query: bool = True
    failures: list[int] = field(default_factory=list)  # statuses answered, one per request, before any page
    next_host: str | None = None  # write `next` links on another host, as a proxy in front of Kobo may
    requests: list[dict[str, Any]] = field(default_factory=list)


def _handler(state: KoboState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: Any) -> None:  # keep the test output clean
            pass

        def _send(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            state.requests.append(
                {"path": parts.path, "query": query, "authorization": self.headers.get("Authorization")}
            )
            if state.failures:
                self._send(state.failures.pop(0), {"detail": "Server Error"})
                return
            if self.headers.get("Authorization") != f"Token {state.token}":
                self._send(401, {"detail": "Invalid token."})
                return
            segments = parts.path.strip("/").split("/")  # api v2 assets <uid> data
            if len(segments) != 5 or segments[:3] != ["api", "v2", "assets"] or segments[4] != "data":
                self._send(404, {"detail": "Not found."})
                return
            if segments[3] not in state.assets:
                self._send(404, {"detail": "Not found."})
                return
            rows = sorted(state.assets[segments[3]], key=lambda r: r["_submission_time"])
            if state.honour_query and "query" in query:
                after = json.loads(query["query"])["_submission_time"]["$gt"]
                rows = [r for r in rows if r["_submission_time"] > after]
            start, limit = int(query.get("start", 0)), int(query.get("limit", 100))
            host = state.next_host or self.headers["Host"]
            following = None
            if start + limit < len(rows):
                following = f"http://{host}{parts.path}?{urlencode({**query, 'start': start + limit})}"
            self._send(
                200,
                {
                    "count": len(rows),
                    "next": following,
                    "previous": None,
                    "results": rows[start : start + limit],
                },
            )

    return Handler


class KoboServer:
    """The fake Kobo running in a thread; `url` is its base URL."""

    def __init__(self, state: KoboState) -> None:
        self.state = state
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> KoboServer:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def data_requests(self) -> list[dict[str, Any]]:
        return [r for r in self.state.requests if r["path"].endswith("/data/")]


def submission(
    n: int, session: str, beneficiary: str, pre: float | None, post: float | None
) -> dict[str, Any]:
    """One attendance form as Kobo returns it: group fields as `group/question`, Kobo's metadata beside."""
    return {
        "_id": 1000 + n,
        "_uuid": f"00000000-0000-4000-8000-{n:012d}",
        "formhub/uuid": "f0e1d2c3b4a5",
        "start": f"2019-03-{n:02d}T09:00:00.000+00:00",
        "group_session/session_id": session,
        "group_participant/beneficiary_id": beneficiary,
        "group_participant/gender": "F",
        "group_scores/pre_score": None if pre is None else str(pre),
        "group_scores/post_score": None if post is None else str(post),
        "meta/instanceID": f"uuid:00000000-0000-4000-8000-{n:012d}",
        "_xform_id_string": "aTrainingForm",
        "_submission_time": f"2019-03-{n:02d}T10:15:00",
        "_attachments": [],
        "_geolocation": [None, None],
        "_tags": [],
        "_notes": [],
        "_validation_status": {},
        "__version__": "vAbc123",
    }
