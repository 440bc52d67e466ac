"""`stimmung eval alerts`: what the spike detector would have fired on a CSV series."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from pipeline.evaluation.alerts import SeriesInputError, evaluate_series, read_series


def alerts_command(
    input: Annotated[Path, typer.Option(
        "--input", "-i", help="CSV with header time,total,negative (ISO times, counts).")],
    freq: Annotated[str, typer.Option(
        "--freq", help="D (daily: day-of-week baseline) or H (hourly: hour-of-week).")] = "D",
) -> None:
    """Run the spike detector online (each point judged only on the points before it).

    The last stdout line is {"alerts": [{"time": ..., "severity": ...}]}.

    Example: stimmung eval alerts --input series.csv --freq H
    """
    try:
        series = read_series(input, freq)
        alerts = evaluate_series(series, freq.upper())
    except SeriesInputError as exc:
        sys.stderr.write(f"error: {exc}\n")
        raise typer.Exit(code=1) from None
    for a in alerts:
        sys.stdout.write(f"alert {a['time']}: {a['negative']} negative vs "
                         f"{a['expected']:g} expected, severity {a['severity']}/10\n")
    sys.stdout.write(f"{len(series.times)} points, {len(alerts)} alerts\n")
    payload = {"alerts": [{"time": a["time"], "severity": a["severity"]} for a in alerts]}
    sys.stdout.write(json.dumps(payload) + "\n")
