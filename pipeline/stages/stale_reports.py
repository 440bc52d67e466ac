"""Reports written before an erasure or a retention pass may quote deleted posts: list
them in `STALE.txt` next to them, until they are re-rendered or deleted. The report
folder may be local or an fsspec URL (`report.output_dir: s3://…`)."""

from __future__ import annotations

from pathlib import Path

from pipeline.config import Config
from pipeline.records import utcnow

MARKER = "STALE.txt"
REPORT_SUFFIXES = (".html", ".pdf")
_HEADER = ("# reports written before posts were deleted; they may still quote them. "
           "Re-render (stimmung report) or delete them.\n")


def mark_stale(report_dir: Path | str, reason: str) -> list[str]:
    """Add every report in `report_dir` to its STALE.txt; returns those reports' names.
    The marker is rewritten whole (object stores cannot append)."""
    import fsspec

    fs, root = fsspec.core.url_to_fs(str(report_dir))
    root = root.rstrip("/")
    if not fs.isdir(root):
        return []
    reports = sorted(name.rsplit("/", 1)[-1] for name in fs.ls(root, detail=False)
                     if name.endswith(REPORT_SUFFIXES) and fs.isfile(name))
    if not reports:
        return []
    marker = f"{root}/{MARKER}"
    before = fs.cat_file(marker).decode("utf-8") if fs.exists(marker) else _HEADER
    when = utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")
    lines = "".join(f"{name}\t{when}\t{reason}\n" for name in reports)
    fs.pipe_file(marker, (before + lines).encode("utf-8"))
    return reports


def mark_reports_stale(config: Config, reason: str) -> tuple[str, list[str]]:
    """After posts were deleted: list the reports in `report.output_dir` (folder or URL)
    as stale; returns the folder and the reports listed."""
    from pipeline.reputation.report_links import is_url, report_dir

    output_dir = config.report.output_dir
    folder = output_dir.rstrip("/") if is_url(output_dir) else str(report_dir(config))
    return folder, mark_stale(folder, reason)
