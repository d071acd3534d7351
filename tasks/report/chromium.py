"""Headless Chromium: print the note to PDF and see the page as a person would, offline."""

from __future__ import annotations

import base64
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
# Without the networking flags Chromium stalls on a machine with no internet (it waits on its update and
# sync services); --no-sandbox lets it run as root in a container.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
# ISO A4 in inches, as the DevTools protocol takes it; the page's own `@page { size: A4 }` wins when set
# (preferCSSPageSize), so a template with no @page rule still comes out on A4 and never on US Letter.
A4_INCHES = (8.27, 11.69)
PRINT_OPTIONS = {
    "paperWidth": A4_INCHES[0],
    "paperHeight": A4_INCHES[1],
    "preferCSSPageSize": True,
    "printBackground": True,
    "displayHeaderFooter": False,
}


class ChromiumError(RuntimeError):
    """Chromium is missing or did not produce what was asked; the message says which and why."""


def find_chromium() -> str | None:
    """The path of a Chromium binary on PATH, or None when none is installed."""
    return next((found for name in CANDIDATES if (found := shutil.which(name))), None)


def _binary() -> str:
    binary = find_chromium()
    if binary is None:
        looked_for = ", ".join(CANDIDATES)
        raise ChromiumError(f"no Chromium found (looked for {looked_for}); apt-get install chromium")
    return binary


def _run(html: Path, extra: list[str], timeout: float = 120) -> subprocess.CompletedProcess[bytes]:
    with tempfile.TemporaryDirectory(prefix="malux-chromium-") as profile:
        command = [_binary(), *FLAGS, f"--user-data-dir={profile}", *extra, html.resolve().as_uri()]
        done = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
    if done.returncode != 0:
        tail = done.stderr.decode(errors="replace").strip().splitlines()[-3:]
        raise ChromiumError(f"Chromium exited {done.returncode} on {html}: {' | '.join(tail)}")
    return done


class _DevTools:
    """The DevTools protocol over --remote-debugging-pipe (Chromium reads fd 3, writes fd 4; NUL-separated
    JSON): the only way to hand printToPDF its paper size, which --print-to-pdf has no flag for."""

    def __init__(self, to_chromium: int, from_chromium: int, deadline: float) -> None:
        self._out, self._in, self._deadline = to_chromium, from_chromium, deadline
        self._buffer, self._next_id, self._events = b"", 0, []

    def _message(self) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = self._deadline - time.monotonic()
            if left <= 0 or not select.select([self._in], [], [], left)[0]:
                raise ChromiumError("Chromium did not answer the DevTools protocol in time")
            chunk = os.read(self._in, 1 << 20)
            if not chunk:
                raise ChromiumError("Chromium closed the DevTools pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._out, json.dumps(message).encode() + b"\0")
        while True:
            answer = self._message()
            if answer.get("id") != self._next_id:
                self._events.append(answer)
                continue
            if "error" in answer:
                raise ChromiumError(f"{method}: {answer['error'].get('message')}")
            return answer.get("result", {})

    def wait_for(self, method: str) -> None:
        while not any(event.get("method") == method for event in self._events):
            self._events.append(self._message())


# Chromium expects its ends of the pipe as fds 3 and 4. A tiny exec trampoline puts them there (moved
# above 9 first so neither overwrites the other): thread-safe, unlike Popen's preexec_fn (flows use threads).
_AS_FDS_3_AND_4 = (
    "import fcntl, os, sys\n"
    "ends = [fcntl.fcntl(int(fd), fcntl.F_DUPFD, 10) for fd in sys.argv[1:3]]\n"
    "os.dup2(ends[0], 3)\n"
    "os.dup2(ends[1], 4)\n"
    "os.execv(sys.argv[3], sys.argv[3:])\n"
)


def _print_a4(html: Path, timeout: float = 120) -> bytes:
    """The page printed by Page.printToPDF on A4 (or the page's CSS size), once it has fully loaded."""
    commands_read, commands_write = os.pipe()
    answers_read, answers_write = os.pipe()
    with tempfile.TemporaryDirectory(prefix="malux-chromium-") as profile:
        chromium = [_binary(), *FLAGS, f"--user-data-dir={profile}", "--remote-debugging-pipe", "about:blank"]
        process = subprocess.Popen(
            [sys.executable, "-c", _AS_FDS_3_AND_4, str(commands_read), str(answers_write), *chromium],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(commands_read, answers_write),
        )
        os.close(commands_read)
        os.close(answers_write)
        try:
            tools = _DevTools(commands_write, answers_read, time.monotonic() + timeout)
            target = tools.call("Target.createTarget", url="about:blank")["targetId"]
            session = tools.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
            tools.call("Page.enable", session)
            opened = tools.call("Page.navigate", session, url=html.resolve().as_uri())
            if opened.get("errorText"):  # else Chromium would print its own error page
                raise ChromiumError(f"Chromium could not open {html}: {opened['errorText']}")
            tools.wait_for("Page.loadEventFired")
            data = tools.call("Page.printToPDF", session, **PRINT_OPTIONS)["data"]
            tools.call("Browser.close")
            process.wait(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            os.close(commands_write)
            os.close(answers_read)
    return base64.b64decode(data)


def print_pdf(html: Path, pdf: Path) -> Path:
    """Print a page to an A4 PDF without Chromium's header and footer; returns the PDF's path."""
    pdf.parent.mkdir(parents=True, exist_ok=True)
    pdf.write_bytes(_print_a4(html))
    if not pdf.read_bytes().startswith(b"%PDF"):
        raise ChromiumError(f"Chromium did not write a PDF at {pdf}")
    return pdf


def screenshot(html: Path, png: Path, width: int = 1200, height: int = 2400) -> Path:
    """A PNG of the page as rendered in a window of the given size."""
    png.parent.mkdir(parents=True, exist_ok=True)
    _run(html, [f"--screenshot={png.resolve()}", f"--window-size={width},{height}", "--hide-scrollbars"])
    if not png.exists():
        raise ChromiumError(f"Chromium did not write a screenshot at {png}")
    return png


def dump_dom(html: Path) -> str:
    """The DOM after Chromium loaded and laid out the page, as serialised HTML."""
    return _run(html, ["--dump-dom"]).stdout.decode("utf-8", errors="replace")
