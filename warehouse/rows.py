"""Writing dataset rows into the warehouse: replace by key, inside the caller's transaction."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from sqlalchemy import Connection, Date, DateTime, Table, delete, tuple_

from warehouse import bulk_postgres, bulk_sqlite
from warehouse.bulk_arrow import UnsupportedColumn, as_arrow

CHUNK = 1000
_BULK = {"sqlite": bulk_sqlite.replace, "postgresql": bulk_postgres.replace}


def _python_value(value: Any, as_date: bool) -> Any:
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date() if as_date else value.to_pydatetime()
    if as_date and isinstance(value, datetime):
        return value.date()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _python_values(series: pd.Series, as_date: bool) -> list[Any]:
    """A column as plain Python values, converted a column at a time where its dtype allows."""
    kind = series.dtype.kind if isinstance(series.dtype, np.dtype) else "O"
    if kind in "iub":
        return series.tolist()  # numpy ints and bools: already Python ints and bools, never null
    if kind == "f":
        return [None if math.isnan(v) else v for v in series.tolist()]
    return [_python_value(v, as_date) for v in series.astype(object).tolist()]


def records(table: Table, frame: pd.DataFrame, **constants: Any) -> Iterator[dict[str, Any]]:
    """The frame's rows as plain Python dicts for the table's columns (NaN/NaT become NULL)."""
    cols = [c for c in table.columns if c.name in frame.columns]
    names = [c.name for c in cols] + list(constants)
    values = [
        _python_values(frame[c.name], isinstance(c.type, Date) and not isinstance(c.type, DateTime))
        for c in cols
    ]
    values += [[v] * len(frame) for v in constants.values()]
    for row in zip(*values, strict=True):
        yield dict(zip(names, row, strict=True))


def replace_by_key(conn: Connection, table: Table, frame: pd.DataFrame | pa.Table, **constants: Any) -> int:
    """Delete the rows whose key the frame holds, then insert its rows; in bulk on SQLite and PostgreSQL."""
    if (frame.num_rows if isinstance(frame, pa.Table) else len(frame)) == 0:
        return 0
    bulk = _BULK.get(conn.dialect.name)
    if bulk is not None:
        try:
            data = as_arrow(table, frame, **constants)
        except UnsupportedColumn:
            pass  # a column type the bulk paths do not know: the row-by-row path below still loads it
        else:
            return bulk(conn, table, data)
    if isinstance(frame, pa.Table):
        frame = frame.to_pandas()
    return replace_row_by_row(conn, table, frame, **constants)


def replace_row_by_row(conn: Connection, table: Table, frame: pd.DataFrame, **constants: Any) -> int:
    """The portable path, through SQLAlchemy in chunks: any dialect, any column type, 10x slower."""
    keys = list(table.primary_key.columns)
    rows = list(records(table, frame, **constants))
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        if len(keys) == 1:
            condition = keys[0].in_([r[keys[0].name] for r in chunk])
        else:
            condition = tuple_(*keys).in_([tuple(r[k.name] for k in keys) for r in chunk])
        conn.execute(delete(table).where(condition))
        conn.execute(table.insert(), chunk)
    return len(rows)
