"""Subscriptions: a product and market a subscriber asked for besides their cercle's (`ABONNE sesame Segou`),
added as one line to their weekly SMS while it stays within the segment budget."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, delete, func, select

from tasks.sms.encoding import analyse, clean_typography
from tasks.sms.keywords import fold, keywords_config, product_of
from tasks.sms.price_answer import Place, format_price, latest_two, places_of
from warehouse.inserts import insert_ignoring_duplicates
from warehouse.schema import sms_subscription


def subscription_reply(
    conn: Connection, subscribe: bool, words: tuple[str, ...], ids: list[str], texts: dict, cfg: dict,
    at: datetime,
) -> str:  # fmt: skip
    """Record (or drop) the subscription a message asks for, and the reply that confirms it."""
    if not ids:
        return texts["not_registered"]
    product = product_of(words[0], cfg) if words else None
    places, markets = places_of(conn, cfg["commodities"][product] if product else None)
    place = places.get(fold(" ".join(words[1:]))) if product and len(words) > 1 else None
    mine = sms_subscription.c.beneficiary_id.in_(ids)
    if not subscribe:
        if words and place is None:
            return texts["which_subscription"].format(markets=", ".join(markets) or "-")
        which = mine if not words else mine & (sms_subscription.c.product == product)
        which = which if not words else which & (sms_subscription.c.market == place.name)
        count = conn.execute(select(func.count()).select_from(sms_subscription).where(which)).scalar_one()
        conn.execute(delete(sms_subscription).where(which))
        return texts["unsubscribed"].format(count=count // max(len(ids), 1))
    if product is None or place is None:
        return texts["which_subscription"].format(markets=", ".join(markets) or "-")
    held = conn.execute(
        select(sms_subscription.c.product, sms_subscription.c.market)
        .where(sms_subscription.c.beneficiary_id == ids[0])
        .distinct()
    ).all()
    if (product, place.name) not in held and len(held) >= int(cfg["max_subscriptions"]):
        return texts["too_many"].format(max=cfg["max_subscriptions"])
    rows = [{"beneficiary_id": b, "product": product, "market": place.name, "subscribed_at": at} for b in ids]
    insert_ignoring_duplicates(conn, sms_subscription, rows, ["beneficiary_id", "product", "market"])
    return texts["subscribed"].format(product=product, market=place.name)


def subscription_lines(
    engine: Engine, people: list[dict], on: date, config_dir: Path | None = None
) -> dict[str, list[str]]:
    """Each subscriber's extra lines for the week sent on `on`, in their language: the last price by then."""
    cfg = keywords_config(config_dir)
    wanted = {p["beneficiary_id"]: p for p in people}
    lines: dict[str, list[str]] = {}
    with engine.connect() as conn:
        subs = conn.execute(select(sms_subscription).order_by(sms_subscription.c.subscribed_at)).all()
        for sub in (s for s in subs if s.beneficiary_id in wanted):
            language = wanted[sub.beneficiary_id]["language"]
            texts = cfg["languages"].get(language) or cfg["languages"][cfg["default_language"]]
            places, _ = places_of(conn, cfg["commodities"].get(sub.product))
            place = places.get(fold(sub.market)) or Place(sub.market, (sub.market,))
            found = latest_two(conn, cfg["commodities"].get(sub.product), place, cfg["price_type"], until=on)
            if found:
                observed_on, market, price = found[0]
                line = texts["subscription_line"].format(
                    product=sub.product,
                    market=market,
                    price=format_price(price),
                    date=f"{observed_on:%d/%m}",
                )
                lines.setdefault(sub.beneficiary_id, []).append(clean_typography(line))
    return lines


def with_lines(body: str, lines: list[str], segment_budget: int) -> str:
    """The weekly text with as many of the subscriber's lines as fit within the budget, in their order."""
    for line in lines:
        longer = f"{body}\n{line}"
        if analyse(longer).segments <= segment_budget:
            body = longer
    return body
