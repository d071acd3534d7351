"""The kobo-pull flow on a real Prefect server: new submissions into the warehouse, the cursor kept honest."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from kobo_server import ASSET, TOKEN, KoboServer, submission
from sqlalchemy import select

from flows.ingest_file import ingest_file
from flows.kobo_pull import kobo_pull
from malux.settings import get_settings
from tasks.ingest.models import BatchRejected
from tasks.sources.cursor import read_cursor
from tasks.sources.kobo import KoboError
from warehouse.db import engine_for
from warehouse.schema import training_attendance

pytestmark = pytest.mark.usefixtures("prefect_harness")
# ruff: noqa: E501  (canonical files are written out as they arrive: long lines)

BENEFICIARIES = """beneficiary_id,category,name,org_id,cercle,commune,village,phone,language,gender,sms_consent,registered_on
T01,trainer,Issa Sanogo,,San,San,San,76 00 00 09,fr,M,false,2018-09-01
P001,producer,Awa Coulibaly,,San,San,Sienso,76 12 34 56,bm,F,true,2018-09-02
P002,producer,Moussa Dembele,,Tominian,Tominian,Timissa,,bm,M,false,2018-09-02
P003,producer,Fanta Traore,,San,San,Somo,,bm,F,true,2018-09-03
P004,producer,Mariam Kone,,San,San,Somo,,bm,F,true,2018-09-03
"""
SESSIONS = """session_id,module,audience,held_on,cercle,location,trainer_id,organiser
S1,sesame_market,producer,2019-03-01,San,San,T01,aopp
S2,nkalo_info,producer,2019-03-20,Tominian,Timissa,T01,aopp
"""


@pytest.fixture
def warehouse(data_dir: Path, monkeypatch: pytest.MonkeyPatch, kobo: KoboServer) -> str:
    """A fresh SQLite warehouse and the Kobo settings pointing at the fake server, two submissions a page."""
    monkeypatch.setenv("MALUX_KOBO_URL", kobo.url)
    monkeypatch.setenv("MALUX_KOBO_TOKEN", TOKEN)
    monkeypatch.setenv("MALUX_KOBO_PAGE_SIZE", "2")
    return get_settings().database_url


def load_registry(tmp_path: Path) -> None:
    for name, text, dataset in [
        ("people.csv", BENEFICIARIES, "beneficiaries"),
        ("sessions.csv", SESSIONS, "training_sessions"),
    ]:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        assert ingest_file(path, dataset).status == "loaded"


def attendance(url: str) -> dict[tuple[str, str], tuple[float | None, float | None]]:
    with engine_for(url).connect() as conn:
        rows = conn.execute(
            select(training_attendance.c["session_id", "beneficiary_id", "pre_score", "post_score"])
        )
        return {(s, b): (pre, post) for s, b, pre, post in rows}


def five_submissions(kobo: KoboServer) -> None:
    kobo.state.assets[ASSET] = [
        submission(1, "S1", "P001", 8.0, 14.5),
        submission(2, "S1", "P002", 11.0, 16.0),
        submission(3, "S1", "P003", None, None),
        submission(4, "S1", "P999", 9.0, 12.0),  # nobody registered under P999
        submission(5, "S1", "P004", 7.5, 13.0),
    ]


def test_a_pull_loads_the_new_attendance_into_the_warehouse(
    warehouse: str, data_dir: Path, tmp_path: Path, kobo: KoboServer
) -> None:
    load_registry(tmp_path)
    five_submissions(kobo)
    summary = kobo_pull(ASSET)
    assert summary is not None
    assert (summary.partner, summary.dataset, summary.status) == ("kobo", "training_attendance", "loaded")
    assert (summary.rows_in, summary.rows_loaded, summary.rows_quarantined) == (5, 4, 1)
    assert attendance(warehouse) == {
        ("S1", "P001"): (8.0, 14.5), ("S1", "P002"): (11.0, 16.0), ("S1", "P003"): (None, None), ("S1", "P004"): (7.5, 13.0),
    }  # fmt: skip
    assert len(kobo.data_requests()) == 3  # five submissions, two a page
    (landed,) = (data_dir / "landing" / "kobo" / "training_attendance").glob(f"{ASSET}-*.csv")
    assert landed.read_text(encoding="utf-8").splitlines()[0].startswith("_id,_submission_time,")
    assert read_cursor(engine_for(warehouse), "kobo", ASSET) == "2019-03-05T10:15:00"


def test_a_second_pull_fetches_only_the_newer_submissions(
    warehouse: str, tmp_path: Path, kobo: KoboServer
) -> None:
    load_registry(tmp_path)
    five_submissions(kobo)
    kobo_pull(ASSET)
    kobo.state.assets[ASSET] += [
        submission(21, "S2", "P001", 12.0, 18.0),
        submission(22, "S2", "P002", 10.0, 17.0),
    ]
    second = kobo_pull(ASSET)
    assert second is not None and (second.rows_in, second.rows_loaded, second.rows_quarantined) == (2, 2, 0)
    assert attendance(warehouse)[("S2", "P001")] == (12.0, 18.0)
    assert read_cursor(engine_for(warehouse), "kobo", ASSET) == "2019-03-22T10:15:00"
    assert kobo_pull(ASSET) is None  # nothing new


def test_a_rejected_file_leaves_the_cursor_where_it_was_and_is_pulled_again(
    warehouse: str, tmp_path: Path, kobo: KoboServer
) -> None:
    five_submissions(kobo)  # no beneficiaries and no sessions yet: every row fails its references
    with pytest.raises(BatchRejected, match="more than the 50%"):
        kobo_pull(ASSET)
    assert read_cursor(engine_for(warehouse), "kobo", ASSET) is None
    load_registry(tmp_path)
    summary = kobo_pull(ASSET)
    assert summary is not None and (summary.rows_in, summary.rows_loaded) == (5, 4)
    assert read_cursor(engine_for(warehouse), "kobo", ASSET) == "2019-03-05T10:15:00"


def test_the_token_appears_neither_in_the_logs_nor_in_the_pulled_file(
    warehouse: str, data_dir: Path, tmp_path: Path, kobo: KoboServer, caplog: pytest.LogCaptureFixture
) -> None:
    load_registry(tmp_path)
    five_submissions(kobo)
    caplog.set_level(logging.DEBUG)
    kobo_pull(ASSET)
    kobo.state.token = "revoked"
    with pytest.raises(KoboError, match="MALUX_KOBO_TOKEN") as refused:
        kobo_pull(ASSET)
    assert (
        "/api/v2/assets/aTrainingForm/data/" in caplog.text
    )  # the requests were logged, so the check means something
    assert TOKEN not in caplog.text and TOKEN not in str(refused.value)
    for landed in data_dir.rglob("*.csv"):
        assert TOKEN not in landed.read_text(encoding="utf-8")


def test_a_missing_token_names_the_setting_before_any_request(
    warehouse: str, kobo: KoboServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MALUX_KOBO_TOKEN")
    with pytest.raises(KoboError, match="no KoboToolbox API token: set MALUX_KOBO_TOKEN"):
        kobo_pull(ASSET)
    assert kobo.data_requests() == []
