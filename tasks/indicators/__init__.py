"""Bimonthly indicators: the catalogue of config/indicators.yaml, computed in SQL into `indicator_value`."""
