"""A text file with a line longer than the limit is refused before any of it is read into memory.

No partner row is a megabyte long; such a line is a broken export or an attack, and reading it whole (the csv
module, a header search, an error quoting it) costs minutes and gigabytes.
"""

from __future__ import annotations

from pathlib import Path

from tasks.standardise.errors import InputError


def _mib(size: int) -> str:
    return f"{size / (1 << 20):g} MiB" if size >= 1 << 20 else f"{size:,} bytes"


def refuse_long_lines(path: Path, limit: int) -> None:
    """InputError naming the first line longer than `limit` bytes; reads blocks of `limit`, never a line.

    With blocks no longer than the limit, a line inside one block is always short enough: only a line that
    runs across a block boundary needs counting, so each block costs a few C-level scans and no Python loop.
    """
    lines, run = 1, 0  # run: bytes since the last line end
    with path.open("rb") as handle:
        while block := handle.read(limit):
            first = min((i for i in (block.find(b"\n"), block.find(b"\r")) if i >= 0), default=-1)
            if first < 0:
                run += len(block)
            else:
                run += first
            if run > limit:
                raise InputError(
                    f"{path.name}: line {lines} is longer than {_mib(limit)} (MALUX_MAX_LINE_BYTES); "
                    "not a file of rows: refused"
                )
            if first >= 0:
                run = len(block) - 1 - max(block.rfind(b"\n"), block.rfind(b"\r"))
                lines += block.count(b"\n") or block.count(b"\r")  # LF or CR LF; else old Mac CR
