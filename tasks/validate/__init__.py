"""Validation: the dataset's Great Expectations suite plus the references between datasets."""
