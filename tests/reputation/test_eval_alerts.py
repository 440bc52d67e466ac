from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from pipeline.cli.evaluate import alerts as alerts_command

app = typer.Typer()
app.command("alerts")(alerts_command)
app.command("other")(lambda: None)  # two commands: `alerts` stays a subcommand


def _write(path: Path, rows: list[tuple[str, object, object]],
           header: str = "time,total,negative") -> Path:
    path.write_text(header + "\n" + "".join(f"{t},{a},{b}\n" for t, a, b in rows))
    return path


def _daily(n: int, spike_at: int | None = None) -> list[tuple[str, object, object]]:
    rng = np.random.default_rng(1)
    rows: list[tuple[str, object, object]] = []
    for i in range(n):
        neg, other = int(rng.poisson(20)), int(rng.poisson(80))
        if i == spike_at:
            neg += 70
        rows.append(((date(2026, 3, 2) + timedelta(days=i)).isoformat(), neg + other, neg))
    return rows


def _last_json(output: str) -> dict[str, list[dict[str, object]]]:
    last = output.strip().splitlines()[-1]
    parsed = json.loads(last)
    assert isinstance(parsed, dict)
    return parsed


def test_daily_series_prints_the_spike_as_the_last_json_line(tmp_path: Path) -> None:
    path = _write(tmp_path / "s.csv", _daily(50, spike_at=40))
    result = CliRunner().invoke(app, ["alerts", "--input", str(path)])
    assert result.exit_code == 0, result.output
    alerts = _last_json(result.stdout)["alerts"]
    assert [a["time"] for a in alerts] == ["2026-04-11"]  # the time exactly as given
    severity = alerts[0]["severity"]
    assert isinstance(severity, int) and 1 <= severity <= 10
    assert set(alerts[0]) == {"time", "severity"}


def test_quiet_series_and_unsorted_rows(tmp_path: Path) -> None:
    rows = _daily(50)
    path = _write(tmp_path / "q.csv", rows[25:] + rows[:25])  # order does not matter
    result = CliRunner().invoke(app, ["alerts", "--input", str(path), "--freq", "D"])
    assert result.exit_code == 0, result.output
    assert _last_json(result.stdout) == {"alerts": []}


def test_hourly_series(tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    rows: list[tuple[str, object, object]] = []
    start = datetime(2026, 3, 2)
    for h in range(24 * 21):
        t = start + timedelta(hours=h)
        rate = 3.0 if 9 <= t.hour <= 21 else 0.5
        neg, other = int(rng.poisson(rate)), int(rng.poisson(rate * 3))
        if h == 24 * 18 + 4:  # 04:00 on day 19
            neg += 15
        rows.append((t.strftime("%Y-%m-%dT%H:%M:%SZ"), neg + other, neg))
    path = _write(tmp_path / "h.csv", rows)
    result = CliRunner().invoke(app, ["alerts", "--input", str(path), "--freq", "H"])
    assert result.exit_code == 0, result.output
    assert [a["time"] for a in _last_json(result.stdout)["alerts"]] == ["2026-03-20T04:00:00Z"]


@pytest.mark.parametrize(("rows", "header", "message"), [
    ([("2026-03-02", 10, 3)], "time,total", "missing column(s) negative"),
    ([("2026-03-02", 10, "three")], "time,total,negative", "negative must be a number"),
    ([("2026-03-02", 10, 12)], "time,total,negative", "greater than total"),
    ([("2026-03-02", 10, -1)], "time,total,negative", "count >= 0"),
    ([("yesterday", 10, 1)], "time,total,negative", "ISO date"),
    ([("2026-03-02", 10, 1), ("2026-03-02", 9, 1)], "time,total,negative", "twice"),
    ([], "time,total,negative", "no data rows"),
])
def test_bad_input_is_one_line_on_stderr_and_exit_1(
    tmp_path: Path, rows: list[tuple[str, object, object]], header: str, message: str,
) -> None:
    path = _write(tmp_path / "bad.csv", rows, header=header)
    result = CliRunner().invoke(app, ["alerts", "--input", str(path)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_missing_file_and_bad_freq(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["alerts", "--input", str(tmp_path / "nope.csv")])
    assert result.exit_code == 1 and result.stderr.startswith("error: cannot read")
    path = _write(tmp_path / "s.csv", _daily(10))
    result = CliRunner().invoke(app, ["alerts", "--input", str(path), "--freq", "W"])
    assert result.exit_code == 1 and "--freq must be D or H" in result.stderr
