"""A gateway that hands messages to Kannel's sendsms interface, with a signed delivery-report URL back."""

from __future__ import annotations

import logging
from urllib.parse import quote

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util.retry import Retry

from malux.settings import get_settings
from tasks.redact import redact
from tasks.sms.dlr_token import dlr_secret, token_for
from tasks.sms.gateways.base import OutgoingSms, SendResult
from warehouse.capped import capped

log = logging.getLogger(__name__)

DLR_MASK = 31  # delivered, undelivered, buffered, accepted by SMSC, rejected by SMSC
mask = redact  # the one masking rule (tasks/redact.py), under the name this module's callers know


class _MaskingFilter(logging.Filter):
    """Rewrites urllib3's lines, which carry the whole sendsms URL (Kannel 1.4.5 takes no POST form)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = mask(record.getMessage()), None
        return True


# A filter applies only to records of its own logger, so every urllib3 module's logger gets one.
for _name in [n for n in logging.root.manager.loggerDict if n.split(".")[0] == "urllib3"]:
    logging.getLogger(_name).addFilter(_MaskingFilter())


def _never_reached_kannel(exc: requests.RequestException) -> bool:
    """True when the request surely never left us (refused, connect timeout): sending again is safe."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, NewConnectionError | ConnectTimeoutError)


class KannelGateway:
    """Kannel's sendsms: 202 "0:" or "3:" is an acceptance (never retried), 4xx final, the rest transient."""

    name = "kannel"

    def __init__(
        self,
        url: str,
        user: str,
        password: str,
        dlr_url: str,
        sender: str = "MALUX",
        workers: int = 32,
        timeout: tuple[float, float] = (3.0, 30.0),
        secret: bytes | None = None,
    ) -> None:
        self.url, self.user, self.password, self.sender = url, user, password, sender
        self.dlr_base = dlr_url.rstrip("/")
        self.concurrency, self.timeout = workers, timeout
        self.secret = secret or dlr_secret()  # read once: token_for() would read the file per message
        self.session = requests.Session()
        # Only connection failures are retried here: the request never reached Kannel, so nothing was sent.
        # A read timeout or a dropped answer is left to the outbox as "in doubt", never re-sent blindly.
        retry = Retry(total=3, connect=3, read=0, status=0, other=0, redirect=0, backoff_factor=0.2)
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=workers, max_retries=retry)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def dlr_url_for(self, message_id: str) -> str:
        """The callback Kannel calls for this message, signed so nobody else can report on it."""
        mid = quote(message_id, safe="")
        token = token_for(message_id, self.secret)
        return f"{self.dlr_base}/dlr/kannel?mid={mid}&token={token}&status=%d&at=%T"

    def params_for(self, sms: OutgoingSms) -> dict[str, str | int]:
        """sendsms parameters; requests URL-encodes each as one value (the dlr-url above all)."""
        params: dict[str, str | int] = {
            "username": self.user, "password": self.password, "from": self.sender, "to": sms.to,
            "text": sms.text, "charset": "UTF-8", "dlr-mask": DLR_MASK,
            "dlr-url": self.dlr_url_for(sms.message_id),
        }  # fmt: skip
        if sms.encoding == "UCS-2":
            params["coding"] = 2  # without it Kannel silently turns Bambara letters into "?"
        return params

    def send_one(self, sms: OutgoingSms) -> SendResult:
        """One sendsms request, its answer sorted into accepted, final, transient or in doubt."""
        try:
            response = self.session.get(self.url, params=self.params_for(sms), timeout=self.timeout)
        except requests.RequestException as exc:
            error = capped(mask(f"{type(exc).__name__}: {exc}", [self.password]))
            if _never_reached_kannel(exc):
                return SendResult(sms.message_id, False, None, error, transient=True)
            return SendResult(sms.message_id, False, None, f"in doubt: {error}", in_doubt=True)
        body = response.text.strip()
        if 200 <= response.status_code < 300:
            if body.startswith("3:"):
                log.info("Kannel queued %s for later delivery (SMSC not connected)", sms.message_id)
            return SendResult(sms.message_id, True, None)
        error = capped(mask(f"Kannel {response.status_code}: {body}", [self.password]))
        if 400 <= response.status_code < 500:
            return SendResult(sms.message_id, False, None, error)  # not routable, bad request, credentials
        return SendResult(sms.message_id, False, None, error, transient=True)

    def send(self, messages: list[OutgoingSms]) -> list[SendResult]:
        """Send one after the other; the outbox runs `concurrency` of these calls side by side."""
        return [self.send_one(sms) for sms in messages]


def kannel_from_env(**overrides: object) -> KannelGateway:
    """A Kannel gateway configured from MALUX_KANNEL_* and MALUX_DLR_URL; a missing one is named."""
    settings = get_settings()
    kannel, password = settings.kannel, settings.kannel.password
    options: dict[str, object] = {
        "url": kannel.url, "user": kannel.user, "password": password.get_secret_value() if password else None,
        "dlr_url": settings.receiver.url, "sender": kannel.sender, "workers": kannel.workers,
    }  # fmt: skip
    options.update(overrides)
    env = {"url": "MALUX_KANNEL_URL", "user": "MALUX_KANNEL_USER", "password": "MALUX_KANNEL_PASSWORD"}
    missing = [env.get(k, "MALUX_DLR_URL") for k in ("url", "user", "password", "dlr_url") if not options[k]]
    if missing:
        raise ValueError(f"the kannel gateway needs {', '.join(missing)} to be set")
    return KannelGateway(**options)  # type: ignore[arg-type]
