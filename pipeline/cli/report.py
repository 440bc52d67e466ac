"""`stimmung report`: the brand report as HTML or PDF (`pipeline.report.write`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from pipeline.cli.options import (
    EXIT_CODES,
    SINCE_HELP,
    BrandOpt,
    ConfigOpt,
    newest_day,
    parse_day,
    parse_since,
)
from pipeline.cli.output import clean_errors, err, out
from pipeline.cli.root import app
from pipeline.config import load_config
from pipeline.report.write import ReportFormat


@app.command(epilog=EXIT_CODES)
def report(
    config: ConfigOpt = None,
    brand: BrandOpt = None,
    from_: Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD.")] = None,
    to: Annotated[str | None, typer.Option(help="Last day, YYYY-MM-DD (default: newest data).")]
    = None,
    since: Annotated[str | None, typer.Option(
        help=SINCE_HELP + " Instead of --from; default: report.days.")] = None,
    out_path: Annotated[Path | None, typer.Option("--out", help="Output file.")] = None,
    fmt: Annotated[ReportFormat, typer.Option(
        "--format", case_sensitive=False,
        help="html (self-contained file) or pdf (printed with headless Chromium).")]
    = ReportFormat.html,
) -> None:
    """Write the brand report as one self-contained HTML file, or as a PDF.

    Example: stimmung report --brand Kaffeekraft --from 2026-10-01 --to 2026-10-31 --format pdf
    """

    from pipeline.report.pdf import PdfError
    from pipeline.stages.base import open_warehouse

    with clean_errors():
        if since is not None and from_ is not None:
            raise typer.BadParameter("give --since or --from, not both", param_hint="--since")
        cfg = load_config(config)
        engine = open_warehouse(cfg)
        from pipeline.report.write import publish_report

        first, last = parse_day(from_), parse_day(to)
        if since is not None:
            last = newest_day(engine, to)
            first = parse_since(since, last)
        try:  # to report.output_dir (a folder or an fsspec URL), or to --out
            path = publish_report(engine, cfg, brand, first, last, out_path, fmt=fmt.value)
        except PdfError as exc:  # no browser, or it failed: one line, exit 1
            err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
        out.print(f"report: {path}", soft_wrap=True, highlight=False)
