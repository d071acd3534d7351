"""The output formats the commands offer, one definition so every `--format` reads the same."""

from __future__ import annotations

from enum import StrEnum


class Format(StrEnum):
    """For listings: a table for a person, JSON for a program."""

    table = "table"
    json = "json"


class TabularFormat(StrEnum):
    """For query-like results, which analysts also want as CSV."""

    table = "table"
    json = "json"
    csv = "csv"


class ReportFormat(StrEnum):
    """For a report: the page (HTML, and PDF when Chromium is there) for a person, JSON for a program."""

    html = "html"
    json = "json"
