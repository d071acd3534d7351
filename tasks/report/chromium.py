"""Headless Chromium: print the note to PDF and see the page as a person would, offline."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

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


class ChromiumError(RuntimeError):
    """Chromium is missing or did not produce what was asked; the message says which and why."""


def find_chromium() -> str | None:
    """The path of a Chromium binary on PATH, or None when none is installed."""
    return next((found for name in CANDIDATES if (found := shutil.which(name))), None)


def _run(html: Path, extra: list[str], timeout: float = 120) -> subprocess.CompletedProcess[bytes]:
    binary = find_chromium()
    if binary is None:
        looked_for = ", ".join(CANDIDATES)
        raise ChromiumError(f"no Chromium found (looked for {looked_for}); apt-get install chromium")
    with tempfile.TemporaryDirectory(prefix="malux-chromium-") as profile:
        command = [binary, *FLAGS, f"--user-data-dir={profile}", *extra, html.resolve().as_uri()]
        done = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
    if done.returncode != 0:
        tail = done.stderr.decode(errors="replace").strip().splitlines()[-3:]
        raise ChromiumError(f"Chromium exited {done.returncode} on {html}: {' | '.join(tail)}")
    return done


def print_pdf(html: Path, pdf: Path) -> Path:
    """Print a page to PDF without Chromium's header and footer; returns the PDF's path."""
    pdf.parent.mkdir(parents=True, exist_ok=True)
    _run(html, [f"--print-to-pdf={pdf.resolve()}", "--no-pdf-header-footer"])
    if not pdf.exists() or not pdf.read_bytes().startswith(b"%PDF"):
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
