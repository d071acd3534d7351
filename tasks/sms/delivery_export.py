"""A simulated aggregator's delivery export, for the demo only: what a real partner's CSV would hold."""

from __future__ import annotations

import csv
import json
import random
from datetime import datetime, timedelta
from pathlib import Path

from tasks.sms.calendar import week_for
from tasks.sms.gateways.file import file_gateway_message_id
from warehouse.sms_status import ReportStatus

COLUMNS = ["message_id", "status", "status_at", "gateway_message_id", "phone", "error_code"]
# Delivery chance by operator (read from the number's prefix by tasks/standardise/phones.py); Telecel's
# network does a little worse, as in the field.
DELIVERY_RATE = {"orange": 0.93, "moov": 0.92, "telecel": 0.85}
ERROR_CODES = ["absent_subscriber", "unknown_subscriber", "memory_capacity_exceeded", "network_timeout"]


def operator_of(phone: str) -> str:
    """The Malian operator of an E.164 mobile number, from its first national digits."""
    national = phone.removeprefix("+223")
    if national[:1] == "5":
        return "telecel"
    if national[:1] == "6" or national[:2] in {"89", "95", "96", "97", "98", "99"}:
        return "moov"
    return "orange"


def _rows(message: dict, send_at: datetime, seed: int) -> list[list[str]]:
    rng = random.Random(f"{seed}:{message['message_id']}")  # str seeds hash with SHA-512: stable across runs
    accepted_at = send_at + timedelta(seconds=rng.randint(2, 30))
    final_at = accepted_at + timedelta(seconds=rng.randint(60, 600))
    delivered = rng.random() < DELIVERY_RATE[operator_of(message["to"])]
    error = "" if delivered else rng.choice(ERROR_CODES)
    base = [file_gateway_message_id(message["message_id"]), message["to"]]
    fmt = "%Y-%m-%d %H:%M:%S"
    return [
        [message["message_id"], ReportStatus.ACCEPTED.value, accepted_at.strftime(fmt), *base, ""],
        [
            message["message_id"],
            (ReportStatus.DELIVERED if delivered else ReportStatus.UNDELIVERED).value,
            final_at.strftime(fmt),
            *base,
            error,
        ],
    ]


def simulate_delivery_export(outbox_dir: Path, out_csv: Path, seed: int = 2019) -> int:
    """Write the delivery CSV the file gateway's messages would get back; same bytes for the same input."""
    messages: dict[str, tuple[dict, datetime]] = {}
    for path in sorted(Path(outbox_dir).glob("*/week-*.jsonl")):
        send_at = week_for(path.parent.name, int(path.stem.removeprefix("week-"))).send_at
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                message = json.loads(line)
                messages.setdefault(message["message_id"], (message, send_at))  # a resend is one message
    out_csv.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with out_csv.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        for message_id in sorted(messages):
            rows = _rows(*messages[message_id], seed)
            writer.writerows(rows)
            count += len(rows)
    return count
