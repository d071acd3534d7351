"""Opt-outs: a subscriber who answers STOP, or whom the gateway reports as opted out, gets nothing more."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from sqlalchemy import Connection, Engine, select

from tasks.standardise.phones import normalise_phone
from warehouse.inserts import insert_ignoring_duplicates
from warehouse.schema import beneficiaries, sms_optout

STOP_WORDS = frozenset({"stop", "arret"})  # after folding: "STOP", "Arrêt", " a r r e t " all match
_NOT_LETTERS = re.compile(r"[\W_]+")


def is_stop(text: str | None) -> bool:
    """Whether an incoming text asks to stop, whatever its case, accents, spaces or trailing punctuation."""
    if not text:
        return False
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    letters = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NOT_LETTERS.sub("", letters) in STOP_WORDS


def mask_phone(phone: str | None) -> str:
    """A phone number as logs may show it: country code and last two digits, the rest hidden."""
    if not phone:
        return "<no number>"
    digits = phone.strip()
    return digits[:4] + "*" * max(len(digits) - 6, 0) + digits[-2:] if len(digits) > 6 else "*" * len(digits)


def record_optout(conn: Connection, beneficiary_ids: list[str], at: datetime, source: str) -> int:
    """Insert the opt-outs not yet known; the first date a subscriber opted out is the one kept."""
    rows = [
        {"beneficiary_id": b, "opted_out_at": at, "source": source} for b in dict.fromkeys(beneficiary_ids)
    ]
    if not rows:
        return 0
    known = set(
        conn.scalars(
            select(sms_optout.c.beneficiary_id).where(sms_optout.c.beneficiary_id.in_(beneficiary_ids))
        )
    )
    new = [r for r in rows if r["beneficiary_id"] not in known]
    if new:
        insert_ignoring_duplicates(conn, sms_optout, new, ["beneficiary_id"])
    return len(new)


def opt_out_phone(engine: Engine, raw_phone: str | None, at: datetime, source: str) -> list[str]:
    """Opt out every beneficiary reached at this number (E.164 after normalising); returns their ids."""
    phone = normalise_phone(raw_phone)
    if not phone.valid:
        return []
    with engine.begin() as conn:
        ids = list(
            conn.scalars(select(beneficiaries.c.beneficiary_id).where(beneficiaries.c.phone == phone.e164))
        )
        record_optout(conn, ids, at, source)
    return ids
