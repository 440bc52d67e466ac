"""Reports written before an erasure or a retention pass may quote deleted posts: list
them in `STALE.txt` next to them, until they are re-rendered or deleted."""

from __future__ import annotations

from pathlib import Path

from pipeline.records import utcnow

MARKER = "STALE.txt"
REPORT_SUFFIXES = (".html", ".pdf")


def mark_stale(report_dir: Path, reason: str) -> list[Path]:
    """Append every report in `report_dir` to its STALE.txt; returns those reports."""
    if not report_dir.is_dir():
        return []
    reports = sorted(p for p in report_dir.iterdir()
                     if p.is_file() and p.suffix in REPORT_SUFFIXES)
    if not reports:
        return []
    marker = report_dir / MARKER
    new = not marker.exists()
    with marker.open("a", encoding="utf-8") as fh:
        if new:
            fh.write("# reports written before posts were deleted; they may still quote "
                     "them. Re-render (stimmung report) or delete them.\n")
        when = utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")
        for report in reports:
            fh.write(f"{report.name}\t{when}\t{reason}\n")
    return reports
