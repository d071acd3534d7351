"""This week's sesame-market message for every subscriber, from the warehouse's farm-gate prices."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, exists, or_, select

from malux.settings import get_settings
from malux.settings.config_files import plain, read_program, read_sms_templates
from tasks.sms.calendar import week_for
from tasks.sms.encoding import analyse, clean_typography
from tasks.sms.subscriptions import subscription_lines, with_lines
from warehouse.schema import beneficiaries, market_prices, sms_optout


class MessageTooLongError(ValueError):
    """A composed message costs more segments than the budget allows; nothing of the week is queued."""


@dataclass(frozen=True)
class Composed:
    """One subscriber's message for one campaign week, ready for the outbox."""

    message_id: str
    campaign: str
    week: int
    beneficiary_id: str
    phone: str
    operator: str | None
    language: str
    body: str
    encoding: str
    segments: int
    scheduled_at: datetime


@dataclass(frozen=True)
class PriceRange:
    """Farm-gate prices of an area's markets on a date: what the message quotes and the trend compares."""

    low: float
    high: float
    mean: float
    area: str  # "cercle" or "region" (the cercle had no recent price)


def message_id(campaign: str, week: int, beneficiary_id: str) -> str:
    """The outbox key; the same for every run of the same week, which makes queueing idempotent."""
    return f"{campaign}-w{week:02d}-{beneficiary_id}"


def load_sms_config(config_dir: Path | None = None) -> dict:
    """Templates and rules from config/sms/templates.yaml plus the audience from config/program.yaml."""
    root = config_dir or get_settings().config_dir
    cfg = plain(read_sms_templates(root / "sms" / "templates.yaml"))
    cfg["audience"] = list(read_program(root / "program.yaml").sms_audience)
    return cfg


def audience(engine: Engine, send_at: datetime, categories: list[str]) -> list[dict]:
    """Subscribers on the send date: SMS category, consent, valid phone, registered, not opted out."""
    opted_out = exists().where(
        sms_optout.c.beneficiary_id == beneficiaries.c.beneficiary_id, sms_optout.c.opted_out_at < send_at
    )
    query = (
        select(beneficiaries)
        .where(
            beneficiaries.c.category.in_(categories),
            beneficiaries.c.sms_consent.is_(True),
            beneficiaries.c.phone_valid.is_(True),
            beneficiaries.c.phone.is_not(None),
            or_(beneficiaries.c.registered_on.is_(None), beneficiaries.c.registered_on <= send_at.date()),
            ~opted_out,
        )
        .order_by(beneficiaries.c.beneficiary_id)
    )
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]


def _observations(engine: Engine, since: date, until: date, prices: dict) -> list[tuple]:
    query = select(
        market_prices.c.market,
        market_prices.c.cercle_pcode,
        market_prices.c.observed_on,
        market_prices.c.price_xof_per_kg,
    ).where(
        market_prices.c.commodity == prices["commodity"],
        market_prices.c.price_type == prices["price_type"],
        market_prices.c.observed_on.between(since, until),
    )
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(query)]


def price_range(observations: list[tuple], pcode: str | None, on: date, lookback: int) -> PriceRange | None:
    """Each market's latest price in the window, over the cercle's markets, else over its region's."""
    if not pcode:
        return None
    window = [o for o in observations if on - timedelta(days=lookback) <= o[2] <= on and o[1]]
    for area, matches in (("cercle", lambda p: p == pcode), ("region", lambda p: p[:4] == pcode[:4])):
        latest: dict[str, tuple[date, float]] = {}
        for market, market_pcode, observed_on, price in window:
            if matches(market_pcode) and (market not in latest or observed_on > latest[market][0]):
                latest[market] = (observed_on, price)
        if latest:
            values = [price for _, price in latest.values()]
            return PriceRange(min(values), max(values), sum(values) / len(values), area)
    return None


def trend(now: PriceRange | None, before: PriceRange | None, threshold_pct: float) -> str:
    """Up, down or stable by the change of the mean price; unknown without both weeks' prices."""
    if now is None or before is None or before.mean <= 0:
        return "unknown"
    change_pct = (now.mean - before.mean) / before.mean * 100
    if change_pct >= threshold_pct:
        return "up"
    if change_pct <= -threshold_pct:
        return "down"
    return "stable"


def render(cfg: dict, language: str, cercle: str, send_at: datetime, now: PriceRange | None, way: str) -> str:
    """The message text in the subscriber's language, cleaned of typography that would force UCS-2."""
    lang = cfg["languages"].get(language) or cfg["languages"][cfg["default_language"]]
    fields = {"cercle": cercle, "date": send_at.strftime("%d/%m")}
    if now is None:
        return clean_typography(lang["no_price"].format(**fields))
    fields |= {"min": round(now.low), "max": round(now.high), "trend": lang["trend"][way]}
    fields |= {"area": lang["area_region"] if now.area == "region" else ""}
    text = lang["message"].format(**fields, advice=lang["advice"][cfg["advice_by_trend"][way]])
    return clean_typography(text)


def compose_week(engine: Engine, campaign: str, week: int, config_dir: Path | None = None) -> list[Composed]:
    """One message per subscriber for a campaign week; raises before anything is queued if one is too long."""
    cfg = load_sms_config(config_dir)
    send_at = week_for(campaign, week, config_dir).send_at
    lookback, on = int(cfg["prices"]["lookback_days"]), send_at.date()
    observations = _observations(engine, on - timedelta(days=7 + lookback), on, cfg["prices"])
    people = audience(engine, send_at, cfg["audience"])
    extra = subscription_lines(engine, people, on, config_dir)  # ABONNE: a line more, within the budget

    groups: dict[tuple[str, str, str | None], list[dict]] = defaultdict(list)
    for person in people:
        language = person["language"] if person["language"] in cfg["languages"] else cfg["default_language"]
        groups[(language, person["cercle"] or "", person["cercle_pcode"])].append(person)

    composed: list[Composed] = []
    for (language, cercle, pcode), members in groups.items():
        now = price_range(observations, pcode, on, lookback)
        before = price_range(observations, pcode, on - timedelta(days=7), lookback)
        way = trend(now, before, float(cfg["trend"]["threshold_pct"]))
        body = render(cfg, language, cercle, send_at, now, way)
        cost = analyse(body)
        if cost.segments > int(cfg["segment_budget"]):
            raise MessageTooLongError(
                f"{language} message for {cercle or 'no cercle'} is {cost.segments} {cost.encoding} segments "
                f"(budget {cfg['segment_budget']}; UCS-2 forced by {''.join(cost.ucs2_chars) or 'nothing'}): "
                f"{body!r}"
            )
        for p in members:
            text = with_lines(body, extra.get(p["beneficiary_id"], []), int(cfg["segment_budget"]))
            shape = cost if text == body else analyse(text)
            composed.append(
                Composed(
                    message_id(campaign, week, p["beneficiary_id"]), campaign, week, p["beneficiary_id"],
                    p["phone"], p["operator"], language, text, shape.encoding, shape.segments, send_at,
                )
            )  # fmt: skip
    return sorted(composed, key=lambda c: c.message_id)
