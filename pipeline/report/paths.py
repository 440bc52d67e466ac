"""Where a brand's reports are written, and the stable link to its latest one."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pipeline.config import Config


def brand_slug(brand: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in brand.lower()).strip("-")


def report_dir(config: Config) -> Path:
    return config.base_dir / config.report.output_dir


def dated_report_path(config: Config, brand: str, start: date, end: date, ext: str) -> Path:
    return report_dir(config) / f"{brand_slug(brand)}-{start:%Y%m%d}-{end:%Y%m%d}.{ext}"


def latest_report_path(config: Config, brand: str) -> Path:
    """Every `stimmung report` also refreshes this copy, so alerts can link to it."""
    return report_dir(config) / f"{brand_slug(brand)}-latest.html"


def latest_report_link(config: Config, brand: str) -> str:
    from pipeline.report.write import report_link

    return report_link(config, latest_report_path(config, brand).name)
