"""Where a brand's reports are written, and the link a reader opens.

An alert links to its brand's latest report, which `pipeline.report.write` refreshes
with every report: both import the paths from here, so the alerts never import the report.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.config import Config


def brand_slug(brand: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in brand.lower()).strip("-")


def report_dir(config: Config) -> Path:
    return config.base_dir / config.report.output_dir


def is_url(output_dir: str) -> bool:
    """`report.output_dir` names an fsspec filesystem (s3://, gs://, az://, memory://,
    file://, ...) rather than a local folder."""
    return "://" in output_dir


def report_link(cfg: Config, name: str) -> str:
    """Where a reader opens the report file `name`: `report.base_url` (or the older
    `alerts.report_base_url`), else the output URL, else the local file as file://."""
    base = cfg.report.base_url or cfg.alerts.report_base_url
    if base:
        return f"{base.rstrip('/')}/{name}"
    if is_url(cfg.report.output_dir):
        return f"{cfg.report.output_dir.rstrip('/')}/{name}"
    return (report_dir(cfg) / name).resolve().as_uri()


def latest_report_path(config: Config, brand: str) -> Path:
    """Every `stimmung report` also refreshes this copy, so alerts can link to it."""
    return report_dir(config) / f"{brand_slug(brand)}-latest.html"


def latest_report_link(config: Config, brand: str) -> str:
    return report_link(config, latest_report_path(config, brand).name)
