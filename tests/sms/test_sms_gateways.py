import json

import pytest

from tasks.sms.gateways import FileGateway, OutgoingSms, get_gateway


def _sms(message_id: str, text: str = "Prix du sésame") -> OutgoingSms:
    return OutgoingSms(message_id, "2018-2019", 2, "+22376123456", text, "GSM-7", 1)


def test_the_file_gateway_appends_exactly_what_would_be_sent_to_the_week_file(tmp_path):
    gateway = FileGateway(tmp_path)
    gateway.send([_sms("m1")])
    gateway.send([_sms("m2", "bɛnɛ")])
    lines = (tmp_path / "2018-2019" / "week-02.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [
        {
            "message_id": "m1",
            "to": "+22376123456",
            "text": "Prix du sésame",
            "encoding": "GSM-7",
            "segments": 1,
        },
        {"message_id": "m2", "to": "+22376123456", "text": "bɛnɛ", "encoding": "GSM-7", "segments": 1},
    ]


def test_the_file_gateway_accepts_every_message_with_its_own_id(tmp_path):
    results = FileGateway(tmp_path).send([_sms("m1"), _sms("m2")])
    assert [(r.message_id, r.accepted, r.gateway_message_id) for r in results] == [
        ("m1", True, "file-m1"),
        ("m2", True, "file-m2"),
    ]


def test_get_gateway_builds_the_file_gateway_by_name(tmp_path):
    gateway = get_gateway("file", out_dir=tmp_path)
    assert (gateway.name, gateway.out_dir) == ("file", tmp_path)


def test_an_unknown_gateway_name_is_refused_with_the_known_ones():
    with pytest.raises(ValueError, match="unknown SMS gateway 'pigeon'; known gateways: .*file, kannel"):
        get_gateway("pigeon")
