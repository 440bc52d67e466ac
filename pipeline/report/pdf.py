"""Print the HTML report to PDF with headless Chromium.

The report is one self-contained HTML file with print styles (``@media print`` in
``templates/styles.css``), so the PDF is what a browser's "Save as PDF" gives:
Chromium is started headless on the ``file://`` URL with ``--print-to-pdf``, a fresh
temporary profile (so parallel runs never share a profile lock) and a timeout. The
executable is ``$STIMMUNG_CHROMIUM`` when set, else the first of ``chromium``,
``chromium-browser``, ``google-chrome``, ``google-chrome-stable`` on ``PATH``.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

__all__ = [
    "CANDIDATES",
    "CHROMIUM_ENV",
    "INSTALL_HINT",
    "ChromiumNotFound",
    "PdfError",
    "find_chromium",
    "html_to_pdf",
]

CHROMIUM_ENV = "STIMMUNG_CHROMIUM"
CANDIDATES: tuple[str, ...] = (
    "chromium", "chromium-browser", "google-chrome", "google-chrome-stable",
)
INSTALL_HINT = (
    "install Chromium (Debian/Ubuntu: `sudo apt-get install chromium`; `make test` does it "
    f"when run as root) or set {CHROMIUM_ENV} to a Chromium or Chrome executable"
)
DEFAULT_TIMEOUT_S = 120.0

# Chromium logs lines like "[123:456:1123/004653.13:ERROR:dbus/bus.cc:405] ...": in a
# container most of them are harmless D-Bus noise, not the reason a print failed.
_NOISE = re.compile(r"dbus|Fontconfig|crashpad|unexpected operator", re.IGNORECASE)


class PdfError(RuntimeError):
    """The PDF could not be made (Chromium failed, timed out or wrote no PDF)."""


class ChromiumNotFound(PdfError):
    """No Chromium executable was found."""


def find_chromium() -> str:
    """The Chromium executable: ``$STIMMUNG_CHROMIUM``, else the first candidate on PATH."""
    configured = os.environ.get(CHROMIUM_ENV, "").strip()
    if configured:
        path = Path(configured).expanduser()
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
        found = shutil.which(configured)
        if found:
            return found
        raise ChromiumNotFound(
            f"{CHROMIUM_ENV}={configured!r} is not an executable; {INSTALL_HINT}")
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise ChromiumNotFound(
        f"no Chromium found ({', '.join(CANDIDATES)} on PATH) to make the PDF; {INSTALL_HINT}")


def _command(executable: str, profile: str, html_path: Path, pdf_path: Path) -> list[str]:
    return [
        executable,
        "--headless",
        "--no-sandbox",  # root in containers and CI; the page is our own, script-free file
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-extensions",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--no-default-browser-check",
        "--mute-audio",
        f"--user-data-dir={profile}",
        "--no-pdf-header-footer",
        f"--print-to-pdf={pdf_path}",
        html_path.resolve().as_uri(),
    ]


def _stderr_tail(stderr: bytes, lines: int = 5) -> str:
    text = stderr.decode("utf-8", "replace").splitlines()
    useful = [line.strip() for line in text if line.strip() and not _NOISE.search(line)]
    return " | ".join(useful[-lines:])


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """Chromium forks helpers: kill the whole process group it leads."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()


def html_to_pdf(html_path: Path, pdf_path: Path, *, chromium: str | None = None,
                timeout_s: float = DEFAULT_TIMEOUT_S) -> Path:
    """Print *html_path* to *pdf_path* with headless Chromium; return *pdf_path*.

    The PDF is written next to its target first and moved into place only when it is a
    PDF, so a failed or interrupted run never leaves a truncated file behind.
    """
    html_path = Path(html_path)
    pdf_path = Path(pdf_path)
    if not html_path.is_file():
        raise FileNotFoundError(f"no such report to print: {html_path}")
    executable = chromium or find_chromium()
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    partial = pdf_path.with_name(pdf_path.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        with tempfile.TemporaryDirectory(prefix="stimmung-chromium-") as tmp:
            profile = Path(tmp) / "profile"
            cmd = _command(executable, str(profile), html_path, partial.resolve())
            # stderr goes to a file, not a pipe: a helper Chromium leaves running must not
            # keep us waiting for the end of a pipe after the browser itself has exited
            with (Path(tmp) / "stderr.log").open("w+b") as log:
                try:
                    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                            stdout=subprocess.DEVNULL, stderr=log,
                                            start_new_session=True)
                except OSError as exc:
                    raise PdfError(f"could not start {executable}: {exc}; {INSTALL_HINT}"
                                   ) from exc
                try:
                    proc.wait(timeout=timeout_s)
                except subprocess.TimeoutExpired:
                    _kill_group(proc)
                    proc.wait()
                    raise PdfError(f"{executable} did not print {html_path.name} "
                                   f"within {timeout_s:g}s") from None
                log.seek(0)
                stderr = log.read()
        if proc.returncode != 0 or not _is_pdf(partial):
            detail = _stderr_tail(stderr)
            raise PdfError(
                f"{executable} failed to print {html_path.name} to PDF "
                f"(exit {proc.returncode})" + (f": {detail}" if detail else "")
            )
        partial.replace(pdf_path)
    finally:
        partial.unlink(missing_ok=True)
    return pdf_path


def _is_pdf(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(5) == b"%PDF-"
    except OSError:
        return False
