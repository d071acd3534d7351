"""How an SMS will be encoded and how many segments it costs (GSM 03.38 / 3GPP TS 23.038)."""

from __future__ import annotations

import re
from dataclasses import dataclass

# The GSM 7-bit default alphabet in code order (index = septet value), 32 codes a line. 0x1B is the escape to
# the extension table, not a character. 0x09 is CAPITAL Ç as in 3GPP TS 23.038 (what handsets show, and what
# Kannel turns ç into); the Unicode consortium's GSM0338.TXT maps it to small ç, so ç here forces UCS-2.
_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ"
    " !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
ESCAPE = 0x1B
GSM7_BASIC: dict[str, int] = {ch: code for code, ch in enumerate(_BASIC) if code != ESCAPE}
# Extension table: each is sent as ESC + code, so it costs two septets.
GSM7_EXTENSION: dict[str, int] = {
    "\f": 0x0A, "^": 0x14, "{": 0x28, "}": 0x29, "\\": 0x2F,
    "[": 0x3C, "~": 0x3D, "]": 0x3E, "|": 0x40, "€": 0x65,
}  # fmt: skip

GSM7 = "GSM-7"
UCS2 = "UCS-2"
_SEGMENT = {GSM7: (160, 153), UCS2: (70, 67)}  # (single message, each part of a concatenated one)

_TYPOGRAPHY = [
    (re.compile(r"«[\u00a0\u202f ]*"), '"'),
    (re.compile(r"[\u00a0\u202f ]*»"), '"'),
    (re.compile("[’‘ʼ]"), "'"),
    (re.compile("[“”]"), '"'),
    (re.compile("[–—]"), "-"),
    (re.compile("[\u00a0\u202f\u2009]"), " "),
]


@dataclass(frozen=True)
class SmsEncoding:
    """What a text costs on the air: its encoding, length in septets or UTF-16 units, and segments."""

    encoding: str
    units: int
    segments: int
    ucs2_chars: tuple[str, ...]  # the characters, in order of first use, that forced UCS-2


def ucs2_chars(text: str) -> tuple[str, ...]:
    """The characters outside GSM-7, so an editor sees what made a message cost twice as much."""
    seen = dict.fromkeys(ch for ch in text if ch not in GSM7_BASIC and ch not in GSM7_EXTENSION)
    return tuple(seen)


def to_septets(text: str) -> list[int]:
    """The unpacked GSM-7 septets of a text, raising ValueError on a character GSM-7 cannot carry."""
    septets: list[int] = []
    for ch in text:
        if ch in GSM7_BASIC:
            septets.append(GSM7_BASIC[ch])
        elif ch in GSM7_EXTENSION:
            septets += [ESCAPE, GSM7_EXTENSION[ch]]
        else:
            raise ValueError(f"{ch!r} (U+{ord(ch):04X}) is not in the GSM 03.38 alphabet")
    return septets


def _costs(text: str, encoding: str) -> list[int]:
    if encoding == GSM7:
        return [2 if ch in GSM7_EXTENSION else 1 for ch in text]
    return [2 if ord(ch) > 0xFFFF else 1 for ch in text]  # UTF-16 surrogate pairs


def _segments(costs: list[int], single: int, part: int) -> int:
    # An escape sequence or a surrogate pair is never split across two parts, so pack greedily.
    if sum(costs) <= single:
        return 1
    segments, used = 1, 0
    for cost in costs:
        if used + cost > part:
            segments, used = segments + 1, 0
        used += cost
    return segments


def analyse(text: str) -> SmsEncoding:
    """Encoding, length and segment count of a text; one non-GSM character makes the whole of it UCS-2."""
    forced = ucs2_chars(text)
    encoding = UCS2 if forced else GSM7
    costs = _costs(text, encoding)
    return SmsEncoding(encoding, sum(costs), _segments(costs, *_SEGMENT[encoding]), forced)


def segment_count(text: str) -> int:
    """Segments the operator bills for this text."""
    return analyse(text).segments


def clean_typography(text: str) -> str:
    """Swap curly quotes, guillemets, long dashes and no-break spaces for GSM-7 ones of the same meaning."""
    for pattern, replacement in _TYPOGRAPHY:
        text = pattern.sub(replacement, text)
    return text
