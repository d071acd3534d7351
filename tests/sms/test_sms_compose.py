import shutil
from datetime import date, datetime

import pytest
import yaml
from sqlalchemy import func, select

from malux.settings import get_settings
from tasks.sms.compose import MessageTooLongError, PriceRange, compose_week, load_sms_config, render, trend
from tasks.sms.encoding import segment_count
from tasks.sms.outbox import queue_week
from warehouse.schema import sms_outbox

# 2018-2019 week 2 goes out on 12 Nov 2018; its window is 29 Oct..12 Nov, the week before's 22 Oct..5 Nov.
CAMPAIGN, WEEK = "2018-2019", 2


def _sesame_market(program):
    program.price(date(2018, 11, 5), "San", "ML0405", 300).price(date(2018, 11, 10), "San", "ML0405", 330)
    program.price(date(2018, 11, 1), "Sy", "ML0405", 340).price(date(2018, 11, 9), "Sy", "ML0405", 360)
    program.price(date(2018, 11, 13), "San", "ML0405", 999)  # after the send date
    program.price(date(2018, 10, 20), "Kimparana", "ML0405", 100)  # older than 14 days in both weeks
    program.price(date(2018, 11, 11), "San", "ML0405", 500, price_type="wholesale")
    program.price(date(2018, 11, 11), "San", "ML0405", 250, commodity="millet")
    program.price(date(2018, 11, 11), "Bla", "ML0402", 310)
    program.price(date(2018, 11, 11), "Mopti", "ML0506", 100)  # another region


def _bodies(engine) -> dict[str, str]:
    return {m.beneficiary_id: m.body for m in compose_week(engine, CAMPAIGN, WEEK)}


def test_the_message_quotes_the_latest_farmgate_range_of_the_cercle_markets_and_its_trend(engine, program):
    _sesame_market(program)
    program.beneficiary("B1")
    # now: San 330, Sy 360 (mean 345); a week before: San 300, Sy 340 (mean 320): +7.8 % is a rise
    assert _bodies(engine)["B1"] == (
        "N'kalo 12/11 San: sesame bord champ 330-360 FCFA/kg, en hausse. Stockez une partie de votre récolte."
    )


def test_a_cercle_without_prices_gets_its_region_markets(engine, program):
    _sesame_market(program)
    program.beneficiary("B2", cercle="Tominian", cercle_pcode="ML0407")
    # region ML04: San 330, Sy 360, Bla 310 (mean 333.3) against San 300, Sy 340 (mean 320): +4.2 %
    assert _bodies(engine)["B2"] == (
        "N'kalo 12/11 Tominian: sesame bord champ 310-360 FCFA/kg (region), en hausse. "
        "Stockez une partie de votre récolte."
    )


def test_a_region_without_prices_gets_the_no_price_message(engine, program):
    _sesame_market(program)
    program.beneficiary("B3", cercle="Kayes", cercle_pcode="ML0104")
    assert "pas de prix du sesame" in _bodies(engine)["B3"]


def test_a_falling_price_advises_to_sell(engine, program):
    program.price(date(2018, 11, 5), "San", "ML0405", 400).price(date(2018, 11, 12), "San", "ML0405", 380)
    program.beneficiary("B1")
    assert _bodies(engine)["B1"].endswith(
        "380-380 FCFA/kg, en baisse. Vendez maintenant une partie de votre récolte."
    )


@pytest.mark.parametrize(("now", "expected"), [(103, "up"), (102, "stable"), (98, "stable"), (97, "down")])
def test_the_trend_is_stable_within_three_percent(now, expected):
    assert trend(PriceRange(now, now, now, "cercle"), PriceRange(100, 100, 100, "cercle"), 3.0) == expected


def test_the_trend_is_unknown_without_last_week_prices():
    assert trend(PriceRange(1, 1, 1, "cercle"), None, 3.0) == "unknown"


def test_a_bambara_speaker_gets_a_ucs2_message_within_the_budget(engine, program):
    _sesame_market(program)
    program.beneficiary("B4", language="bm")
    message = compose_week(engine, CAMPAIGN, WEEK)[0]
    assert message.body.startswith("N'kalo 12/11 San: bɛnɛ sɔngɔ forokɔnɔ 330-360")
    assert (message.encoding, message.segments) == ("UCS-2", 2)


def test_a_message_carries_its_outbox_key_and_send_time(engine, program):
    program.beneficiary("B1")
    message = compose_week(engine, CAMPAIGN, WEEK)[0]
    assert (message.message_id, message.scheduled_at) == ("2018-2019-w02-B1", datetime(2018, 11, 12, 8, 0))


def test_the_audience_excludes_no_consent_invalid_phones_other_categories_and_the_opted_out(engine, program):
    program.beneficiary("OK").beneficiary("ORG", category="producer_org")
    program.beneficiary("NEW", registered_on=None)
    program.beneficiary("NOCONSENT", sms_consent=False)
    program.beneficiary("INVALID", phone_valid=False, phone=None)
    program.beneficiary("TRAINER", category="trainer")
    program.beneficiary("LATE", registered_on=date(2018, 11, 13))
    program.beneficiary("STOPPED").opt_out("STOPPED", datetime(2018, 11, 10, 9, 0))
    program.beneficiary("STOPS_AFTER").opt_out("STOPS_AFTER", datetime(2018, 11, 12, 9, 0))
    assert sorted(_bodies(engine)) == ["NEW", "OK", "ORG", "STOPS_AFTER"]


def test_a_message_over_budget_stops_the_week_before_anything_is_queued(engine, program, tmp_path):
    config = tmp_path / "config"
    shutil.copytree(get_settings().config_dir, config, ignore=shutil.ignore_patterns("partners", "reference"))
    templates = yaml.safe_load((config / "sms" / "templates.yaml").read_text(encoding="utf-8"))
    (config / "sms" / "templates.yaml").write_text(yaml.safe_dump(templates | {"segment_budget": 1}), "utf-8")
    program.beneficiary("FR").beneficiary("BM", language="bm")
    with pytest.raises(MessageTooLongError, match="bm message for San is 2 UCS-2 segments"):
        queue_week(engine, CAMPAIGN, WEEK, config_dir=config)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(sms_outbox)) == 0


def test_the_shipped_templates_fit_the_budget_in_every_language_trend_and_area():
    cfg = load_sms_config()
    cercle = max(yaml.safe_load((get_settings().config_dir / "program.yaml").read_text())["cercles"], key=len)
    for language in cfg["languages"]:
        for way in ("up", "down", "stable", "unknown"):
            for prices in (PriceRange(9999, 9999, 9999, "region"), None):
                body = render(cfg, language, cercle, datetime(2018, 11, 12, 8), prices, way)
                assert segment_count(body) <= cfg["segment_budget"], body
