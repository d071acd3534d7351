"""The bimonthly monitoring note: stored indicator values rendered as one self-contained HTML page."""
