"""Ingest one partner file: register it, standardise it, validate it, publish what passed."""
