"""Evaluate the spike detector on a CSV series ``time,total,negative`` (online)."""

from __future__ import annotations

import csv
import itertools
import math
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pipeline.reputation.detector import Detection, DetectorParams, detect

REQUIRED = ("time", "total", "negative")


class SeriesInputError(ValueError):
    """The series file cannot be used; the message is one line for the user."""


@dataclass(frozen=True, slots=True)
class Series:
    raw_times: list[str]
    times: list[date | datetime]
    totals: list[int]
    negatives: list[int]


def _count(value: str, column: str, line: int) -> int:
    text = value.strip()
    try:
        number = float(text)
    except ValueError:
        raise SeriesInputError(
            f"line {line}: {column} must be a number, got {text!r}") from None
    if not math.isfinite(number) or number < 0:
        raise SeriesInputError(f"line {line}: {column} must be a count >= 0, got {text!r}")
    if number != int(number):
        raise SeriesInputError(f"line {line}: {column} must be a whole count, got {text!r}")
    return int(number)


def _time(value: str, line: int, freq: str) -> date | datetime:
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise SeriesInputError(
            f"line {line}: time must be an ISO date or timestamp, got {text!r}") from None
    return parsed.date() if freq == "D" and len(text) <= 10 else parsed


def read_series(path: Path, freq: str = "D") -> Series:
    """Read and validate; rows are sorted by time (duplicates are an error)."""
    freq = freq.upper()
    if freq not in ("D", "H"):
        raise SeriesInputError(f"--freq must be D or H, not {freq!r}")
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise SeriesInputError(f"cannot read {path}: {exc.strerror or exc}") from None
    rows: list[tuple[date | datetime, str, int, int]] = []
    with handle:
        reader = csv.DictReader(handle)
        header = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise SeriesInputError(
                f"{path.name}: missing column(s) {', '.join(missing)} "
                f"(the header must be time,total,negative)")
        reader.fieldnames = header
        try:
            for line, row in enumerate(reader, start=2):
                if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
                    continue  # blank line
                values = {c: (row.get(c) or "") for c in REQUIRED}
                when = _time(values["time"], line, freq)
                total = _count(values["total"], "total", line)
                negative = _count(values["negative"], "negative", line)
                if negative > total:
                    raise SeriesInputError(
                        f"line {line}: negative ({negative}) is greater than total ({total})")
                rows.append((when, values["time"].strip(), total, negative))
        except csv.Error as exc:
            raise SeriesInputError(f"{path.name}: not a valid CSV file ({exc})") from None
    if not rows:
        raise SeriesInputError(f"{path.name}: no data rows")
    try:
        rows.sort(key=lambda r: _sort_key(r[0]))
    except TypeError:
        raise SeriesInputError("time: mixes timestamps with and without a time zone") from None
    for a, b in itertools.pairwise(rows):
        if _sort_key(a[0]) == _sort_key(b[0]):
            raise SeriesInputError(f"time {b[1]!r} appears twice")
    return Series([r[1] for r in rows], [r[0] for r in rows],
                  [r[2] for r in rows], [r[3] for r in rows])


def _sort_key(value: date | datetime) -> Any:
    if isinstance(value, datetime):
        return value
    return datetime(value.year, value.month, value.day)


def evaluate_series(series: Series, freq: str = "D",
                    params: DetectorParams | None = None) -> list[dict[str, Any]]:
    """What the detector would have fired, online: [{"time", "severity", ...}]."""
    p = params or DetectorParams.for_freq(freq)
    found: list[Detection] = detect(series.times, series.totals, series.negatives, p)
    return [{"time": series.raw_times[d.index], "severity": d.severity,
             "negative": d.value, "expected": round(d.expected, 2),
             "score": round(d.score, 2)} for d in found]
