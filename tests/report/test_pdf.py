"""`stimmung report --format pdf`: the HTML report printed by headless Chromium.

The end-to-end tests need a browser (marker `browser`); the failure paths run against
small stand-in executables, so they need none.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.report import pdf
from pipeline.report.pdf import ChromiumNotFound, PdfError, find_chromium, html_to_pdf

REPO = Path(__file__).resolve().parents[2]
BUILD = REPO / "build"
BRAND, COMPETITOR = "Kaffeekraft", "Brühwerk"
POSTS = (
    "Die Kaffeekraft Maschine ist großartig, ich liebe sie!",
    "Kaffeekraft support is the worst, my machine is broken again.",
    "Kaffeekraft hat heute ein neues Modell vorgestellt.",
    "Kaffeekraft: absolutely terrible update, the app crashes all the time.",
    "Brühwerk Espresso schmeckt gut, bin zufrieden mit der Mühle.",
    "Love my Brühwerk grinder, quiet and fast.",
)

runner = CliRunner()


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    """A config whose SQLite warehouse the pipeline filled from a small file source."""
    start = datetime(2026, 10, 1, 9, tzinfo=UTC)
    rows = [{"id": f"p{d}-{i}", "text": f"{text} (Tag {d})",
             "created_at": (start + timedelta(days=d, hours=i)).isoformat()}
            for d in range(5) for i, text in enumerate(POSTS)]
    (tmp_path / "posts.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    cfg = tmp_path / "stimmung.yaml"
    cfg.write_text(json.dumps({  # JSON is YAML
        "warehouse": {"url": f"sqlite:///{tmp_path / 'stimmung.db'}"},
        "brands": [{"name": BRAND, "competitors": [COMPETITOR]}, {"name": COMPETITOR}],
        "sources": [{"name": "export", "kind": "file", "options": {"path": "posts.jsonl"}}],
    }, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(app, ["run", "--config", str(cfg)])
    assert result.exit_code == 0, result.output
    return cfg


def _pages(data: bytes) -> int:
    """Page objects in a PDF (Chromium writes them uncompressed)."""
    return len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", data))


@pytest.mark.browser
def test_report_format_pdf(config_file: Path, chromium_path: str) -> None:
    result = runner.invoke(app, ["report", "--config", str(config_file), "--brand", BRAND,
                                 "--format", "pdf"])
    assert result.exit_code == 0, result.output
    path = Path(result.output.strip().removeprefix("report: ").strip())
    assert path.suffix == ".pdf" and path.parent == config_file.parent / "reports"
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no HTML left over
    data = path.read_bytes()
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")
    assert _pages(data) >= 1
    BUILD.mkdir(exist_ok=True)
    shutil.copyfile(path, BUILD / "report-test.pdf")

    pdftotext = shutil.which("pdftotext")
    if pdftotext:  # optional: poppler-utils
        text = subprocess.run([pdftotext, "-layout", str(path), "-"], capture_output=True,
                              check=True, timeout=60).stdout.decode("utf-8", "replace")
        assert BRAND in text and "Share of voice" in text and "Most negative posts" in text


@pytest.mark.browser
def test_pdf_to_an_explicit_path_and_case_insensitive_format(config_file: Path,
                                                             chromium_path: str,
                                                             tmp_path: Path) -> None:
    out = tmp_path / "out" / "kaffeekraft.pdf"
    result = runner.invoke(app, ["report", "--config", str(config_file), "--format", "PDF",
                                 "--out", str(out), "--from", "2026-10-02", "--to", "2026-10-04"])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF-")
    assert sorted(p.name for p in out.parent.iterdir()) == ["kaffeekraft.pdf"]


def test_html_stays_the_default(config_file: Path) -> None:
    result = runner.invoke(app, ["report", "--config", str(config_file)])
    assert result.exit_code == 0, result.output
    path = Path(result.output.strip().removeprefix("report: ").strip())
    assert path.suffix == ".html" and path.read_text(encoding="utf-8").startswith("<!DOCTYPE")


def test_unknown_format_is_a_usage_error(config_file: Path) -> None:
    result = runner.invoke(app, ["report", "--config", str(config_file), "--format", "docx"])
    assert result.exit_code == 2
    assert "docx" in result.output and "html" in result.output and "pdf" in result.output


def test_missing_browser_is_a_one_line_error(config_file: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(pdf.CHROMIUM_ENV, str(tmp_path / "no-such-chromium"))
    result = runner.invoke(app, ["report", "--config", str(config_file), "--format", "pdf"])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), result.output
    assert "no-such-chromium" in result.output and "apt-get install chromium" in result.output
    assert not (config_file.parent / "reports").exists()  # failed before any work


def test_find_chromium_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.delenv(pdf.CHROMIUM_ENV, raising=False)
    with pytest.raises(ChromiumNotFound, match="apt-get install chromium"):
        find_chromium()
    chrome = _script(bin_dir / "google-chrome", "exit 0")
    assert find_chromium() == str(chrome)
    chromium = _script(bin_dir / "chromium", "exit 0")
    assert find_chromium() == str(chromium)  # chromium first
    custom = _script(tmp_path / "my-chrome", "exit 0")
    monkeypatch.setenv(pdf.CHROMIUM_ENV, str(custom))
    assert find_chromium() == str(custom)  # the environment wins


def _script(path: Path, body: str) -> Path:
    path.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    path.chmod(0o755)
    return path


@pytest.fixture
def page(tmp_path: Path) -> Path:
    html = tmp_path / "page.html"
    html.write_text("<!DOCTYPE html><title>t</title><p>hello</p>", encoding="utf-8")
    return html


def test_command_line_and_atomic_write(page: Path, tmp_path: Path) -> None:
    """A stand-in browser records its arguments and writes a PDF where it is told to."""
    args_file = tmp_path / "args"
    fake = _script(tmp_path / "fake-chromium", f"""
printf '%s\\n' "$@" > {args_file}
for a in "$@"; do case "$a" in --print-to-pdf=*) printf '%%PDF-1.4 fake' > "${{a#*=}}";; esac; done
""")
    out = html_to_pdf(page, tmp_path / "out" / "r.pdf", chromium=str(fake))
    assert out.read_bytes() == b"%PDF-1.4 fake"
    args = args_file.read_text(encoding="utf-8").splitlines()
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer"):
        assert flag in args
    assert args[-1] == page.resolve().as_uri()
    assert any(a.startswith("--user-data-dir=") for a in args)
    assert sorted(p.name for p in out.parent.iterdir()) == ["r.pdf"]


def test_browser_failure_names_the_reason_not_the_noise(page: Path, tmp_path: Path) -> None:
    fake = _script(tmp_path / "fake-chromium", """
echo '[1:2:1123/004653.1:ERROR:dbus/bus.cc:405] Failed to connect to the bus' >&2
echo 'Fatal: cannot open display' >&2
exit 3""")
    target = tmp_path / "r.pdf"
    with pytest.raises(PdfError, match=r"exit 3\): Fatal: cannot open display$"):
        html_to_pdf(page, target, chromium=str(fake))
    assert not target.exists() and not (tmp_path / "r.pdf.partial").exists()


def test_exit_0_without_a_pdf_is_an_error(page: Path, tmp_path: Path) -> None:
    fake = _script(tmp_path / "fake-chromium", "exit 0")
    with pytest.raises(PdfError, match="failed to print"):
        html_to_pdf(page, tmp_path / "r.pdf", chromium=str(fake))


def test_a_hanging_browser_is_killed_after_the_timeout(page: Path, tmp_path: Path) -> None:
    fake = _script(tmp_path / "fake-chromium", "sleep 60 & sleep 60")  # a child too
    began = time.monotonic()
    with pytest.raises(PdfError, match="within 1s"):
        html_to_pdf(page, tmp_path / "r.pdf", chromium=str(fake), timeout_s=1)
    assert time.monotonic() - began < 15
    assert not (tmp_path / "r.pdf").exists()
