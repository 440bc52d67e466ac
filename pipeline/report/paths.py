"""Where a brand's reports are written: the dated file names here; the output folder and
the latest report's path and link in `pipeline.reputation.report_links`, which the alerts
share."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pipeline.config import Config
from pipeline.reputation.report_links import brand_slug, latest_report_path, report_dir

__all__ = ["dated_report_path", "latest_report_path", "report_dir"]


def dated_report_path(config: Config, brand: str, start: date, end: date, ext: str) -> Path:
    return report_dir(config) / f"{brand_slug(brand)}-{start:%Y%m%d}-{end:%Y%m%d}.{ext}"
