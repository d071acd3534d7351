"""`malux kobo pull` as a user runs it: the three numbers, "nothing new", or one line naming what to fix."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from kobo_server import ASSET, TOKEN, KoboServer, submission

pytestmark = pytest.mark.usefixtures("prefect_harness")

MALUX = [sys.executable, "-m", "malux.cli.main"]
PEOPLE = (
    "beneficiary_id,category,name,gender,sms_consent\n"
    "T01,trainer,Issa Sanogo,M,false\nP001,producer,Awa Coulibaly,F,true\n"
)
SESSIONS = "session_id,module,audience,held_on,trainer_id\nS1,sesame_market,producer,2019-03-01,T01\n"


def malux(
    *args: str, data_dir: Path, kobo: KoboServer, token: str = TOKEN
) -> subprocess.CompletedProcess[str]:
    """The command in its own process, reporting to the test session's Prefect server."""
    from prefect.settings import PREFECT_API_URL

    env = {**os.environ, "MALUX_DATA_DIR": str(data_dir), "MALUX_KOBO_TOKEN": token, "COLUMNS": "200"}
    env["PREFECT_API_URL"] = str(PREFECT_API_URL.value())
    command = [*MALUX, *args, "--url", kobo.url] if args[:2] == ("kobo", "pull") else [*MALUX, *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)


def test_a_pull_prints_the_three_numbers_then_nothing_new(tmp_path: Path, kobo: KoboServer) -> None:
    data = tmp_path / "data"
    for name, text, dataset in [
        ("people.csv", PEOPLE, "beneficiaries"),
        ("sessions.csv", SESSIONS, "training_sessions"),
    ]:
        (tmp_path / name).write_text(text, encoding="utf-8")
        assert malux("ingest", dataset, str(tmp_path / name), data_dir=data, kobo=kobo).returncode == 0
    kobo.state.assets[ASSET] = [
        submission(1, "S1", "P001", 8.0, 14.0),
        submission(2, "S1", "P404", 9.0, 15.0),
    ]
    first = malux("kobo", "pull", "--asset", ASSET, data_dir=data, kobo=kobo)
    assert first.returncode == 0, first.stderr
    assert "rows in 2, loaded 1, quarantined 1" in first.stdout
    again = malux("kobo", "pull", "--asset", ASSET, data_dir=data, kobo=kobo)
    assert (again.returncode, again.stdout.strip()) == (0, f"asset {ASSET}: nothing new")
    assert TOKEN not in first.stdout + first.stderr + again.stdout + again.stderr


def test_a_refused_token_is_one_line_naming_the_setting(tmp_path: Path, kobo: KoboServer) -> None:
    result = malux(
        "kobo", "pull", "--asset", ASSET, data_dir=tmp_path / "data", kobo=kobo, token="wrong-token"
    )
    assert result.returncode == 1
    assert "refused the API token (HTTP 401): set MALUX_KOBO_TOKEN" in result.stderr
    assert "Traceback" not in result.stderr and "wrong-token" not in result.stderr


def test_an_unknown_asset_is_one_line_naming_it(tmp_path: Path, kobo: KoboServer) -> None:
    result = malux("kobo", "pull", "--asset", "aNoSuchForm", data_dir=tmp_path / "data", kobo=kobo)
    assert result.returncode == 1
    assert "has no asset 'aNoSuchForm' (HTTP 404): check the asset uid" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_missing_token_is_named_before_any_request(tmp_path: Path, kobo: KoboServer) -> None:
    result = malux("kobo", "pull", "--asset", ASSET, data_dir=tmp_path / "data", kobo=kobo, token="")
    assert (result.returncode, result.stderr.strip()) == (
        1,
        "error: no KoboToolbox API token: set MALUX_KOBO_TOKEN",
    )
    assert kobo.data_requests() == []
