import logging

from kannel_harness import PASSWORD, USER, decode_mt, free_port

from tasks.sms.gateways.base import OutgoingSms
from tasks.sms.gateways.kannel import KannelGateway, mask

SECRET = b"test-dlr-secret"


def _sms(message_id: str, to: str = "+22376123456", text: str = "Prix du sésame", encoding: str = "GSM-7"):
    return OutgoingSms(message_id, "2018-2019", 2, to, text, encoding, 1)


def test_a_french_and_a_bambara_message_reach_the_smsc_letter_for_letter(kannel, gateway):
    answers = gateway.send(
        [
            _sms("m-fr", "+22376000001", "Sésame: 450 F/kg à San"),
            _sms("m-bm", "+22376000002", "Sɛnɛ: ɔ ɲ ŋ", "UCS-2"),
        ]
    )
    assert [a.accepted for a in answers] == [True, True]
    received = sorted(decode_mt(line) for line in kannel.wait_for_mt(2))
    assert received == [("+22376000001", "Sésame: 450 F/kg à San"), ("+22376000002", "Sɛnɛ: ɔ ɲ ŋ")]


def test_every_accepted_message_comes_back_delivered_through_its_signed_callback(kannel, gateway, dlr_sink):
    gateway.send([_sms(f"2018-2019-w02-B{i}", f"+2237600000{i}") for i in range(5)])
    assert dlr_sink.wait_delivered(5) == {f"2018-2019-w02-B{i}" for i in range(5)}
    assert {status for _, status, _ in dlr_sink.reports} == {"accepted", "delivered"}
    assert dlr_sink.forged == 0


def test_a_number_kannel_cannot_route_fails_for_good(kannel, gateway):
    [answer] = gateway.send([_sms("m1", "+99912345678")])
    assert (answer.accepted, answer.transient, answer.in_doubt) == (False, False, False)
    assert answer.error.startswith("Kannel 403: Not routable")


def test_wrong_credentials_are_a_permanent_failure(kannel, dlr_sink):
    gateway = KannelGateway(kannel.url, USER, "wrong", dlr_sink.url, secret=SECRET)
    [answer] = gateway.send([_sms("m1")])
    assert (answer.accepted, answer.transient, answer.error) == (
        False,
        False,
        "Kannel 403: Authorization failed for sendsms",
    )
    assert kannel.mt_lines() == []


def test_a_kannel_that_refuses_connections_is_a_transient_failure_safe_to_retry():
    gateway = KannelGateway(
        f"http://127.0.0.1:{free_port()}/cgi-bin/sendsms", USER, PASSWORD, "http://x", secret=SECRET
    )
    [answer] = gateway.send([_sms("m1")])
    assert (answer.accepted, answer.transient, answer.in_doubt) == (False, True, False)


def test_neither_the_password_nor_a_phone_number_reaches_the_logs_or_the_error(kannel, gateway, caplog):
    refused = KannelGateway(
        f"http://127.0.0.1:{free_port()}/cgi-bin/sendsms", USER, PASSWORD, "http://x", secret=SECRET
    )
    with caplog.at_level(logging.DEBUG):
        answers = gateway.send([_sms("m1", "+22376123456"), _sms("m2", "+99912345678")])
        answers += refused.send([_sms("m3", "+22376123456")])
    assert "sendsms" in caplog.text  # urllib3 logged the requests, masked
    written = caplog.text + " ".join(a.error or "" for a in answers)
    assert PASSWORD not in written
    assert "76123456" not in written and "12345678" not in written
    assert "password=***" in written and "to=***" in written


def test_mask_hides_numbers_written_every_way_and_the_secrets_of_a_url():
    text = "to=%2B22376123456&password=abc&token=f00 call +22376123456 or 0022365123499"
    assert mask(text) == "to=***&password=***&token=*** call +223******56 or +223******99"
