"""MALUX: the data pipeline under a rural development program in Mali."""
