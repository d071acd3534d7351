"""A batch whose run stops half-way is marked `failed` with its reason, never left `received` forever."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from malux.settings import get_settings
from tasks.batch import BatchTicket
from warehouse import batches
from warehouse.capped import capped
from warehouse.db import engine_for


@contextmanager
def failed_unless_finished(ticket: BatchTicket) -> Iterator[None]:
    """Around the steps after registration: an error or an interruption (Ctrl-C, SIGTERM) marks the batch
    `failed`; a batch already rejected or loaded keeps the status its step gave it."""
    try:
        yield
    except BaseException as exc:
        reason = capped(f"{type(exc).__name__}: {exc}".replace(str(ticket.raw_path), str(ticket.source)))
        try:
            batches.fail(engine_for(get_settings().database_url), ticket.batch_id, reason)
        except Exception as ledger_error:  # the warehouse itself may be what failed: keep the first error
            exc.add_note(f"batch {ticket.batch_id} could not be marked failed: {capped(ledger_error)}")
        raise
