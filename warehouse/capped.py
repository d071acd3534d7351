"""Text that came from outside (a partner's cell, an exception about it), cut before it is stored or printed.

One rule for the ledger, the quarantine, Prefect's state, the terminal and the partner's report: a 50 MB line
quoted in an error must not become a 50 MB ledger row, log record or terminal line.
"""

from __future__ import annotations

import re

LIMIT = 500  # characters: a sentence and the value it names, never a file
_CUT = re.compile(r"… \([\d,]+ more characters\)\Z")


def capped(text: object, limit: int = LIMIT) -> str:
    """The text, or its first `limit` characters and how many were left out; capping twice changes nothing."""
    text = str(text)
    if len(text) <= limit:
        return text
    cut = _CUT.search(text, limit)
    if cut is not None and cut.start() == limit:
        return text  # already capped, by a step before this one
    return f"{text[:limit]}… ({len(text) - limit:,} more characters)"
