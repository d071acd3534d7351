"""The warehouse: schema, migrations, the Parquet lake and SQL I/O. It knows no business step."""
