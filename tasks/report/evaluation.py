"""The evaluation and capitalisation report of a whole SMS campaign (R6/A9), from the stored values."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import Engine

from malux.settings import get_settings
from tasks.indicators.catalogue import load_catalogue
from tasks.indicators.periods import periods_between
from tasks.report import charts
from tasks.report.chromium import find_chromium, print_pdf
from tasks.report.labels import TEXT, number, percent, period_label, value_label
from tasks.report.note import TEMPLATES, Stored, _headline, _portfolio, _trend_chart
from tasks.report.snapshot import take_snapshot
from tasks.sms.calendar import all_campaign_weeks

WORDS = {
    "fr": {
        "title": "Rapport d'évaluation et de capitalisation",
        "campaign": "Campagne",
        "summary": "La campagne en bref",
        "weeks_broadcast": "Semaines diffusées",
        "mean_reach": "Portée moyenne des SMS",
        "best_week": "Meilleure semaine",
        "worst_week": "Semaine la plus faible",
        "operators": "Livraison des SMS par opérateur sur la campagne",
        "operator": "Opérateur",
        "results": "Résultats en fin de campagne",
        "lessons": "Enseignements tirés des données",
        "missing": "Bimestres sans valeurs calculées (lancer `malux indicators compute`)",
        "women": "Part des femmes parmi les producteurs formés",
        "contacts": "Contacts téléphoniques valides collectés",
        "rejected": "Fichiers rejetés et lignes mises en quarantaine",
    },
    "en": {
        "title": "Evaluation and capitalisation report",
        "campaign": "Campaign",
        "summary": "The campaign at a glance",
        "weeks_broadcast": "Weeks broadcast",
        "mean_reach": "Mean SMS reach",
        "best_week": "Best week",
        "worst_week": "Weakest week",
        "operators": "SMS delivery by operator over the campaign",
        "operator": "Operator",
        "results": "Results at the campaign's end",
        "lessons": "Lessons drawn from the data",
        "missing": "Bi-months with no computed values (run `malux indicators compute`)",
        "women": "Share of women among trained producers",
        "contacts": "Valid phone contacts collected",
        "rejected": "Files rejected and rows quarantined",
    },
}


def _rows(snapshot: dict[str, Any]) -> list[Stored]:
    return [Stored(**{k: r[k] for k in Stored.__dataclass_fields__}) for r in snapshot["values"]]


def _weekly(stored: list[Stored], campaign: str) -> dict[int, Stored]:
    return {
        int(r.disaggregation["week"]): r
        for r in stored
        if r.indicator == "sms_weekly_reach" and r.disaggregation.get("campaign") == campaign
    }


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def _operators(stored: list[Stored], periods: set[str]) -> list[dict[str, Any]]:
    """Accepted and delivered messages per operator summed over the campaign's bi-months."""
    sums: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for r in stored:
        if (
            r.period in periods
            and r.indicator in ("sms_sent", "sms_delivered")
            and "operator" in r.disaggregation
        ):
            sums[str(r.disaggregation["operator"])][r.indicator] += r.value or 0
    return [
        {"operator": op, "sent": s["sms_sent"], "delivered": s["sms_delivered"]}
        for op, s in sorted(sums.items())
    ]


def write_evaluation(
    engine: Engine, campaign: str, out_dir: Path, lang: str = "fr", config_dir: Path | None = None
) -> tuple[Path, Path | None]:
    """Write `evaluation-<campaign>-<lang>.html` (and its PDF when Chromium is there) over the campaign."""
    if lang not in TEXT:
        raise ValueError(f"the report is written in {sorted(TEXT)}, not {lang!r}")
    config_dir = config_dir or get_settings().config_dir
    weeks = [w for w in all_campaign_weeks(config_dir) if w.campaign == campaign]
    if not weeks:
        known = sorted({w.campaign for w in all_campaign_weeks(config_dir)})
        raise ValueError(f"unknown campaign {campaign!r}: config/campaigns.yaml has {known}")
    periods = periods_between(weeks[0].send_at.date(), weeks[-1].next_send_at.date())
    catalogue = load_catalogue(config_dir / "indicators.yaml")
    with engine.connect() as conn:
        snapshot = take_snapshot(conn, periods[-1])
    stored = [r for r in _rows(snapshot) if r.period >= periods[0].id]
    ids = {p.id for p in periods}
    missing = [p.id for p in periods if not any(r.period == p.id for r in stored)]
    last = periods[-1].id
    at_end = [r for r in stored if r.period == last]
    weekly = _weekly(stored, campaign)
    reach_num = sum(r.numerator or 0 for r in weekly.values())
    reach_den = sum(r.denominator or 0 for r in weekly.values())
    valued = [(w, r.value) for w, r in sorted(weekly.items()) if r.value is not None]
    # weeks broadcast is stored to date per campaign: the latest period's value, never a sum over periods
    to_date = sorted(
        (
            r
            for r in stored
            if r.indicator == "sms_weeks_broadcast" and r.disaggregation == {"campaign": campaign}
        ),
        key=lambda r: r.period,
    )
    broadcast = (to_date[-1].value or 0) if to_date else 0
    women = next(
        (r for r in at_end if r.indicator == "trained_producers" and r.disaggregation == {"gender": "F"}),
        None,
    )
    producers = next((r for r in at_end if r.indicator == "trained_producers" and not r.disaggregation), None)
    contacts = next((r for r in at_end if r.indicator == "contact_coverage" and not r.disaggregation), None)
    text, words = TEXT[lang], WORDS[lang]
    portfolio_rows, portfolio_chart = _portfolio(at_end, lang, text)
    reach_chart = (
        charts.weekly_reach(
            {campaign: ([w for w, _ in valued], [v * 100 for _, v in valued])},
            text["week"],
            text["reach_axis"],
            lang,
        )
        if valued
        else None
    )
    html = (
        Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]))
        .get_template("evaluation.html.j2")
        .render(
            lang=lang,
            t=text,
            w=words,
            campaign=campaign,
            first=weeks[0].send_at.date().isoformat(),
            last=weeks[-1].next_send_at.date().isoformat(),
            periods=f"{period_label(periods[0], lang)} – {period_label(periods[-1], lang)}",
            missing=missing,
            weeks_broadcast=f"{number(broadcast, lang)} / {len(weeks)}",
            mean_reach=percent(_ratio(reach_num, reach_den), lang),
            best=f"{valued[max(range(len(valued)), key=lambda i: valued[i][1])][0]}" if valued else "–",
            worst=f"{valued[min(range(len(valued)), key=lambda i: valued[i][1])][0]}" if valued else "–",
            reach_chart=reach_chart,
            operators=[
                {
                    **o,
                    "operator": value_label("operator", o["operator"], lang),
                    "rate": percent(_ratio(o["delivered"], o["sent"]), lang),
                    "sent": number(o["sent"], lang),
                }
                for o in _operators(stored, ids)
            ],
            headline=_headline(catalogue, at_end, periods[-1], lang),
            trend_chart=_trend_chart(catalogue, [r for r in stored if r.period in ids], lang),
            portfolio_rows=portfolio_rows,
            portfolio_chart=portfolio_chart,
            women=percent(_ratio(women.value or 0, producers.value or 0), lang)
            if women and producers
            else "–",
            contacts=number(contacts.numerator, lang) if contacts else "–",
            partners=snapshot["partners"],
            generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        )
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"evaluation-{campaign}-{lang}.html"
    path.write_text(html, encoding="utf-8")
    pdf = print_pdf(path, path.with_suffix(".pdf")) if find_chromium() else None
    return path, pdf
