"""A gateway that writes what it would send to JSON lines: the demo's and the tests' SMS network."""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path

from tasks.sms.gateways.base import OutgoingSms, SendResult

FIELDS = ("message_id", "to", "text", "encoding", "segments")


def file_gateway_message_id(message_id: str) -> str:
    """The id the file gateway gives a message, which the simulated delivery export repeats."""
    return f"file-{message_id}"


class FileGateway:
    """Appends each message to <out_dir>/<campaign>/week-<NN>.jsonl and fsyncs before answering."""

    name = "file"

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = Path(out_dir)

    def path_for(self, campaign: str, week: int) -> Path:
        """Where a campaign week's messages are written."""
        return self.out_dir / campaign / f"week-{week:02d}.jsonl"

    def send(self, messages: list[OutgoingSms]) -> list[SendResult]:
        """Write every message durably, then accept them all: a real network could not do better."""
        by_file: dict[Path, list[OutgoingSms]] = {}
        for sms in messages:
            by_file.setdefault(self.path_for(sms.campaign, sms.week), []).append(sms)
        for path, batch in by_file.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            created = not path.exists()
            lines = [
                json.dumps({k: v for k, v in asdict(sms).items() if k in FIELDS}, ensure_ascii=False)
                for sms in batch
            ]
            # One write on an O_APPEND descriptor: two concurrent senders never interleave inside a line.
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                data = ("\n".join(lines) + "\n").encode("utf-8")
                if os.write(fd, data) != len(data):  # disk full: fail the chunk rather than accept it
                    raise OSError(f"short write to {path}")
                os.fsync(fd)
            finally:
                os.close(fd)
            if created:  # the new directory entry must survive a crash too
                fd = os.open(path.parent, os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
        return [SendResult(sms.message_id, True, file_gateway_message_id(sms.message_id)) for sms in messages]
