"""The history of corrected re-submissions: which batch's row each newly loaded row replaced, by key."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow as pa
from sqlalchemy import Connection, Date, DateTime, Float, Integer, Table, literal, select

from warehouse.batches import now
from warehouse.schema import DATASET_TABLES, row_replacement


def _key_text(series: pd.Series, column_type: object) -> pd.Series:
    """A key column as text that reads the same from a staged frame and from the warehouse."""
    if isinstance(column_type, DateTime):
        return pd.to_datetime(series).dt.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(column_type, Date):
        return pd.to_datetime(series).dt.strftime("%Y-%m-%d")
    if isinstance(column_type, Float | Integer):
        return pd.to_numeric(series).map(lambda v: str(int(v)) if float(v).is_integer() else str(v))
    return series.astype(str)


def _keyed(frame: pd.DataFrame, table: Table, keys: list[str]) -> pd.DataFrame:
    out = pd.DataFrame({k: _key_text(frame[k], table.c[k].type) for k in keys})
    return out.reset_index(drop=True)


def record_replacements(
    conn: Connection, dataset: str, frame: pd.DataFrame | pa.Table, new_batch_id: int
) -> int:
    """Before a batch replaces rows by key, note which earlier batch each replaced row came from."""
    table = DATASET_TABLES[dataset]
    keys = [c.name for c in table.primary_key.columns]
    rows = frame.num_rows if isinstance(frame, pa.Table) else len(frame)
    if not rows or conn.execute(select(literal(1)).select_from(table).limit(1)).first() is None:
        return 0  # a first load replaces nothing: no need to read the table's keys
    if isinstance(frame, pa.Table):
        frame = frame.select(keys).to_pandas()
    stored = pd.DataFrame(
        conn.execute(select(*(table.c[k] for k in keys), table.c.batch_id)).all(), columns=[*keys, "old"]
    )
    stored = stored[stored["old"] != new_batch_id]
    if stored.empty:
        return 0
    old = _keyed(stored, table, keys).assign(old=stored["old"].to_numpy())
    hits = _keyed(frame, table, keys).drop_duplicates().merge(old, on=keys, how="inner")
    if hits.empty:
        return 0
    at = now()
    conn.execute(
        row_replacement.insert(),
        [
            {
                "dataset": dataset,
                "row_key": json.dumps({k: row[k] for k in keys}, ensure_ascii=False),
                "old_batch_id": int(row["old"]),
                "new_batch_id": new_batch_id,
                "replaced_at": at,
            }
            for row in hits.to_dict("records")
        ],
    )
    return len(hits)
