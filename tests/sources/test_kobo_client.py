"""The Kobo client against a Kobo-shaped server: every page, only what is new, retried, clear refusals."""

from __future__ import annotations

import json
import socket

import pytest
from kobo_server import ASSET, TOKEN, KoboServer, submission
from pydantic import SecretStr

from tasks.sources.kobo import KoboClient, KoboError, flatten


def client(server: KoboServer, **options: object) -> KoboClient:
    return KoboClient(server.url, SecretStr(TOKEN), **{"backoff": 0.01, **options})  # type: ignore[arg-type]


def five_submissions(server: KoboServer) -> None:
    server.state.assets[ASSET] = [submission(n, "S1", f"P00{n}", 10.0, 14.0) for n in range(1, 6)]


def test_every_submission_is_read_across_several_pages(kobo: KoboServer) -> None:
    five_submissions(kobo)
    records = list(client(kobo, page_size=2).submissions(ASSET))
    assert [r["_id"] for r in records] == [1001, 1002, 1003, 1004, 1005]
    assert [r["query"]["start"] for r in kobo.data_requests()] == ["0", "2", "4"]
    assert {r["query"]["limit"] for r in kobo.data_requests()} == {"2"}


def test_the_token_is_sent_in_a_token_authorization_header(kobo: KoboServer) -> None:
    five_submissions(kobo)
    list(client(kobo).submissions(ASSET))
    assert {r["authorization"] for r in kobo.data_requests()} == {f"Token {TOKEN}"}


def test_kobo_is_asked_only_for_submissions_after_the_cursor(kobo: KoboServer) -> None:
    five_submissions(kobo)
    records = list(client(kobo).submissions(ASSET, since="2019-03-03T10:15:00"))
    assert [r["_id"] for r in records] == [1004, 1005]
    (request,) = kobo.data_requests()
    assert json.loads(request["query"]["query"]) == {"_submission_time": {"$gt": "2019-03-03T10:15:00"}}


def test_older_submissions_are_dropped_even_when_the_server_ignores_the_query(kobo: KoboServer) -> None:
    five_submissions(kobo)
    kobo.state.honour_query = False
    records = list(client(kobo, page_size=2).submissions(ASSET, since="2019-03-03T10:15:00"))
    assert [r["_id"] for r in records] == [1004, 1005]


def test_next_links_on_another_host_never_take_the_token_there(kobo: KoboServer) -> None:
    five_submissions(kobo)
    kobo.state.next_host = "kobo.elsewhere.invalid"
    records = list(client(kobo, page_size=2).submissions(ASSET))
    assert len(records) == 5  # every page came from the configured server, the only one that saw the token


def test_server_errors_are_retried_until_the_page_comes(kobo: KoboServer) -> None:
    five_submissions(kobo)
    kobo.state.failures = [503, 500]
    records = list(client(kobo).submissions(ASSET))
    assert len(records) == 5
    assert len(kobo.data_requests()) == 3


def test_a_server_that_keeps_failing_is_one_clear_error(kobo: KoboServer) -> None:
    kobo.state.failures = [500] * 10
    with pytest.raises(KoboError, match=r"answered HTTP 500 for asset 'aTrainingForm' after 2 retries"):
        list(client(kobo, retries=2).submissions(ASSET))
    assert len(kobo.data_requests()) == 3


def test_a_refused_token_names_the_setting_and_not_the_token(kobo: KoboServer) -> None:
    kobo.state.token = "another-token"
    with pytest.raises(
        KoboError, match=r"refused the API token \(HTTP 401\): set MALUX_KOBO_TOKEN"
    ) as caught:
        list(client(kobo).submissions(ASSET))
    assert TOKEN not in str(caught.value)
    assert len(kobo.data_requests()) == 1  # a refusal is not retried


def test_an_unknown_asset_uid_is_named(kobo: KoboServer) -> None:
    with pytest.raises(KoboError, match=r"has no asset 'aNoSuchForm' \(HTTP 404\): check the asset uid"):
        list(client(kobo).submissions("aNoSuchForm"))


def test_a_server_that_cannot_be_reached_is_one_clear_error() -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    unreachable = KoboClient(f"http://127.0.0.1:{port}", SecretStr(TOKEN), retries=1, backoff=0.01)
    with pytest.raises(
        KoboError, match=rf"cannot reach KoboToolbox at http://127.0.0.1:{port} after 1 retries"
    ):
        list(unreachable.submissions(ASSET))


def test_group_fields_become_their_question_name_unless_the_mapping_names_the_path() -> None:
    flat = flatten(submission(1, "S1", "P001", 10.0, None), mapped={"group_session/session_id"})
    assert flat["group_session/session_id"] == "S1"
    assert (flat["beneficiary_id"], flat["pre_score"], flat["post_score"]) == ("P001", "10.0", None)
    assert flat["instanceID"].startswith("uuid:") and "meta/instanceID" not in flat
    assert flat["_attachments"] == "[]"  # lists and objects are kept as JSON text, not lost


def test_the_same_question_in_two_groups_keeps_both_full_paths() -> None:
    flat = flatten({"group_pre/score": "8", "group_post/score": "15", "group_x/remark": "ok"})
    assert flat == {"group_pre/score": "8", "group_post/score": "15", "remark": "ok"}
