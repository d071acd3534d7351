"""A file read as cp1252 (or another single-byte codec) that also holds UTF-8 is refused, never loaded as
mojibake: "Traoré" typed in UTF-8 would become "TraorÃ©" in the warehouse and the SMS.

Only the UTF-8 sequences a French or Bambara text produces are looked for (accented Latin letters, œ,
typographic quotes and dashes, €): read as cp1252 they are "Ã©", "Å“", "â€™", pairs a real cp1252 text
does not hold.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tasks.standardise.errors import InputError

# lead byte -> the continuation bytes that, after it, spell U+00A0..U+017F in UTF-8
_LEADS = {0xC2: (0xA0, 0xBF), 0xC3: (0x80, 0xBF), 0xC5: (0x80, 0xBF)}


def _first_utf8_letter(data: bytes) -> int | None:
    """Offset of the first UTF-8 accented letter or typographic sign, found with C-level scans only."""
    found: list[int] = []
    array: np.ndarray | None = None
    for lead, (low, high) in _LEADS.items():
        if data.find(bytes([lead])) < 0:  # most cp1252 files hold none of these bytes: no array pass
            continue
        array = np.frombuffer(data, dtype=np.uint8) if array is None else array
        at = np.flatnonzero(array[:-1] == lead)
        following = array[at + 1]
        hits = at[(following >= low) & (following <= high)]
        found += [int(hits[0])] if len(hits) else []
    if data.find(b"\xe2") >= 0:  # â is common in cp1252 French: then one array pass, not two slow finds
        array = np.frombuffer(data, dtype=np.uint8) if array is None else array
        at = np.flatnonzero(array[:-2] == 0xE2)
        second, third = array[at + 1], array[at + 2]
        quotes = (second == 0x80) & (third >= 0x90) & (third <= 0xBF)  # ‘ ’ “ ” – — … •
        hits = at[quotes | ((second == 0x82) & (third == 0xAC))]  # €
        found += [int(hits[0])] if len(hits) else []
    return min(found) if found else None


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def refuse_mixed_encodings(path: Path, data: bytes, codec: str) -> None:
    """InputError naming the lines when bytes about to be read as `codec` hold UTF-8 text too."""
    at = _first_utf8_letter(data)
    if at is None:
        return
    end = at + (3 if data[at] == 0xE2 else 2)
    letter, garbled = data[at:end].decode("utf-8"), data[at:end].decode(codec, errors="replace")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path.name}: mixes encodings: line {_line_of(data, at)} is UTF-8 ({letter!r}), line "
            f"{_line_of(data, exc.start)} is not (byte 0x{data[exc.start]:02X}, {codec}?); read as {codec}, "
            f"{letter!r} would load as {garbled!r}: save the file in one encoding (UTF-8) and send it again"
        ) from None
    raise InputError(
        f"{path.name}: the partner mapping says {codec}, but the file is UTF-8 (line {_line_of(data, at)}: "
        f"{letter!r} would load as {garbled!r}); set file.encoding: utf-8 in the mapping"
    )
