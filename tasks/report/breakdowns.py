"""The small tables under the note's headline: the period's values by gender, cercle, operator, MFI, crop."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from tasks.indicators.catalogue import Indicator
from tasks.report.labels import TEXT, formatted, number

# (title key, the breakdown's dimension, the indicators shown side by side): few columns, so each fits A4.
TABLES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("producers_by_gender", "gender", ("trained_producers",)),
    ("producers_by_cercle", "cercle", ("trained_producers",)),
    ("reach_by_cercle", "cercle", ("sms_weekly_reach",)),
    ("reach_by_operator", "operator", ("sms_weekly_reach",)),
    ("portfolio_by_mfi", "mfi", ("gross_loan_portfolio_xof", "par30")),
    ("portfolio_by_crop", "crop", ("gross_loan_portfolio_xof", "par30")),
)


class StoredValue(Protocol):
    indicator: str
    disaggregation: dict[str, Any]
    numerator: float | None
    denominator: float | None
    value: float | None


@dataclass(frozen=True)
class Breakdown:
    """One small table: a title, its column heads, and one row per value of the dimension."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[str]]


def _cell(indicator: Indicator, row: StoredValue | None, lang: str) -> str:
    """The value as the headline shows it; a ratio with its numerator and denominator beside it."""
    if row is None:
        return "–"
    shown = formatted(row.value, indicator.unit, lang)
    if indicator.is_ratio:
        shown += f" ({number(row.numerator, lang)} / {number(row.denominator, lang)})"
    return shown


def _label(dim: str, value: Any, lang: str) -> str:
    """A breakdown's value as a reader names it (F -> Femmes); codes without words are shown as stored."""
    return TEXT[lang].get(f"{dim}_{value}", str(value))


def breakdowns(catalogue: dict[str, Indicator], current: list[StoredValue], lang: str) -> list[Breakdown]:
    """Every table of TABLES that has at least one stored value in the period, in that order."""
    text = TEXT[lang]
    found: dict[tuple[str, str, Any], StoredValue] = {}
    for row in current:
        if len(row.disaggregation) == 1:
            ((dim, value),) = row.disaggregation.items()
            found[(row.indicator, dim, value)] = row
    tables = []
    for key, dim, indicators in TABLES:
        shown = [catalogue[i] for i in indicators if i in catalogue]
        values = sorted({v for (i, d, v) in found if d == dim and i in indicators}, key=str)
        if not shown or not values:
            continue
        tables.append(
            Breakdown(
                key,
                text[key],
                [text[f"dim_{dim}"], *(i.name(lang) for i in shown)],
                [
                    [_label(dim, v, lang), *(_cell(i, found.get((i.id, dim, v)), lang) for i in shown)]
                    for v in values
                ],
            )
        )
    return tables
