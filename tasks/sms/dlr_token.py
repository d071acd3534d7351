"""Per-message tokens for delivery callbacks: only the gateway we told can report on a message."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from malux.settings import get_settings


def dlr_secret() -> bytes:
    """MALUX_DLR_SECRET, or a random secret kept (mode 600) in the data dir so restarts keep it."""
    settings = get_settings()
    configured = settings.receiver.secret
    if configured is not None and configured.get_secret_value():
        return configured.get_secret_value().encode()
    path: Path = settings.root / "secrets" / "dlr_secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


def token_for(message_id: str, secret: bytes | None = None) -> str:
    """The token a callback for this message must carry (HMAC-SHA256, 32 hex characters)."""
    return hmac.new(secret or dlr_secret(), message_id.encode(), hashlib.sha256).hexdigest()[:32]


def token_is_valid(message_id: str, token: str, secret: bytes | None = None) -> bool:
    """Compare in constant time, so a forger learns nothing from how fast a wrong token is refused."""
    return hmac.compare_digest(token_for(message_id, secret), token or "")
