"""The work of the pipeline: standardise, validate, load, compose, send, compute, report."""
