"""A real Kannel on 127.0.0.1 for tests and benchmarks: bearerbox, the fake SMSC and smsbox on free ports."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import unquote_to_bytes

import requests

BEARERBOX, SMSBOX = "/usr/sbin/bearerbox", "/usr/sbin/smsbox"
FAKESMSC = "/usr/lib/kannel/test/fakesmsc"
USER, PASSWORD, STATUS_PASSWORD, ADMIN_PASSWORD = "malux", "s3cret-kannel", "statuspw", "adminpw"

CONF = """\
group = core
admin-port = {admin}
admin-interface = 127.0.0.1
admin-password = {admin_password}
status-password = {status_password}
admin-allow-ip = "127.0.0.1"
smsbox-port = {box}
smsbox-interface = 127.0.0.1
box-allow-ip = "127.0.0.1"
log-file = "{run}/bearerbox.log"
log-level = 1
store-type = file
store-location = "{run}/kannel.store"
store-dump-freq = 5
dlr-storage = internal
sms-resend-freq = 5

group = smsc
smsc = fake
smsc-id = fake1
port = {fake}
our-host = 127.0.0.1
connect-allow-ip = "127.0.0.1"
denied-prefix = "+999"

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = {box}
sendsms-port = {sendsms}
sendsms-interface = 127.0.0.1
log-file = "{run}/smsbox.log"
log-level = 1
http-request-retry = {http_retry}
http-queue-delay = {http_delay}

group = sendsms-user
username = {user}
password = {password}
user-allow-ip = "127.0.0.1"
max-messages = 10
concatenation = true

group = sms-service
keyword = default
{sms_service}
omit-empty = true
"""
# Without a receiver, an incoming message gets an empty reply (nothing is sent back).
NO_SERVICE = 'text = ""'


def kannel_missing() -> str | None:
    """None when Kannel and the fake SMSC are installed, else what is missing and how to get it."""
    missing = [p for p in (BEARERBOX, SMSBOX, FAKESMSC) if not os.access(p, os.X_OK)]
    if missing:
        return (
            f"Kannel is not installed ({', '.join(missing)} missing): "
            "apt-get install kannel kannel-extras, or run `bash tests/services/start.sh` as root"
        )
    return None


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def decode_mt(line: str) -> tuple[str, str]:
    """(receiver, text) of one fakesmsc line, UCS-2 bodies decoded from their URL-encoded UTF-16BE."""
    inner = line[line.index("<") + 1 : line.rindex(">")]
    _sender, receiver, kind, body = inner.split(" ", 3)
    if kind == "ucs-2":
        return receiver, unquote_to_bytes(body.replace("+", "%20")).decode("utf-16-be")
    return receiver, body


class Kannel:
    """One Kannel instance in its own folder; start() waits until a sendsms would be delivered."""

    def __init__(
        self, run_dir: Path, http_retry: int = 3, http_delay: int = 1, mo_get_url: str | None = None
    ) -> None:
        """smsbox retries a failed callback http_retry times, http_delay s apart: a receiver may be down.
        mo_get_url: the sms-service get-url incoming messages go to (as `malux sms kannel-config` prints)."""
        self.run = Path(run_dir)
        self.run.mkdir(parents=True, exist_ok=True)
        self.admin, self.box, self.sendsms, self.fake = (free_port() for _ in range(4))
        self.conf = self.run / "kannel.conf"
        self.mt_file = self.run / "fakesmsc.out"
        self.procs: dict[str, subprocess.Popen] = {}
        self.conf.write_text(
            CONF.format(
                admin=self.admin, box=self.box, sendsms=self.sendsms, fake=self.fake, run=self.run,
                user=USER, password=PASSWORD, admin_password=ADMIN_PASSWORD, status_password=STATUS_PASSWORD,
                http_retry=http_retry, http_delay=http_delay,
                sms_service=f'get-url = "{mo_get_url}"\nmax-messages = 0' if mo_get_url else NO_SERVICE,
            )
        )  # fmt: skip

    @property
    def url(self) -> str:
        """The sendsms URL (MALUX_KANNEL_URL)."""
        return f"http://127.0.0.1:{self.sendsms}/cgi-bin/sendsms"

    def _spawn(self, name: str, argv: list[str]) -> None:
        path = self.mt_file if name == "fakesmsc" else self.run / f"{name}.out"
        with open(path, "ab") as out:  # the child keeps its own copy of the descriptor
            proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        self.procs[name] = proc

    def status(self) -> str:
        """bearerbox's status page, or '' while it does not answer."""
        try:
            url = f"http://127.0.0.1:{self.admin}/status.txt?password={STATUS_PASSWORD}"
            return requests.get(url, timeout=1).text
        except requests.RequestException:
            return ""

    def _wait(self, what: str, ready, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while not ready():
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kannel: {what} not ready after {timeout:.0f}s; logs in {self.run}")
            time.sleep(0.05)

    def smsc_online(self) -> bool:
        """Whether the fake SMSC is connected to bearerbox."""
        return f"FAKE:{self.fake} (online" in self.status()

    def _sendsms_answers(self) -> bool:
        try:
            requests.get(self.url, timeout=1)
            return True
        except requests.RequestException:
            return False

    def start(self) -> Kannel:
        """bearerbox, then the fake SMSC (it connects to bearerbox), then smsbox; waits for each."""
        self._spawn("bearerbox", [BEARERBOX, str(self.conf)])
        self._wait("bearerbox", lambda: bool(self.status()))
        self.smsc_up()
        self._spawn("smsbox", [SMSBOX, str(self.conf)])
        self._wait("smsbox", lambda: "on-line" in self.status().split("Box connections")[-1])
        self._wait("sendsms", self._sendsms_answers)
        return self

    def smsc_up(self) -> None:
        """(Re)start the fake SMSC; Kannel then drains what it queued while the SMSC was away."""
        argv = [FAKESMSC, "-H", "127.0.0.1", "-r", str(self.fake), "-m", "0", "0 0 text unused"]
        self._spawn("fakesmsc", argv)
        self._wait("fake SMSC", self.smsc_online)

    def send_mo(self, sender: str, receiver: str, text: str) -> None:
        """A subscriber's SMS to the short code: the fake SMSC, restarted, sends this one message (then
        stays connected, receiving what Kannel sends as before)."""
        self.smsc_down()
        template = f"{sender} {receiver} text {text}"
        argv = [FAKESMSC, "-H", "127.0.0.1", "-r", str(self.fake), "-m", "1", template]
        self._spawn("fakesmsc", argv)
        self._wait("fake SMSC", self.smsc_online)

    def smsc_down(self) -> None:
        """Kill the fake SMSC (it never reconnects by itself), as an operator's SMSC link going down."""
        proc = self.procs.pop("fakesmsc")
        proc.kill()
        proc.wait()
        self._wait("SMSC disconnect", lambda: not self.smsc_online())

    def mt_lines(self) -> list[str]:
        """Every message the fake SMSC received, one line each (a long message gives one line a part)."""
        if not self.mt_file.exists():
            return []
        lines = self.mt_file.read_text(errors="replace").splitlines()
        return [line for line in lines if "Got message" in line]

    def wait_for_mt(self, count: int, timeout: float = 30.0) -> list[str]:
        """The fake SMSC's lines once it holds at least `count` (or whatever it holds at the deadline)."""
        deadline = time.monotonic() + timeout
        while len(lines := self.mt_lines()) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return lines

    def stop(self) -> None:
        """SIGTERM to every process we started (bearerbox stores its queue), SIGKILL to what lingers."""
        for name in ("smsbox", "fakesmsc", "bearerbox"):
            proc = self.procs.get(name)
            if proc and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.procs.clear()
