"""MALUX: the data pipeline under a rural development program in Mali.

Two floors live here, at the two ends of the house: `malux.cli` (the top: it may import everything) and
`malux.settings` (the bottom: everything may import it, it imports nothing of MALUX). The import-linter
contract in pyproject.toml keeps it so; docs/architecture.md draws the floors between.
"""
