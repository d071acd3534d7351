"""Partner files onto canonical columns: mapping, types, phones, dates, amounts and cercles."""

from tasks.standardise.errors import InputError
from tasks.standardise.file import standardise_file
from tasks.standardise.result import RowIssue, Standardised

__all__ = ["InputError", "RowIssue", "Standardised", "standardise_file"]
