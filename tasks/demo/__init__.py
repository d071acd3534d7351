"""The demo's own steps: generate partner files, and play the SMS aggregator's delivery export."""
