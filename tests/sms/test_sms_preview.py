"""`malux sms preview`: each text of a week per language and cercle, with what it costs, before sending."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime

from receiver.dlr_harness import add_beneficiaries, migrated_warehouse

from tasks.sms.preview import preview_week

CAMPAIGN, WEEK = "2018-2019", 2  # goes out on 12 Nov 2018


def _program(program):
    program.price(date(2018, 11, 10), "San", "ML0405", 330).price(date(2018, 11, 9), "Sy", "ML0405", 360)
    program.beneficiary("B1").beneficiary("B2").beneficiary("B3", cercle="Bla", cercle_pcode="ML0499")
    program.beneficiary("B4", language="bm").beneficiary("B5").opt_out("B5", datetime(2018, 11, 1))


def test_the_preview_groups_the_week_by_language_and_cercle_with_recipients_and_cost(engine, program):
    _program(program)
    preview = preview_week(engine, CAMPAIGN, WEEK, cost_per_segment_xof=15)
    got = [
        (line.language, line.cercle, line.encoding, line.segments, line.recipients, line.cost_xof)
        for line in preview.lines
    ]
    assert got == [
        ("bm", "San", "UCS-2", 2, 1, 30.0),  # Bambara's ɛ ɔ force UCS-2: 70 a segment, so two
        ("fr", "Bla", "GSM-7", 1, 1, 15.0),  # no price in Bla nor its region: the no-price text
        ("fr", "San", "GSM-7", 1, 2, 30.0),  # B5 opted out before the week: not counted
    ]
    assert (preview.recipients, preview.segments, preview.cost_xof) == (4, 5, 75.0)  # 2 + 1 + 2 segments


def test_the_preview_names_the_characters_that_forced_ucs2(engine, program):
    _program(program)
    bambara = preview_week(engine, CAMPAIGN, WEEK, cost_per_segment_xof=15).lines[0]
    assert bambara.text.startswith("N'kalo 12/11 San: bɛnɛ sɔngɔ forokɔnɔ 330-360 F/kilo")
    assert bambara.ucs2_chars == ("ɛ", "ɔ")


def test_the_preview_command_prints_json_with_the_week_total_at_the_configured_price(data_dir):
    url = f"sqlite:///{data_dir / 'warehouse.sqlite'}"
    add_beneficiaries(migrated_warehouse(url), 3)
    env = {**os.environ, "MALUX_DATA_DIR": str(data_dir), "MALUX_SMS_COST_PER_SEGMENT_XOF": "20"}
    command = [
        sys.executable,
        "-m",
        "malux.cli.main",
        "sms",
        "preview",
        "--campaign",
        CAMPAIGN,
        "--week",
        str(WEEK),
    ]
    result = subprocess.run(
        [*command, "--format", "json"], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr
    preview = json.loads(result.stdout)
    assert [(x["language"], x["cercle"], x["encoding"], x["recipients"]) for x in preview["lines"]] == [
        ("fr", "San", "GSM-7", 3)
    ]
    assert (preview["segments"], preview["cost_xof"], preview["cost_per_segment_xof"]) == (3, 60.0, 20.0)


def test_the_preview_command_refuses_a_week_the_campaign_does_not_have(data_dir):
    env = {**os.environ, "MALUX_DATA_DIR": str(data_dir)}
    command = [
        sys.executable,
        "-m",
        "malux.cli.main",
        "sms",
        "preview",
        "--campaign",
        CAMPAIGN,
        "--week",
        "22",
    ]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 1
    assert "campaign '2018-2019' has weeks 1..21, not 22" in result.stderr
