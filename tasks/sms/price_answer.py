"""The reply to `PRIX <produit> [<marché ou cercle>]`: the latest known price there, its date, its trend."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, select

from tasks.sms.keywords import fold, product_of
from warehouse.schema import market_prices


@dataclass(frozen=True)
class Place:
    """Where a price is asked for: one market, or every market of a cercle."""

    name: str  # as the warehouse spells it
    markets: tuple[str, ...]


def places_of(conn: Connection, commodity: str | None) -> tuple[dict[str, Place], list[str]]:
    """Every market and cercle with a price (of this commodity when given), by folded name; market names."""
    query = select(market_prices.c.market, market_prices.c.cercle).distinct()
    if commodity is not None:
        query = query.where(market_prices.c.commodity == commodity)
    rows = conn.execute(query).all()
    by_cercle: dict[str, list[str]] = {}
    for market, cercle in rows:
        if cercle:
            by_cercle.setdefault(cercle, []).append(market)
    places = {fold(c): Place(c, tuple(sorted(set(ms)))) for c, ms in by_cercle.items()}
    places |= {fold(m): Place(m, (m,)) for m, _ in rows}  # a market's own name wins over a cercle's
    return places, sorted({m for m, _ in rows})


def format_price(value: float) -> str:
    return f"{value:,.0f}".replace(",", " ")


def _trend(latest: float, previous: float | None, threshold_pct: float) -> str:
    if previous is None or previous == 0:
        return "unknown"
    change = 100.0 * (latest - previous) / previous
    return "up" if change >= threshold_pct else "down" if change <= -threshold_pct else "stable"


def latest_two(
    conn: Connection, commodity: str, place: Place, price_type: str, until: date | None = None
) -> list:
    """The two latest observations at the place's markets: of the preferred price type, else of any."""
    for preferred in (True, False):
        query = select(
            market_prices.c.observed_on, market_prices.c.market, market_prices.c.price_xof_per_kg
        ).where(market_prices.c.commodity == commodity, market_prices.c.market.in_(place.markets))
        if preferred:
            query = query.where(market_prices.c.price_type == price_type)
        if until is not None:
            query = query.where(market_prices.c.observed_on <= until)
        rows = conn.execute(
            query.order_by(market_prices.c.observed_on.desc(), market_prices.c.market).limit(1)
        ).all()
        if rows:
            on, market, _price = rows[0]
            same_market = query.where(market_prices.c.market == market)
            return conn.execute(same_market.order_by(market_prices.c.observed_on.desc()).limit(2)).all()
    return []


def price_reply(
    conn: Connection, words: tuple[str, ...], home_cercle: str | None, texts: dict, cfg: dict
) -> str:
    """The reply text in the sender's language (`texts`): a price, or the list of what may be asked."""
    product = product_of(words[0], cfg) if words else None
    if product is None:
        return texts["unknown_product"].format(products=", ".join(cfg["products"]))
    commodity = cfg["commodities"][product]
    places, markets = places_of(conn, commodity)
    market_list = ", ".join(markets) or "-"
    asked = " ".join(words[1:])
    if asked:
        place = places.get(fold(asked))
        if place is None:
            return texts["unknown_market"].format(markets=market_list)
    elif home_cercle and fold(home_cercle) in places:
        place = places[fold(home_cercle)]
    else:
        return texts["which_market"].format(product=product, markets=market_list)
    rows = latest_two(conn, commodity, place, cfg["price_type"])
    if not rows:
        return texts["no_price"].format(product=product, market=place.name, markets=market_list)
    (on, market, price), previous = rows[0], (rows[1] if len(rows) > 1 else None)
    trend = _trend(price, previous[2] if previous else None, float(cfg["trend_threshold_pct"]))
    trend_text = texts["trend"][trend].format(
        previous=format_price(previous[2]) if previous else "",
        previous_date=f"{previous[0]:%d/%m}" if previous else "",
    )
    return texts["price"].format(
        product=product, market=market, price=format_price(price), date=f"{on:%d/%m/%Y}", trend=trend_text
    )
