"""Replace rows by key on PostgreSQL in bulk: COPY into a staging table, then one set-based swap."""

from __future__ import annotations

import io
import uuid

import pyarrow as pa
import pyarrow.csv as pacsv
from sqlalchemy import Connection, Table


def _csv(data: pa.Table) -> bytes:
    """CSV as COPY reads it: strings quoted, so an empty string stays one and an unquoted empty is NULL."""
    buffer = io.BytesIO()
    pacsv.write_csv(data, buffer, write_options=pacsv.WriteOptions(include_header=False))
    return buffer.getvalue()


def replace(conn: Connection, table: Table, data: pa.Table) -> int:
    """COPY `data` into a temp table, delete the target rows with the same key, insert the staged rows."""
    raw = conn.connection.driver_connection
    keys = [c.name for c in table.primary_key.columns]
    columns = ", ".join(f'"{n}"' for n in data.column_names)
    stage = f"_malux_stage_{uuid.uuid4().hex[:12]}"
    with raw.cursor() as cursor:
        # the caller's transaction: a failure anywhere below rolls the COPY, the DELETE and the INSERT back
        cursor.execute(f'CREATE TEMP TABLE "{stage}" (LIKE "{table.name}") ON COMMIT DROP')
        with cursor.copy(f'COPY "{stage}" ({columns}) FROM STDIN (FORMAT csv)') as copy:
            copy.write(_csv(data))
        match = " AND ".join(f't."{k}" = s."{k}"' for k in keys)
        cursor.execute(f'DELETE FROM "{table.name}" t USING "{stage}" s WHERE {match}')
        cursor.execute(f'INSERT INTO "{table.name}" ({columns}) SELECT {columns} FROM "{stage}"')
        cursor.execute(f'DROP TABLE "{stage}"')
    return data.num_rows
