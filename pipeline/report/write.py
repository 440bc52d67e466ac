"""Write a brand's report for a period from the warehouse."""

from __future__ import annotations

import shutil
import tempfile
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from pipeline.config import Config
from pipeline.report import pdf as _pdf
from pipeline.report.paths import dated_report_path
from pipeline.reputation.report_links import is_url, latest_report_path


class ReportFormat(StrEnum):
    """What `stimmung report --format` writes."""

    html = "html"  # the self-contained HTML file
    pdf = "pdf"  # that file printed by headless Chromium


FORMATS: tuple[str, ...] = tuple(f.value for f in ReportFormat)


def write_report(engine: Any, cfg: Config, brand: str | None, start: date | None,
                 end: date | None, out_path: Path | None, fmt: str = "html") -> Path:
    """Write the report and return its path.

    *fmt* ``"html"`` writes the self-contained HTML file; ``"pdf"`` renders that HTML to
    a temporary file and prints it to PDF with headless Chromium (`pipeline.report.pdf`),
    so only the PDF is left. The default file name ends in ``.html`` or ``.pdf``.
    A default-named HTML report that reaches the newest data also refreshes
    ``<brand>-latest.html``, the page alerts link to.
    """
    from pipeline.nlp.sentiment import load_backend
    from pipeline.report.queries import build_report_data
    from pipeline.report.render import render_report
    from pipeline.reputation.metrics import mention_day_range

    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r} (expected one of {', '.join(FORMATS)})")
    if out_path is None and is_url(cfg.report.output_dir):
        raise ValueError(f"report.output_dir {cfg.report.output_dir} is a URL: "
                         "use publish_report, which uploads the report there")
    # a missing browser is the likely mistake: find it before any work
    chromium = _pdf.find_chromium() if fmt == "pdf" else None
    brand_name = brand or cfg.brands[0].name
    cfg.brand(brand_name)
    with engine.connect() as conn:
        span = mention_day_range(conn)
    end = end or (span[1] if span else date.today())
    start = start or end - timedelta(days=cfg.report.days - 1)
    backend = load_backend(cfg.sentiment_model())
    model, version = backend.name, backend.version
    with engine.connect() as conn:
        data = build_report_data(conn, cfg, brand_name, start, end, model, version)
    path = out_path or dated_report_path(cfg, brand_name, start, end, fmt)
    path.parent.mkdir(parents=True, exist_ok=True)
    if chromium is None:
        written = render_report(data, path)
        if out_path is None and (span is None or end >= span[1]):
            shutil.copyfile(written, latest_report_path(cfg, brand_name))
        return written
    with tempfile.TemporaryDirectory(prefix="stimmung-report-") as tmp:
        html = render_report(data, Path(tmp) / path.with_suffix(".html").name)
        return _pdf.html_to_pdf(html, path, chromium=chromium)


# --------------------------------------------------------------------------- publishing


def publish_report(engine: Any, cfg: Config, brand: str | None, start: date | None,
                   end: date | None, out_path: Path | None = None, fmt: str = "html") -> str:
    """`write_report`, and where `report.output_dir` is an fsspec URL, upload the report
    (and the refreshed `<brand>-latest.html`) there. Returns the local path or the URL.

    The report is rendered into a temporary folder first, so a failed upload leaves
    nothing half-written at the destination's file names (each file is put whole).
    """
    target = cfg.report.output_dir
    if out_path is not None or not is_url(target):
        return str(write_report(engine, cfg, brand, start, end, out_path, fmt))
    import fsspec

    with tempfile.TemporaryDirectory(prefix="stimmung-publish-") as tmp:
        local = cfg.model_copy(update={"report": cfg.report.model_copy(
            update={"output_dir": tmp})})
        written = write_report(engine, local, brand, start, end, None, fmt)
        fs, root = fsspec.core.url_to_fs(target)
        fs.makedirs(root, exist_ok=True)
        for path in sorted(Path(tmp).iterdir()):  # the dated report, then <brand>-latest
            fs.put_file(str(path), f"{root.rstrip('/')}/{path.name}")
    return f"{target.rstrip('/')}/{written.name}"
