"""Bimonthly indicators: the catalogue of DESIGN §5 computed in SQL and stored in `indicator_value`."""
