"""Write a brand's report for a period from the warehouse."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from pipeline.config import Config


def write_report(engine: Any, cfg: Config, brand: str | None, start: date | None,
                 end: date | None, out_path: Path | None) -> Path:
    from pipeline import jobs
    from pipeline.report.queries import build_report_data
    from pipeline.report.render import render_report

    brand_name = brand or cfg.brands[0].name
    cfg.brand(brand_name)
    span = jobs.data_range(engine)
    end = end or (span[1] if span else date.today())
    start = start or end - timedelta(days=cfg.report.days - 1)
    model, version = jobs.model_identity(cfg)
    with engine.connect() as conn:
        data = build_report_data(conn, cfg, brand_name, start, end, model, version)
    path = out_path or (cfg.base_dir / cfg.report.output_dir /
                        f"{_slug(brand_name)}-{start:%Y%m%d}-{end:%Y%m%d}.html")
    path.parent.mkdir(parents=True, exist_ok=True)
    return render_report(data, path)


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")
