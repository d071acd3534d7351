"""Africa's Talking's incoming-message callback on the real receiver, its one reply, and `malux sms inbox`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sms" / "receiver"))

from dlr_harness import SECRET, add_beneficiaries, migrated_warehouse, post, running_receiver  # noqa: E402

from malux.settings import PROJECT_ROOT  # noqa: E402
from tasks.sms.receiver.callbacks import gateway_token  # noqa: E402

HELP = yaml.safe_load((PROJECT_ROOT / "config/sms/keywords.yaml").read_text(encoding="utf-8"))["languages"][
    "fr"
]["help"]


def test_an_africastalking_request_posted_twice_is_stored_and_answered_once_and_listed_masked(
    malux, monkeypatch, data_dir
):
    monkeypatch.setenv("MALUX_DLR_SECRET", SECRET.decode())
    engine = migrated_warehouse(f"sqlite:///{data_dir / 'warehouse.sqlite'}")
    [subscriber] = add_beneficiaries(engine, 1, first_phone=76123456)
    form = {
        "from": "+22376123456", "to": "36123", "text": "Aïde", "date": "2019-03-04 09:30:00",
        "id": "ATXid_1", "linkId": "link-1",
    }  # fmt: skip
    path = f"/mo/africastalking/{gateway_token('africastalking-mo', SECRET)}"
    with running_receiver(engine) as receiver:
        answers = [post(receiver, path, form) for _ in range(2)]
        refused = post(receiver, "/mo/africastalking/not-the-token", form)
    # stopping the receiver sends what it queued: the file gateway holds what was sent
    assert [(a.status_code, a.text) for a in answers] == [(200, ""), (200, "")]
    assert refused.status_code == 403
    sent = [
        json.loads(line)
        for f in (data_dir / "sms" / "mo").glob("*.jsonl")
        for line in f.read_text().splitlines()
    ]
    assert [(m["to"], m["text"]) for m in sent] == [(form["from"], HELP)]

    listed = malux("sms", "inbox", "--since", "2019-03-04", "--format", "json")
    assert listed.exit_code == 0, listed.output
    [row] = json.loads(listed.stdout)
    assert (row["gateway"], row["keyword"], row["beneficiary_id"], row["text"]) == (
        "africastalking",
        "help",
        subscriber,
        "Aïde",
    )
    assert (row["reply_status"], row["reply_outbox_status"]) == ("queued", "wired")
    assert "76123456" not in listed.stdout and row["sender"].endswith("56")
    assert json.loads(malux("sms", "inbox", "--since", "2019-03-05", "--format", "json").stdout) == []
