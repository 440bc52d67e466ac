"""Progress of a run: plain lines when stderr is not a terminal (cron, Airflow, CI)."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console

from pipeline.stages.progress import PlainProgress, RichProgress, announce_total


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_plain_lines_with_total_rate_and_eta_then_a_summary() -> None:
    lines: list[str] = []
    clock = _Clock()
    progress = PlainProgress(lines.append, interval=5.0, clock=clock)
    announce_total(progress, "analyze", 10_000)
    progress("analyze", 1000)  # t=0: too soon for a line
    clock.now = 5.0
    progress("analyze", 1500)  # 2,500 in 5 s
    clock.now = 6.0
    progress("analyze", 500)  # within the interval: no line
    progress("collect export", 700)  # no total: count and rate only
    clock.now = 11.0
    progress("collect export", 300)
    progress.close()
    assert lines[0] == "analyze: 2,500/10,000 (500/s, ETA 15 s)"
    assert lines[1] == "collect export: 1,000 (200/s)"
    assert lines[2] == "analyze: done, 3,000 in 11.0 s (273/s)"
    assert lines[3] == "collect export: done, 1,000 in 5.0 s (200/s)"
    assert len(lines) == 4


def test_announce_total_ignores_plain_callables() -> None:
    seen: list[tuple[str, int]] = []
    announce_total(lambda stage, n: seen.append((stage, n)), "analyze", 5)
    assert seen == []


def test_rich_bars_render_totals_and_counts() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=120)
    with RichProgress(console) as bars:
        bars.set_total("analyze", 200)
        bars("analyze", 50)
        bars("collect export", 7)
    out = buffer.getvalue()
    assert "analyze" in out and "50/200" in out
    assert "collect export" in out and "7/7" in out  # a spinner stops at its count


def test_run_without_a_terminal_prints_progress_lines(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from pipeline.cli import app

    data = tmp_path / "posts.jsonl"
    data.write_text("".join(
        f'{{"id": "{i}", "text": "Kaffeekraft post {i} ist kaputt", '
        f'"created_at": "2026-10-0{1 + i % 3}T08:00:00"}}\n' for i in range(30)),
        encoding="utf-8")
    cfg = tmp_path / "stimmung.yaml"
    cfg.write_text(
        f"warehouse: {{url: 'sqlite:///{tmp_path / 'w.db'}'}}\n"
        "brands: [{name: Kaffeekraft}]\n"
        f"sources: [{{name: export, kind: file, options: {{path: '{data}'}}}}]\n",
        encoding="utf-8")
    timings = tmp_path / "timings.json"
    result = CliRunner().invoke(app, ["run", "--config", str(cfg), "--profile", "fast",
                                      "--timings", str(timings)])
    assert result.exit_code == 0, result.output
    assert "analyze: done, 30 in" in result.output
    assert "collect export: done, 30 in" in result.output
    import json

    stages = json.loads(timings.read_text())["stages"]
    assert {"collect", "analyze", "aggregate", "alert", "analyze.enrich"} <= set(stages)
    bad = CliRunner().invoke(app, ["run", "--config", str(cfg), "--profile", "quick"])
    assert bad.exit_code == 1
    assert "unknown analysis profile 'quick' (known: accurate, fast)" in bad.output
