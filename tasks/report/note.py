"""Write the bimonthly monitoring note: one self-contained HTML page from the stored indicator values."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import Engine

from tasks.indicators.catalogue import Indicator, load_catalogue
from tasks.indicators.periods import Period, parse_period
from tasks.report import charts
from tasks.report.breakdowns import breakdowns
from tasks.report.calendar import campaigns_in
from tasks.report.comments import render_comments
from tasks.report.labels import (
    TEXT,
    breakdown,
    check_label,
    empty_note,
    formatted,
    kind_words,
    number,
    percent,
    period_label,
    reason_label,
    short_period,
    value_label,
)
from tasks.report.loans_section import loans_block
from tasks.report.snapshot import take_snapshot

TEMPLATES = Path(__file__).resolve().parent / "templates"
PORTFOLIO = ("gross_loan_portfolio_xof", "par30", "loans_disbursed_xof", "repayment_rate")
TREND_PERIODS = 12  # two years of bi-months keeps the small multiples legible


@dataclass(frozen=True)
class Stored:
    """One `indicator_value` row as the note reads it."""

    indicator: str
    period: str
    disaggregation: dict[str, Any]
    numerator: float | None
    denominator: float | None
    value: float | None
    target: float | None
    note: str | None
    aggregation: str | None = None  # a snapshot issued before the column existed has none


def _progress(indicator: Indicator, row: Stored) -> float | None:
    return indicator.progress(row.value, row.numerator, row.target)


def _headline(
    catalogue: dict[str, Indicator], current: list[Stored], period: Period, lang: str
) -> list[dict[str, Any]]:
    """Totals of every indicator, each followed by its disaggregations that carry their own target."""
    by_indicator: dict[str, list[Stored]] = defaultdict(list)
    for row in current:
        if not row.disaggregation or row.target is not None:
            by_indicator[row.indicator].append(row)
    lines = []
    for indicator in catalogue.values():
        for row in sorted(
            by_indicator[indicator.id], key=lambda r: (bool(r.disaggregation), str(r.disaggregation))
        ):
            lines.append(
                {
                    "name": indicator.name(lang),
                    "detail": breakdown(row.disaggregation, lang),
                    "definition": indicator.definition,
                    "value": formatted(row.value, indicator.unit, lang),
                    # the stored kind; an older snapshot's row takes the catalogue's
                    "kind": kind_words(row.aggregation or indicator.aggregation, period, lang),
                    "fraction": (
                        f"{number(row.numerator, lang)} / {number(row.denominator, lang)}"
                        if indicator.is_ratio
                        else ""
                    ),
                    "target": TEXT[lang]["no_target"]
                    if row.target is None
                    else formatted(
                        row.target, "count" if indicator.target_of == "numerator" else indicator.unit, lang
                    ),
                    "progress": percent(_progress(indicator, row), lang),
                    "note": empty_note(row.note, lang),
                }
            )
    return lines


def _trend_chart(catalogue: dict[str, Indicator], stored: list[Stored], lang: str) -> list[str]:
    """Small multiples of the charted indicators' totals across the bi-months so far, a few per picture."""
    text = TEXT[lang]
    periods = sorted({r.period for r in stored})[-TREND_PERIODS:]
    if not periods:
        return []
    totals = {(r.indicator, r.period): r for r in stored if not r.disaggregation}
    series = []
    for indicator in (i for i in catalogue.values() if i.chart):
        scale = 100 if indicator.is_ratio else 1e-6 if indicator.unit == "xof" else 1
        values = [totals.get((indicator.id, p)) for p in periods]
        target = values[-1].target if values[-1] else None
        series.append(
            {
                "title": indicator.name(lang)
                + (
                    " (%)"
                    if indicator.is_ratio
                    else f" — {text['millions']}"
                    if indicator.unit == "xof"
                    else ""
                ),
                "labels": [short_period(parse_period(p), lang) for p in periods],
                "values": [None if v is None or v.value is None else v.value * scale for v in values],
                "target": None if target is None or indicator.target_of == "numerator" else target * scale,
                "percent": indicator.is_ratio,
            }
        )
    return charts.trends(series, lang) if series else []


def _reach_chart(stored: list[Stored], text: dict[str, str], lang: str) -> str | None:
    """Reach per campaign week, from the per-week rows of every bi-month so far."""
    weeks: dict[str, dict[int, float | None]] = defaultdict(dict)
    for row in stored:
        if row.indicator == "sms_weekly_reach" and "week" in row.disaggregation:
            value = None if row.value is None else row.value * 100
            weeks[str(row.disaggregation["campaign"])][int(row.disaggregation["week"])] = value
    if not weeks:
        return None
    lines = {name: (sorted(w), [w[k] for k in sorted(w)]) for name, w in sorted(weeks.items())}
    return charts.weekly_reach(lines, text["week"], text["reach_axis"], lang)


def _portfolio(
    current: list[Stored], lang: str, text: dict[str, str]
) -> tuple[list[dict[str, Any]], str | None]:
    """The period's portfolio by MFI and by crop: a table and a bar chart of the same stored values."""
    found = {
        (r.indicator, *next(iter(r.disaggregation.items()))): r
        for r in current
        if r.indicator in PORTFOLIO and len(r.disaggregation) == 1
    }
    table, groups = [], []
    for dim, title in (("mfi", text["by_mfi"]), ("crop", text["by_crop"])):
        keys = sorted({k[2] for k in found if k[1] == dim}, key=str)
        if not keys:
            continue
        for key in keys:

            def get(indicator: str, dim: str = dim, key: Any = key) -> float | None:
                return getattr(found.get((indicator, dim, key)), "value", None)

            table.append(
                {
                    "group": title,
                    "name": value_label(dim, key, lang),
                    "glp": formatted(get("gross_loan_portfolio_xof"), "xof", lang),
                    "par30": percent(get("par30"), lang),
                    "disbursed": formatted(get("loans_disbursed_xof"), "xof", lang),
                    "repayment": percent(get("repayment_rate"), lang),
                }
            )
        groups.append(
            (
                title,
                [value_label(dim, k, lang) for k in keys],
                [
                    (getattr(found.get(("gross_loan_portfolio_xof", dim, k)), "value", 0) or 0) / 1e6
                    for k in keys
                ],
            )
        )
    chart = (
        charts.portfolio(groups, text["millions"], lang)
        if groups and any(any(g[2]) for g in groups)
        else None
    )
    return table, chart


def _rows(snapshot: dict[str, Any]) -> list[Stored]:
    return [Stored(**{k: r[k] for k in Stored.__dataclass_fields__ if k in r}) for r in snapshot["values"]]


def _changes(
    changes: list[dict[str, Any]], catalogue: dict[str, Indicator], lang: str
) -> list[dict[str, Any]]:
    """The values that differ from the previous version, formatted like the headline; a commentary change
    is one line of its own."""
    lines = []
    for change in changes:
        if change.get("kind") == "comments":
            what = (
                "comments_added"
                if not change["previous"]
                else "comments_removed"
                if not change["current"]
                else "comments_changed"
            )
            lines.append({"comments": TEXT[lang][what]})
            continue
        indicator = catalogue.get(change["indicator"])
        unit = indicator.unit if indicator else "count"

        def shown(side: dict[str, Any] | None, unit: str = unit) -> str:
            return "–" if side is None else formatted(side["value"], unit, lang)

        lines.append(
            {
                "name": indicator.name(lang) if indicator else change["indicator"],
                "period": change["period"],
                "detail": breakdown(change["disaggregation"], lang, named=True),
                "previous": shown(change["previous"]),
                "current": shown(change["current"]),
            }
        )
    return lines


def render_note(
    snapshot: dict[str, Any],
    lang: str = "fr",
    config_dir: Path | None = None,
    issue: dict[str, Any] | None = None,
) -> str:
    """The note's HTML from a snapshot; `issue` (version, issued_at, changes) marks it as issued."""
    if lang not in TEXT:
        raise ValueError(f"the note is written in {sorted(TEXT)}, not {lang!r}")
    period = parse_period(snapshot["period"])
    catalogue = load_catalogue(config_dir / "indicators.yaml" if config_dir else None)
    text = TEXT[lang]
    stored = _rows(snapshot)
    current = [r for r in stored if r.period == period.id]
    portfolio_rows, portfolio_chart = _portfolio(current, lang, text)
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"])
    )
    return environment.get_template("note.html.j2").render(
        lang=lang,
        t=text,
        period=period,
        period_label=period_label(period, lang),
        issue=issue,
        changes=_changes(issue["changes"], catalogue, lang) if issue else [],
        out_of_campaign=not campaigns_in(period, config_dir),
        comments=render_comments(snapshot.get("comments")),
        headline=_headline(catalogue, current, period, lang),
        breakdowns=breakdowns(catalogue, current, lang),
        trend_chart=_trend_chart(catalogue, stored, lang),
        reach_chart=_reach_chart(stored, text, lang),
        portfolio_rows=portfolio_rows,
        portfolio_chart=portfolio_chart,
        loans=loans_block(snapshot["loans"], lang) if snapshot.get("loans") else None,
        partners=[
            {**p, **{k: number(p[k], lang) for k in ("rows_in", "rows_loaded", "rows_quarantined")}}
            for p in snapshot["partners"]
        ],
        reasons=[
            {
                **r,
                "check_name": check_label(r["check_name"], lang),
                "example": reason_label(r["example"], lang, r["column_name"]),
                "rows": number(r["rows"], lang),
            }
            for r in snapshot["reasons"]
        ],
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )


def write_note(
    engine: Engine,
    period_id: str,
    out_dir: Path,
    lang: str = "fr",
    config_dir: Path | None = None,
    comments: str | None = None,
) -> Path:
    """A draft of the period's note (`note-<period>-<lang>.html`) from the values stored now, not issued."""
    if lang not in TEXT:
        raise ValueError(f"the note is written in {sorted(TEXT)}, not {lang!r}")
    period = parse_period(period_id)
    with engine.connect() as conn:
        snapshot = take_snapshot(conn, period, comments)
    html = render_note(snapshot, lang, config_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"note-{period.id}-{lang}.html"
    path.write_text(html, encoding="utf-8")
    return path
