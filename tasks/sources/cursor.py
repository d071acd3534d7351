"""Where an API source stopped: the last submission time pulled per asset, kept in the warehouse."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, select

from warehouse.schema import source_cursor


def read_cursor(engine: Engine, source: str, asset_uid: str) -> str | None:
    """The last submission time pulled and ingested for this asset, or None before the first pull."""
    with engine.connect() as conn:
        return conn.execute(
            select(source_cursor.c.last_submission_time).where(
                source_cursor.c.source == source, source_cursor.c.asset_uid == asset_uid
            )
        ).scalar_one_or_none()


def advance_cursor(engine: Engine, source: str, asset_uid: str, last_submission_time: str) -> None:
    """Move the cursor to a later submission time; called only once the pulled file is ingested."""
    key = (source_cursor.c.source == source) & (source_cursor.c.asset_uid == asset_uid)
    with engine.begin() as conn:
        exists = conn.execute(select(source_cursor.c.asset_uid).where(key)).first() is not None
        values = {"last_submission_time": last_submission_time, "updated_at": datetime.now(UTC)}
        if exists:
            conn.execute(source_cursor.update().where(key).values(**values))
        else:
            conn.execute(source_cursor.insert().values(source=source, asset_uid=asset_uid, **values))
