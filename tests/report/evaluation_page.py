"""Read the evaluation page as a reader does: the results table's cells per indicator row and campaign."""

from __future__ import annotations

import json
from html.parser import HTMLParser


class ResultsTable(HTMLParser):
    """Cells of `<tr data-indicator data-disaggregation>` rows: {(indicator, disaggregation): {key: text}},
    key being the campaign of a `data-campaign` cell, or `change`."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[tuple[str, str], dict[str, str]] = {}
        self._row: tuple[str, str] | None = None
        self._cell: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "tr" and "data-indicator" in found:
            disaggregation = json.dumps(json.loads(found["data-disaggregation"] or "{}"), sort_keys=True)
            self._row = (found["data-indicator"] or "", disaggregation)
            self.rows[self._row] = {}
        elif tag == "td" and self._row is not None:
            classes = (found.get("class") or "").split()
            self._cell = found.get("data-campaign") or ("change" if "change" in classes else None)
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._row is not None and self._cell is not None:
            self.rows[self._row][self._cell] = " ".join(" ".join(self._text).split())
            self._cell = None
        elif tag == "tr":
            self._row = None


def results(page: str) -> dict[tuple[str, str], dict[str, str]]:
    """The results table of an evaluation page."""
    parser = ResultsTable()
    parser.feed(page.split('id="results"')[1].split("</section>")[0])
    return parser.rows


def cell(page: str, indicator: str, campaign: str, **disaggregation: object) -> str:
    """The text of one campaign's cell of one indicator row (value, fraction, kind)."""
    return results(page)[(indicator, json.dumps(disaggregation, sort_keys=True))][campaign]


def section(page: str, section_id: str) -> str:
    return page.split(f'id="{section_id}"')[1].split("</section>")[0]
