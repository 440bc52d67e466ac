"""`stimmung run` and `stimmung demo`: the whole pipeline once (`pipeline.stages.run`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from pipeline.cli.options import (
    ConfigOpt,
)
from pipeline.cli.output import clean_errors, out, progress_display
from pipeline.cli.root import app
from pipeline.config import load_config
from pipeline.redact import redact

EXIT_SOURCES_FAILED = 3  # `stimmung run`: some source failed; 2 stays click's usage error


@app.command()
def run(
    config: ConfigOpt = None,
    source: Annotated[list[str] | None, typer.Option(help="Only these sources.")] = None,
    force: Annotated[bool, typer.Option(
        help="Fetch sources that are backing off or disabled after failures.")] = False,
    profile: Annotated[str | None, typer.Option(
        help="Analysis profile for this run: accurate | fast (default: analysis.profile).")]
    = None,
    timings: Annotated[Path | None, typer.Option(
        help="Write seconds per stage as JSON to this file.")] = None,
) -> None:
    """Collect, analyze, load, aggregate and alert, once.

    Exit codes: 0 every source loaded; 1 a configuration or warehouse error (nothing
    ran); 2 an invalid option or argument; 3 some source failed (what loaded is kept,
    analysed and aggregated; see `stimmung sources`).

    Example: stimmung run --config stimmung.yaml
    """
    import time

    from pipeline.stages.base import open_warehouse
    from pipeline.stages.run import run
    from pipeline.timing import collect_timings, timed

    started_cpu = time.process_time()  # process start and imports, up to here

    with clean_errors(), collect_timings() as stage_times:
        stage_times.cpu["process_start_and_imports"] = started_cpu
        cfg = load_config(config).with_profile(profile)
        with timed("open_warehouse"):
            engine = open_warehouse(cfg)
        with progress_display() as progress:
            result = run(engine, cfg, progress=progress, sources=source, force=force)
        if timings is not None:
            stage_times.cpu["main_process_total"] = time.process_time()
            timings.write_text(json.dumps({"stages": stage_times.as_dict(),
                                           "cpu_s": stage_times.cpu_dict(),
                                           "posts": result.analyze.posts}, indent=1) + "\n",
                               encoding="utf-8")
        _print_run(result)
        if result.collect.failed:
            raise typer.Exit(EXIT_SOURCES_FAILED)


def _print_run(result: Any, *, alerts: bool = True) -> None:
    table = Table(title="sources", show_lines=False)
    for col in ("source", "status", "posts"):
        table.add_column(col, no_wrap=True)
    table.add_column("error")
    for o in result.collect.outcomes:
        colour = {"ok": "green", "failed": "red", "skipped": "yellow"}[o.status]
        table.add_row(o.source, f"[{colour}]{o.status}[/]", str(o.items),
                      escape(redact(o.error or "")))
    out.print(table)
    a = result.analyze
    out.print(f"analyzed {a.posts} posts: {a.mentions} mentions, {a.duplicates} duplicates, "
              f"{a.scored} scored; {result.metric_rows} metric rows")
    if alerts:
        for alert in result.alerts:
            out.print(f"[bold red]ALERT[/] {alert.message}", highlight=False, soft_wrap=True)


@app.command()
def demo(
    workdir: Annotated[Path, typer.Option(help="Where demo data, warehouse and report go.")]
    = Path("build/demo"),
) -> None:
    """Run the whole pipeline on the bundled demo data (local feeds + a JSONL file).

    Example: stimmung demo --workdir build/demo
    """
    from pipeline.demo.run import run_demo

    with clean_errors():
        with progress_display() as progress:
            result = run_demo(workdir, progress=progress)
        _print_run(result.run, alerts=False)
        for alert in result.alerts:  # every stored alert, also those of earlier demo runs
            out.print(f"[bold red]ALERT[/] {alert['message']}", highlight=False, soft_wrap=True)
        for report in result.reports:
            out.print(f"report: {report}", soft_wrap=True, highlight=False)
