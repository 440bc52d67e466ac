"""The dated name of a brand's report (the folder and the latest report's path and
link live in `pipeline.reputation.report_links`, shared with the alerts)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pipeline.config import Config
from pipeline.reputation.report_links import brand_slug, report_dir


def dated_report_path(config: Config, brand: str, start: date, end: date, ext: str) -> Path:
    return report_dir(config) / f"{brand_slug(brand)}-{start:%Y%m%d}-{end:%Y%m%d}.{ext}"
