"""Pull partner data from APIs into landing files the ingest flow reads like any partner file."""
