"""The one masking rule: a secret is hidden however a URL carries it, and nothing else is touched."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from tasks.redact import redact
from tasks.sms.dlr_token import token_for

TOKEN = token_for("2018-2019-w02-B0001", b"a-secret")


def _sendsms_url(password: str) -> str:
    """A sendsms URL as requests builds it: the dlr-url and its token URL-encoded inside it."""
    dlr = f"http://dlr.example/dlr/kannel?mid=2018-2019-w02-B0001&token={TOKEN}&status=%d&at=%T"
    query = urlencode({"username": "malux", "password": password, "dlr-url": dlr})
    return f"/cgi-bin/sendsms?{query}"


def test_a_token_inside_an_encoded_dlr_url_is_masked_and_the_rest_of_the_url_kept():
    url = _sendsms_url("pw")
    masked = redact(url)
    assert TOKEN in url and TOKEN not in masked
    assert "token%3D***%26status%3D%25d" in masked  # masked up to the encoded `&`, the next field kept
    assert "mid%3D2018-2019-w02-B0001" in masked and "username=malux" in masked


def test_a_token_encoded_twice_is_masked():
    twice = quote(_sendsms_url("pw"), safe="")
    assert TOKEN in twice
    assert TOKEN not in redact(twice)


def test_a_known_secret_is_masked_raw_and_encoded_even_where_no_name_announces_it():
    password = "p@ss word/+"
    text = f"Kannel said: bad login {password} ({quote(password, safe='')})"
    masked = redact(text, [password])
    assert password not in masked and quote(password, safe="") not in masked
    assert masked.startswith("Kannel said: bad login ***")


def test_api_keys_in_headers_and_mappings_are_masked():
    text = "{'apiKey': 'atsk_123456', 'Authorization': 'Token kobo-abcdef'}"
    masked = redact(text)
    assert "atsk_123456" not in masked and "kobo-abcdef" not in masked


def test_ordinary_text_is_left_as_it_is():
    text = "Kannel 503: Service Unavailable, retry at 08:00 (tokenless, toss=1)"
    assert redact(text) == text
