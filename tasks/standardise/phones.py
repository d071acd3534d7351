"""Phone numbers as typed by partners, onto E.164 with the Mali mobile operator that carries them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import phonenumbers
from phonenumbers import PhoneNumberType, carrier

from tasks.standardise.text import as_text

# libphonenumber's carrier names for Mali, onto the operator names the program reports on.
_OPERATORS = {
    "orange": "Orange",
    "sotelma": "Moov",
    "malitel": "Moov",
    "moov": "Moov",
    "atel": "Telecel",
    "telecel": "Telecel",
}


@dataclass(frozen=True)
class Phone:
    """What was typed, and what it means: E.164 and operator when it is a valid Mali mobile."""

    raw: str | None
    e164: str | None
    valid: bool
    operator: str | None


def _operator(number: phonenumbers.PhoneNumber) -> str | None:
    name = carrier.name_for_number(number, "en").casefold()
    return next((op for key, op in _OPERATORS.items() if key in name), None)


def normalise_phone(raw: Any) -> Phone:
    """Parse a number in any of the forms partners type; only a valid Mali mobile number counts as valid."""
    text = as_text(raw)
    if text is None:
        return Phone(None, None, False, None)
    candidate = text
    digits = "".join(ch for ch in text if ch.isdigit())
    if text.startswith("00"):
        candidate = "+" + digits[2:]
    elif digits.startswith("223") and len(digits) == 11 and not text.startswith("+"):
        candidate = "+" + digits
    try:
        number = phonenumbers.parse(candidate, "ML")
    except phonenumbers.NumberParseException:
        return Phone(text, None, False, None)
    mobile = phonenumbers.number_type(number) in (
        PhoneNumberType.MOBILE,
        PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )
    if number.country_code != 223 or not phonenumbers.is_valid_number(number) or not mobile:
        return Phone(text, None, False, None)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return Phone(text, e164, True, _operator(number))


def normalise_phones(values: Sequence[Any]) -> list[Phone]:
    """`normalise_phone` over a column, each distinct value parsed once: libphonenumber is the slow part."""
    seen: dict[tuple[type, Any], Phone] = {}
    out = []
    for value in values:
        key = (type(value), value)
        try:
            phone = seen[key]
        except KeyError:
            phone = seen[key] = normalise_phone(value)
        except TypeError:  # an unhashable cell: parse it alone
            phone = normalise_phone(value)
        out.append(phone)
    return out
