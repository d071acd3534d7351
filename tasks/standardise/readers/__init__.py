"""One reader per partner file format (CSV, JSON, spreadsheets), each returning `Grid`s; `reader.py` picks."""
