"""KoboToolbox v2 API client: new submissions of one asset, page by page, retried, the token kept secret."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from pydantic import SecretStr
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from malux.settings import KoboSettings

SUBMISSION_TIME = "_submission_time"
_RETRY_STATUSES = (500, 502, 503, 504)


class KoboError(RuntimeError):
    """KoboToolbox cannot be used as asked; the message is one line and never contains the token."""


def required_token(settings: KoboSettings) -> SecretStr:
    """The API token; a missing one is named before any request is made."""
    if settings.token is None or not settings.token.get_secret_value():
        raise KoboError("no KoboToolbox API token: set MALUX_KOBO_TOKEN")
    return settings.token


@dataclass(frozen=True)
class KoboClient:
    """One KoboToolbox server and token; timeouts in seconds, retries with exponential back-off."""

    base_url: str
    token: SecretStr
    page_size: int = 1000
    timeout: tuple[float, float] = (10.0, 60.0)
    retries: int = 5
    backoff: float = 1.0

    def _session(self) -> requests.Session:
        retry = Retry(
            total=self.retries,
            connect=self.retries,
            read=self.retries,
            status=self.retries,
            status_forcelist=_RETRY_STATUSES,
            allowed_methods=frozenset({"GET"}),
            backoff_factor=self.backoff,
            raise_on_status=False,  # the last 5xx comes back as a response, reported below in one line
        )
        session = requests.Session()
        session.mount("http://", HTTPAdapter(max_retries=retry))
        session.mount("https://", HTTPAdapter(max_retries=retry))
        session.headers["Authorization"] = f"Token {self.token.get_secret_value()}"
        session.headers["Accept"] = "application/json"
        return session

    def _data_url(self, asset_uid: str) -> str:
        return f"{self.base_url.rstrip('/')}/api/v2/assets/{asset_uid}/data/"

    def _get(self, session: requests.Session, asset_uid: str, params: dict[str, Any]) -> dict[str, Any]:
        url = self._data_url(asset_uid)
        try:
            response = session.get(url, params=params, timeout=self.timeout)
        except requests.RequestException as exc:
            reason = type(exc).__name__
            raise KoboError(
                f"cannot reach KoboToolbox at {self.base_url} after {self.retries} retries ({reason})"
            ) from None
        if response.status_code == 401:
            raise KoboError(
                f"KoboToolbox at {self.base_url} refused the API token (HTTP 401): "
                "set MALUX_KOBO_TOKEN to a valid token (account settings > API key)"
            )
        if response.status_code == 403:
            raise KoboError(
                f"the token in MALUX_KOBO_TOKEN may not read asset {asset_uid!r} at {self.base_url} "
                "(HTTP 403)"
            )
        if response.status_code == 404:
            raise KoboError(
                f"KoboToolbox at {self.base_url} has no asset {asset_uid!r} (HTTP 404): check the asset uid"
            )
        if response.status_code >= 400:
            raise KoboError(
                f"KoboToolbox at {self.base_url} answered HTTP {response.status_code} for asset {asset_uid!r}"
                + (f" after {self.retries} retries" if response.status_code in _RETRY_STATUSES else "")
            )
        try:
            page = response.json()
        except ValueError:
            raise KoboError(f"KoboToolbox at {self.base_url} sent a page that is not JSON") from None
        if not isinstance(page, dict) or not isinstance(page.get("results"), list):
            raise KoboError(f"KoboToolbox at {self.base_url} sent a page without a 'results' list")
        return page

    def submissions(self, asset_uid: str, since: str | None = None) -> Iterator[dict[str, Any]]:
        """Every submission of the asset submitted after `since`, following the pages Kobo announces."""
        params: dict[str, Any] = {
            "format": "json",
            "start": 0,
            "limit": self.page_size,
            "sort": json.dumps({SUBMISSION_TIME: 1}),
        }
        if since:
            params["query"] = json.dumps({SUBMISSION_TIME: {"$gt": since}})
        after = submitted_at({SUBMISSION_TIME: since}) if since else None
        with self._session() as session:
            while True:
                page = self._get(session, asset_uid, params)
                for record in page["results"]:
                    if after is None or submitted_at(record) > after:
                        yield record  # checked again: a server that ignores `query` adds nothing old
                start = _next_start(page.get("next"))
                if start is None or start <= params["start"]:
                    return
                params = {**params, "start": start}


def _next_start(next_url: str | None) -> int | None:
    """The `start` of the next page; its host is ignored, so the token only goes to the configured server."""
    if not next_url:
        return None
    values = parse_qs(urlsplit(next_url).query).get("start")
    try:
        return int(values[0]) if values else None
    except ValueError:
        return None


def submitted_at(record: dict[str, Any]) -> datetime:
    """When Kobo received a submission; naive times are UTC as Kobo writes them."""
    text = record.get(SUBMISSION_TIME)
    try:
        moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        raise KoboError(
            f"submission {record.get('_id')!r} has no readable {SUBMISSION_TIME}: {text!r}"
        ) from None
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo is not None else moment


def flatten(record: dict[str, Any], mapped: Collection[str] = ()) -> dict[str, Any]:
    """Group fields `group/question` become `question`, unless the partner mapping names the full path.

    Two questions of the same name in different groups keep their full paths rather than overwrite each other.
    """
    short = {key: key if key in mapped else key.rsplit("/", 1)[-1] for key in record}
    counts: dict[str, int] = {}
    for name in short.values():
        counts[name] = counts.get(name, 0) + 1
    flat: dict[str, Any] = {}
    for key, value in record.items():
        name = short[key] if counts[short[key]] == 1 else key
        flat[name] = json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value
    return flat
