"""The evaluation and capitalisation report of a whole SMS campaign (R6/A9), beside the previous campaign.

Every number is computed once over the campaign's window from the warehouse rows (evaluation_numbers.py);
this file only lays them out.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import Engine

from malux.settings import get_settings
from tasks.indicators.catalogue import Indicator, load_catalogue
from tasks.report import charts
from tasks.report.campaign_figures import CampaignFigures
from tasks.report.campaign_lessons import REACH_FLOOR, loan_arrears, weakest_reach, weeks_under_floor
from tasks.report.chromium import find_chromium, print_pdf
from tasks.report.evaluation_numbers import Evaluation, evaluate_campaign
from tasks.report.evaluation_words import KINDS, WORDS
from tasks.report.labels import TEXT, formatted, number, percent, value_label
from tasks.report.loans_section import loans_block
from tasks.report.note import TEMPLATES, Stored, _portfolio


def _kind(aggregation: str | None, figures: CampaignFigures, lang: str) -> str:
    return KINDS[lang].get(aggregation or "", "").format(day=figures.window.end.strftime("%d/%m/%Y"))


def _figure(indicator: Indicator, row: dict[str, Any] | None, figures: CampaignFigures, lang: str) -> dict:
    """One value as a cell shows it: the value, its fraction for a ratio, and what kind of number it is."""
    if row is None:
        return {"campaign": figures.campaign, "value": "–", "fraction": "", "kind": ""}
    return {
        "campaign": figures.campaign,
        "value": formatted(row["value"], indicator.unit, lang),
        "fraction": f"{number(row['numerator'], lang)} / {number(row['denominator'], lang)}"
        if indicator.is_ratio
        else "",
        "kind": _kind(row["aggregation"], figures, lang),
    }


def _change(unit: str, now: dict | None, before: dict | None, lang: str) -> str:
    """The change since the previous campaign: percentage points for a ratio, else in the value's unit."""
    if not now or not before or now["value"] is None or before["value"] is None:
        return "–"
    diff = now["value"] - before["value"]
    if unit == "ratio":  # rounded first, so a tiny fall reads 0,0 and not -0,0
        points = round(diff * 100, 1) or 0.0
        return f"{'+' if points > 0 else ''}{number(points, lang, 1)} {WORDS[lang]['points']}"
    return ("+" if diff > 0 else "") + formatted(diff, unit, lang)


def _detail(indicator: Indicator, split: dict[str, Any], lang: str) -> str:
    """What a row is about: its disaggregation, `campagne` for this campaign's own, `toutes campagnes` for a
    total that adds every campaign to date (weeks broadcast), so it is not read as this campaign's."""
    if not split:
        return WORDS[lang]["all_campaigns"] if "campaign" in indicator.disaggregations else ""
    return ", ".join(
        WORDS[lang]["campaign"].lower() if k == "campaign" else value_label(k, v, lang)
        for k, v in split.items()
    )


def _results(
    catalogue: dict[str, Indicator], current: CampaignFigures, previous: CampaignFigures | None, lang: str
) -> list[dict[str, Any]]:
    """Each indicator's total, then its disaggregations with their own target, for both campaigns."""
    lines = []
    for indicator in catalogue.values():
        rows = [
            v
            for v in current.values
            if v["indicator"] == indicator.id and (not v["disaggregation"] or v["target"] is not None)
        ]
        for row in sorted(rows, key=lambda v: (bool(v["disaggregation"]), str(v["disaggregation"]))):
            split = row["disaggregation"]
            before = (
                previous.find(
                    indicator.id, **{k: previous.campaign if k == "campaign" else v for k, v in split.items()}
                )
                if previous
                else None
            )
            progress = indicator.progress(row["value"], row["numerator"], row["target"])
            lines.append(
                {
                    "indicator": indicator.id,
                    "disaggregation": json.dumps(split, sort_keys=True, ensure_ascii=False),
                    "name": indicator.name(lang),
                    "detail": _detail(indicator, split, lang),
                    "cells": ([_figure(indicator, before, previous, lang)] if previous else [])
                    + [_figure(indicator, row, current, lang)],
                    "change": _change(indicator.unit, row, before, lang),
                    "target": "–"
                    if row["target"] is None
                    else formatted(
                        row["target"], "count" if indicator.target_of == "numerator" else indicator.unit, lang
                    ),
                    "progress": percent(progress, lang),
                }
            )
    return lines


def _summary(figures: CampaignFigures, lang: str) -> list[dict[str, str]]:
    """The campaign in a few figures, each with its kind: weeks broadcast, reach, SMS accepted, delivered."""
    words = WORDS[lang]
    broadcast = figures.find("sms_weeks_broadcast", campaign=figures.campaign)
    reach = figures.find("sms_weekly_reach")
    weeks = _weekly(figures)
    valued = [(w, v) for w, v in weeks.items() if v is not None]
    lines = [
        (
            "weeks_broadcast",
            f"{number(broadcast['numerator'] if broadcast else 0, lang)} / {number(figures.weeks, lang)}",
            "to_date",
        ),
        ("mean_reach", _ratio_text(reach, lang), "period"),
        ("sms_sent", number((figures.find("sms_sent") or {}).get("value"), lang), "period"),
        ("sms_delivered", number((figures.find("sms_delivered") or {}).get("value"), lang), "period"),
        ("delivery_rate", _ratio_text(figures.find("sms_delivery_rate"), lang), "period"),
    ]
    if valued:
        best = max(valued, key=lambda item: item[1])
        worst = min(valued, key=lambda item: item[1])
        lines += [
            ("best_week", f"{best[0]} ({percent(best[1], lang)})", "period"),
            ("worst_week", f"{worst[0]} ({percent(worst[1], lang)})", "period"),
        ]
    return [
        {"id": key, "name": words[key], "value": value, "kind": _kind(kind, figures, lang)}
        for key, value, kind in lines
    ]


def _ratio_text(row: dict[str, Any] | None, lang: str) -> str:
    if row is None:
        return "–"
    fraction = f"{number(row['numerator'], lang)} / {number(row['denominator'], lang)}"
    return f"{percent(row['value'], lang)} ({fraction})"


def _weekly(figures: CampaignFigures) -> dict[int, float | None]:
    """Reach per week of the campaign, in week order."""
    rows = [
        v
        for v in figures.values
        if v["indicator"] == "sms_weekly_reach" and set(v["disaggregation"]) == {"campaign", "week"}
    ]
    return {
        int(v["disaggregation"]["week"]): v["value"]
        for v in sorted(rows, key=lambda v: v["disaggregation"]["week"])
    }


def _operators(figures: CampaignFigures, lang: str) -> list[dict[str, str]]:
    """SMS accepted, delivered and the delivery rate per operator over the campaign."""
    table = []
    for sent in figures.by("sms_sent", "operator"):
        operator = sent["disaggregation"]["operator"]
        delivered = figures.find("sms_delivered", operator=operator)
        rate = figures.find("sms_delivery_rate", operator=operator)
        table.append(
            {
                "operator": value_label("operator", operator, lang)
                if operator is not None
                else WORDS[lang]["unknown"],
                "sent": number(sent["value"], lang),
                "delivered": number(delivered["value"] if delivered else None, lang),
                "rate": percent(rate["value"] if rate else None, lang),
            }
        )
    return table


def _reach_text(rows: list[dict[str, Any]], dim: str, lang: str) -> str:
    if not rows:
        return WORDS[lang]["no_reach"]

    def named(code: Any) -> str:
        return value_label(dim, code, lang) if code else WORDS[lang]["unknown"]

    return ", ".join(f"{named(r['disaggregation'][dim])} {_ratio_text(r, lang)}" for r in rows)


def _lessons(evaluation: Evaluation, lang: str) -> list[dict[str, str]]:
    """Each lesson a sentence from the campaign's own figures (and the previous campaign's, if any)."""
    current, previous, words = evaluation.current, evaluation.previous, WORDS[lang]
    floor = percent(REACH_FLOOR, lang)
    unknown = words["unknown"]
    lessons = {
        "weakest_cercles": (
            words["weakest_cercles"],
            _reach_text(weakest_reach(current, "cercle"), "cercle", lang),
        ),
        "weakest_operators": (
            words["weakest_operators"],
            _reach_text(weakest_reach(current, "operator"), "operator", lang),
        ),
    }
    under = weeks_under_floor(current)
    listed = ", ".join(f"{v['disaggregation']['week']} ({percent(v['value'], lang)})" for v in under)
    lessons["weeks_under"] = (
        (words["weeks_under"].format(floor=floor), f"{len(under)} {words['of']} {current.weeks} — {listed}")
        if under
        else (words["weeks_under_none"].format(floor=floor), "")
    )
    left = evaluation.optouts
    by_cercle = ", ".join(f"{r['cercle'] or unknown} {number(r['optouts'], lang)}" for r in left)
    lessons["optouts"] = (
        words["optouts"],
        number(sum(r["optouts"] for r in left), lang) + (f" ({by_cercle})" if left else ""),
    )
    lessons["quarantine"] = (
        words["quarantine"],
        words["then"].join(
            f"{p['partner']} {number(p['rows_quarantined'], lang)} / {number(p['rows_in'], lang)} "
            f"({percent(p['share'], lang)}), {number(p['rejected'], lang)} {words['files_rejected']}"
            for p in evaluation.quarantine
        )
        or "–",
    )
    lessons["arrears"] = (
        words["arrears"].format(kind=_kind("at_end", current, lang)),
        words["then"].join(
            f"{a['mfi']} {formatted(a['past_due'], 'xof', lang)} ({words['late_30']} "
            f"{formatted(a['late_30'], 'xof', lang)}, {words['portfolio_of']} "
            f"{formatted(a['portfolio'], 'xof', lang)})"
            for a in loan_arrears(current)
        )
        or words["no_arrears"],
    )
    women, producers = current.find("trained_producers", gender="F"), current.find("trained_producers")
    lessons["women"] = (
        f"{words['women']} ({_kind('to_date', current, lang)})",
        _ratio_text(
            {
                "value": women["value"] / producers["value"],
                "numerator": women["value"],
                "denominator": producers["value"],
            }
            if women and producers and producers["value"]
            else None,
            lang,
        ),
    )
    contacts = current.find("contact_coverage")
    lessons["contacts"] = (
        f"{words['contacts']} ({_kind('at_end', current, lang)})",
        number(contacts["numerator"] if contacts else None, lang),
    )
    if previous:
        now, before = current.find("sms_weekly_reach"), previous.find("sms_weekly_reach")
        lessons["reach_change"] = (
            words["mean_reach"],
            f"{_ratio_text(now, lang)} {words['versus']} {_ratio_text(before, lang)} {words['in_campaign']} "
            f"{previous.campaign} ({_change('ratio', now, before, lang)})",
        )
    return [
        {"id": key, "text": f"{title}{words['colon']} {body}" if body else title}
        for key, (title, body) in lessons.items()
    ]


def _reach_chart(current: CampaignFigures, previous: CampaignFigures | None, lang: str) -> str | None:
    """Reach per campaign week, one line per campaign."""
    lines = {}
    for figures in (previous, current):
        if figures is None:
            continue
        weeks = _weekly(figures)
        if any(v is not None for v in weeks.values()):
            lines[figures.campaign] = (list(weeks), [None if v is None else v * 100 for v in weeks.values()])
    text = TEXT[lang]
    return charts.weekly_reach(lines, text["week"], text["reach_axis"], lang) if lines else None


def render_evaluation(evaluation: Evaluation, lang: str, config_dir: Path) -> str:
    """The report's HTML page from the evaluation's numbers (nothing is computed here)."""
    current, previous = evaluation.current, evaluation.previous
    text, words = TEXT[lang], WORDS[lang]
    catalogue = load_catalogue(config_dir / "indicators.yaml")
    at_end = [
        Stored(
            v["indicator"],
            current.window.id,
            v["disaggregation"],
            v["numerator"],
            v["denominator"],
            v["value"],
            v["target"],
            v["note"],
            v["aggregation"],
        )
        for v in current.values
    ]
    portfolio_rows, portfolio_chart = _portfolio(at_end, lang, text)
    return (
        Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]))
        .get_template("evaluation.html.j2")
        .render(
            lang=lang,
            t=text,
            w=words,
            campaign=current.campaign,
            first=current.window.start.strftime("%d/%m/%Y"),
            last=current.window.end.strftime("%d/%m/%Y"),
            previous=previous,
            previous_span=(
                f"{previous.window.start.strftime('%d/%m/%Y')} – {previous.window.end.strftime('%d/%m/%Y')}"
                if previous
                else ""
            ),
            summary=_summary(current, lang),
            reach_chart=_reach_chart(current, previous, lang),
            operators=_operators(current, lang),
            loans=loans_block(evaluation.loans, lang),
            results=_results(catalogue, current, previous, lang),
            portfolio_kind=_kind("at_end", current, lang),
            portfolio_rows=portfolio_rows,
            portfolio_chart=portfolio_chart,
            lessons=_lessons(evaluation, lang),
            generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        )
    )


def write_evaluation(
    engine: Engine, campaign: str, out_dir: Path, lang: str = "fr", config_dir: Path | None = None
) -> tuple[Path, Path | None]:
    """Write `evaluation-<campaign>-<lang>.html` (and its PDF when Chromium is there) over the campaign."""
    if lang not in TEXT:
        raise ValueError(f"the report is written in {sorted(TEXT)}, not {lang!r}")
    config_dir = config_dir or get_settings().config_dir
    html = render_evaluation(evaluate_campaign(engine, campaign, config_dir), lang, config_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"evaluation-{campaign}-{lang}.html"
    path.write_text(html, encoding="utf-8")
    pdf = print_pdf(path, path.with_suffix(".pdf")) if find_chromium() else None
    return path, pdf
