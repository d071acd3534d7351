"""`malux sms callback-urls`: the URLs to paste at each gateway, whose tokens the dlr-server accepts."""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import quote

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sms" / "receiver"))

from dlr_harness import SECRET, add_beneficiaries, migrated_warehouse, optouts, running_receiver  # noqa: E402


def _urls(output: str) -> dict[str, str]:
    """The printed `what:` / `  url` pairs."""
    lines = output.splitlines()
    return {lines[i].rstrip(":"): lines[i + 1].strip() for i in range(0, len(lines), 2)}


def test_each_gateway_gets_its_urls_under_the_given_base(malux, monkeypatch):
    monkeypatch.setenv("MALUX_DLR_SECRET", SECRET.decode())
    result = malux("sms", "callback-urls", "--base-url", "https://dlr.example.org/malux/")
    assert result.exit_code == 0, result.output
    urls = _urls(result.stdout)
    assert sorted(urls) == [
        "africastalking delivery reports callback",
        "africastalking incoming messages callback",
        "kannel dlr-url (set per message by the kannel gateway)",
        "kannel sms-service get-url",
    ]
    assert all(u.startswith("https://dlr.example.org/malux/") and "//malux//" not in u for u in urls.values())
    assert urls["kannel sms-service get-url"].startswith(
        "https://dlr.example.org/malux/mo/kannel?from=%p&to=%P&text=%a&id=%I&at=%t&token="
    )


def _send_stop(malux, engine) -> requests.Response:
    """STOP from +22376123456 to the kannel sms-service URL the command printed, as Kannel fills it in."""
    with running_receiver(engine) as receiver:
        printed = _urls(malux("sms", "callback-urls", "--base-url", receiver.url).stdout)
        template = printed["kannel sms-service get-url"]
        kannel_fills = {"%p": quote("+22376123456"), "%P": "36123", "%a": "STOP", "%I": "a-uuid",
                        "%t": "2018-11-12+08:06:40"}  # fmt: skip
        url = template
        for escape, value in kannel_fills.items():
            url = url.replace(escape, value)
        return requests.get(url, timeout=30)


def test_a_stop_sent_to_the_printed_kannel_url_opts_the_subscriber_out(malux, monkeypatch, data_dir):
    monkeypatch.setenv("MALUX_DLR_SECRET", SECRET.decode())  # the secret the test receiver checks tokens with
    engine = migrated_warehouse(f"sqlite:///{data_dir / 'warehouse.sqlite'}")
    add_beneficiaries(engine, 1, first_phone=76123456)
    assert _send_stop(malux, engine).status_code == 200
    assert list(optouts(engine)) == ["B0000"]


def test_urls_printed_with_another_secret_are_refused(malux, monkeypatch, data_dir):
    monkeypatch.setenv("MALUX_DLR_SECRET", "some-other-secret")
    engine = migrated_warehouse(f"sqlite:///{data_dir / 'warehouse.sqlite'}")
    add_beneficiaries(engine, 1, first_phone=76123456)
    answer = _send_stop(malux, engine)
    assert (answer.status_code, answer.text) == (403, "bad token")
    assert optouts(engine) == {}


def test_without_a_base_url_the_command_says_where_to_give_it(malux):
    result = malux("sms", "callback-urls")
    assert result.exit_code == 1
    assert "give --base-url or set MALUX_DLR_URL" in result.stderr


def test_kannel_config_prints_the_sms_service_group_whose_get_url_the_receiver_accepts(malux, monkeypatch):
    from tasks.sms.dlr_token import token_is_valid

    monkeypatch.setenv("MALUX_DLR_SECRET", SECRET.decode())
    monkeypatch.setenv("MALUX_DLR_URL", "https://dlr.example.org/malux")
    result = malux("sms", "kannel-config")
    assert result.exit_code == 0, result.output
    settings = dict(
        (part.strip() for part in line.split("=", 1)) for line in result.stdout.splitlines() if " = " in line
    )
    assert {k: settings[k] for k in ("group", "keyword", "max-messages", "omit-empty")} == {
        "group": "sms-service", "keyword": "default", "max-messages": "0", "omit-empty": "true",
    }  # fmt: skip
    url = settings["get-url"].strip('"')
    assert url.startswith("https://dlr.example.org/malux/mo/kannel?")
    query = dict(part.split("=", 1) for part in url.split("?", 1)[1].split("&"))
    assert {k: v for k, v in query.items() if k != "token"} == {
        "from": "%p",
        "to": "%P",
        "text": "%a",
        "id": "%I",
        "at": "%t",
    }
    assert token_is_valid("gateway:kannel-mo", query["token"], SECRET)
