"""A text file's bytes and encoding, shared by the CSV and JSON readers: one encoding choice for both."""

from __future__ import annotations

import codecs
import contextlib
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np
import pyarrow as pa

from tasks.standardise.errors import InputError
from tasks.standardise.readers.mixed_encodings import refuse_mixed_encodings

_HEAD_CHARS = 1 << 20  # the text the csv module reads: titles, the header, the first rows
# UTF-32's marks first: UTF-32-LE's begins with UTF-16-LE's
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@lru_cache(maxsize=8)
def _undecodable(codec: str) -> bytes | None:
    """The bytes a single-byte codec cannot decode (b"" for latin-1), or None for other codecs."""
    try:
        if len("\u00e9".encode(codec)) != 1 or b"a".decode(codec) != "a":
            return None  # not a single-byte, ASCII-compatible codec
    except (UnicodeError, LookupError):
        return None
    failing = bytearray()
    for byte in range(256):
        try:
            bytes([byte]).decode(codec)
        except UnicodeDecodeError:
            failing.append(byte)
    return bytes(failing)


@dataclass
class TextSource:
    """A text file's bytes in their encoding: the head decoded for the csv module, the body left to pyarrow.

    A UTF-8 body goes to pyarrow as it is; a cp1252 or latin-1 body is read as bytes, and only the column
    chunks holding non-ASCII bytes are decoded (`transcoded`), so a million rows are not decoded into one
    Python string and encoded back. Any other codec decodes the whole text and re-encodes it.
    """

    data: bytes
    codec: str
    single_byte: bool
    bom: int = 0
    decoded: str | None = None

    def text(self) -> str:
        if self.decoded is None:
            self.decoded = self.data[self.bom :].decode(self.codec)
        return self.decoded

    @cached_property
    def head(self) -> str:
        return self.data[:_HEAD_CHARS].decode(self.codec) if self.single_byte else self.text()[:_HEAD_CHARS]

    @property
    def truncated(self) -> bool:
        return len(self.data) > _HEAD_CHARS if self.single_byte else len(self.text()) > _HEAD_CHARS

    def body(self) -> bytes:
        """Bytes pyarrow reads: the file's own, unless its codec is neither UTF-8 nor single-byte."""
        return self.data if self.single_byte or self.codec == "utf-8" else self.text().encode("utf-8")

    def offset(self, head: str, chars: int) -> int:
        """Where the first `chars` characters of the head end in body()."""
        if self.single_byte:
            return chars
        return (self.bom if self.codec == "utf-8" else 0) + len(head[:chars].encode("utf-8"))


def _candidates(data: bytes, encoding: str | None) -> list[str]:
    """The mapping's encoding, else the one a UTF-16 or UTF-32 byte-order mark names, else UTF-8, cp1252."""
    if encoding:
        return [encoding]
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return [codec]
    return ["utf-8-sig", "cp1252"]


def open_text(path: Path, data: bytes, encoding: str | None) -> TextSource:
    """A text file with its encoding: the mapping's, else the byte-order mark's, else UTF-8, else cp1252.

    A single-byte body is not decoded here; `.text()` decodes the whole file when a reader needs it. A NUL
    byte in a text is one damaged cell, which the standardiser holds back; only bytes that decode in no
    candidate encoding make a file "not a text file"."""
    candidates = _candidates(data, encoding)
    for candidate in candidates:
        try:
            codec = codecs.lookup(candidate).name
        except LookupError:
            continue
        failing = _undecodable(codec)
        if failing is not None:
            if any(data.find(bytes([byte])) >= 0 for byte in failing):
                continue
            refuse_mixed_encodings(path, data, codec)
            source = TextSource(data, codec, single_byte=True)
        elif codec in ("utf-8", "utf-8-sig"):
            bom = 3 if codec == "utf-8-sig" and data.startswith(codecs.BOM_UTF8) else 0
            try:
                text = data[bom:].decode("utf-8")
            except UnicodeDecodeError:
                continue
            source = TextSource(data, "utf-8", single_byte=False, bom=bom, decoded=text)
        else:
            try:
                source = TextSource(data, codec, single_byte=False, decoded=data.decode(codec))
            except UnicodeDecodeError:
                continue
        _refuse_control_characters(path, source.head)
        return source
    if b"\x00" in data[:4096]:
        raise InputError(f"{path.name}: not a text file (binary content); expected CSV, XLSX or JSON")
    tried = encoding or ("UTF-8 or cp1252" if len(candidates) > 1 else candidates[0].upper())
    raise InputError(f"{path.name}: cannot be decoded as {tried}; set file.encoding in the partner mapping")


def _refuse_control_characters(path: Path, text: str) -> None:
    controls = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\t\r\n")
    if controls > max(2, len(text[:65536]) // 200):
        raise InputError(f"{path.name}: not a text file (control characters); expected CSV, XLSX or JSON")


@lru_cache(maxsize=8)
def _utf8_growth(codec: str) -> np.ndarray:
    """Bytes each byte of a single-byte codec gains in UTF-8: 0 for ASCII, 1 for é, 2 for the – of cp1252."""
    growth = np.zeros(256, dtype=np.int64)
    for byte in range(0x80, 256):
        with contextlib.suppress(UnicodeDecodeError):  # open_text refused a file holding such a byte
            growth[byte] = len(bytes([byte]).decode(codec).encode("utf-8")) - 1
    return growth


def _utf8_chunk(chunk: pa.Array, codec: str) -> pa.Array:
    """One chunk of single-byte text as UTF-8, decoded in one call: its cell offsets move by what the
    non-ASCII bytes before them grew (a few thousand in a file that is mostly ASCII)."""
    if chunk.null_count or chunk.buffers()[2] is None:
        return pa.array([None if b is None else b.decode(codec) for b in chunk.to_pylist()], pa.string())
    offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int32)[chunk.offset : chunk.offset + len(chunk) + 1]
    raw = np.frombuffer(chunk.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    high = np.flatnonzero(raw >= 0x80)
    if not len(high):
        return chunk.view(pa.string())  # ASCII is UTF-8 already
    grown = np.concatenate([[0], np.cumsum(_utf8_growth(codec)[raw[high]])])
    shifted = offsets.astype(np.int64) - offsets[0]
    moved = shifted + grown[np.searchsorted(high, shifted)]  # the growth of the high bytes before each cell
    text = raw.tobytes().decode(codec).encode("utf-8")
    # read_csv's chunks are about a megabyte: their UTF-8 offsets stay far inside int32
    return pa.StringArray.from_buffers(len(chunk), pa.py_buffer(moved.astype(np.int32)), pa.py_buffer(text))


def transcoded(column: pa.ChunkedArray, codec: str) -> pa.ChunkedArray:
    """A column of single-byte text (cp1252, latin-1) as UTF-8 strings, a chunk at a time."""
    return pa.chunked_array([_utf8_chunk(chunk, codec) for chunk in column.chunks], pa.string())
