"""A frame as an Arrow table typed like a warehouse table, the common ground of every bulk load path."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Boolean, Date, DateTime, Float, Integer, Numeric, String, Table, Text


class UnsupportedColumn(TypeError):
    """A column type the bulk paths do not convert; the caller falls back to row-by-row inserts."""


def arrow_type(column_type: Any) -> pa.DataType:
    """The Arrow type whose values the database stores unchanged in a column of this SQL type."""
    if isinstance(column_type, Boolean):
        return pa.bool_()
    if isinstance(column_type, DateTime):
        if getattr(column_type, "timezone", False):
            raise UnsupportedColumn("time-zone-aware DateTime")
        return pa.timestamp("us")
    if isinstance(column_type, Date):
        return pa.date32()
    if isinstance(column_type, Integer):
        return pa.int64()
    if isinstance(column_type, Float | Numeric):
        return pa.float64()
    if isinstance(column_type, String | Text):
        return pa.string()
    raise UnsupportedColumn(type(column_type).__name__)


def _column(series: pd.Series, target: pa.DataType) -> pa.Array:
    if pa.types.is_date32(target) and pd.api.types.is_datetime64_any_dtype(series.dtype):
        series = series.dt.tz_localize(None) if series.dt.tz is not None else series
        return pa.array(series.dt.floor("D"), type=pa.timestamp("us"), from_pandas=True).cast(target)
    if pa.types.is_string(target) and series.dtype == object:
        # partner text kept as typed may hold numbers (a spreadsheet cell): store what a person sees
        series = series.map(lambda v: v if v is None or isinstance(v, str) or v != v else str(v))
    array = pa.array(series, from_pandas=True)
    return array if array.type == target else array.cast(target)


def _arrow_column(array: pa.ChunkedArray, target: pa.DataType) -> pa.ChunkedArray:
    if pa.types.is_timestamp(array.type) and array.type.tz is not None:
        array = array.cast(pa.timestamp(array.type.unit))
    if pa.types.is_date32(target) and pa.types.is_timestamp(array.type):
        return pc.floor_temporal(array, unit="day").cast(target)
    return array if array.type == target else array.cast(target)


def as_arrow(table: Table, frame: pd.DataFrame | pa.Table, **constants: Any) -> pa.Table:
    """The frame's columns that the table has, plus the constants, typed for the table (NaN/NaT are null).

    An Arrow table (the validated Parquet file, read as it is) is only cast: no pandas on the way in."""
    names, arrays = [], []
    arrow = isinstance(frame, pa.Table)
    present = frame.column_names if arrow else frame.columns
    rows = frame.num_rows if arrow else len(frame)
    for col in table.columns:
        if col.name in constants:
            target = arrow_type(col.type)
            arrays.append(pa.repeat(pa.scalar(constants[col.name], type=target), rows))
        elif col.name in present:
            target = arrow_type(col.type)
            if arrow:
                arrays.append(_arrow_column(frame.column(col.name), target))
            else:
                arrays.append(_column(frame[col.name], target))
        else:
            continue
        names.append(col.name)
    return pa.Table.from_arrays(arrays, names=names)
