"""Prefect flows: thin, they say what happens and in what order; `tasks/` says how."""
