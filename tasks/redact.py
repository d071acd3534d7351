"""One masking rule for every text bound for a log, an error column or Prefect's state: secrets and phones.

A secret travels inside URLs, so it is found raw (`token=…`) and URL-encoded once or twice (`token%3D…` in the
dlr-url that Kannel's sendsms URL carries, `token%253D…` when that URL is quoted again).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import quote

MASK = "***"
_NAMES = r"password|passwd|pwd|token|secret|api_?key|apikey|to"
_EQUALS = r"=|%3D|%253D"
_AMP = r"%26|%2526"
# What may stand before a parameter's name: a start, a non-word character, or an encoded `&` or `?`.
_BEFORE = rf"^|{_AMP}|%3F|%253F|[^A-Za-z0-9_]"
_SECRET_PARAM = re.compile(rf"({_BEFORE})({_NAMES})({_EQUALS})(?:(?!{_AMP})[^&\s'\"<>])*", re.IGNORECASE)
# A secret in a header or a mapping printed as text: "apiKey": "…", Authorization: Token …
_SECRET_FIELD = re.compile(
    r"""(["']?(?:password|token|secret|api_?key|apikey)["']?\s*:\s*["'])[^"']*""", re.IGNORECASE
)
_AUTH_HEADER = re.compile(r"(authorization[\"']?\s*[:=]\s*[\"']?(?:token|bearer|basic)\s+)[^\s\"',}]+", re.I)
_PHONE = re.compile(r"(?:\+|%2B|\b)(?:00)?223\d{6}(\d{2})\b", re.IGNORECASE)


def redact(text: str, known: Iterable[str | None] = ()) -> str:
    """The text with secrets (parameters and headers by name, and every known value) and phones hidden."""
    for secret in known:
        if secret and len(secret) >= 4:  # a shorter value would mask ordinary words
            once = quote(secret, safe="")
            for form in {secret, once, quote(once, safe="")}:
                text = text.replace(form, MASK)
    text = _SECRET_PARAM.sub(rf"\1\2\3{MASK}", text)
    text = _SECRET_FIELD.sub(rf"\1{MASK}", text)
    text = _AUTH_HEADER.sub(rf"\1{MASK}", text)
    return _PHONE.sub(r"+223******\1", text)
