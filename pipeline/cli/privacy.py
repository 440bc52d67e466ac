"""`stimmung erase` and `stimmung retention`: delete posts, then mark older reports stale."""

from __future__ import annotations

from typing import Annotated

import typer

from pipeline.cli.options import (
    ConfigOpt,
)
from pipeline.cli.output import clean_errors, out
from pipeline.cli.root import app
from pipeline.config import Config, ConfigError, load_config
from pipeline.redact import redact


@app.command()
def erase(
    source: Annotated[str, typer.Option(help="Source name the author posted on.")],
    author: Annotated[str, typer.Option(help="The author's handle as the source shows it.")],
    config: ConfigOpt = None,
) -> None:
    """Erase every post of one author (raw and derived data).

    Example: stimmung erase --source reddit-de --author some_user
    """
    from pipeline.stages.base import open_warehouse
    from pipeline.stages.privacy import erase_author

    with clean_errors():
        cfg = load_config(config)
        engine = open_warehouse(cfg)
        n = erase_author(engine, cfg, source, author)
        out.print(f"erased {n} post(s)")
        if n:
            _mark_reports_stale(cfg, f"erase --source {source} (one author)")


@app.command()
def retention(
    config: ConfigOpt = None,
    days: Annotated[int | None, typer.Option(help="Keep this many days (default: config).")]
    = None,
) -> None:
    """Delete posts older than the retention period.

    Example: stimmung retention --days 365
    """
    from pipeline.stages.base import open_warehouse
    from pipeline.stages.privacy import apply_retention

    with clean_errors():
        cfg = load_config(config)
        keep = days or cfg.privacy.retention_days
        if not keep:
            raise ConfigError("no retention period: set privacy.retention_days or pass --days")
        engine = open_warehouse(cfg)
        n = apply_retention(engine, keep)
        out.print(f"deleted {n} post(s) older than {keep} days")
        if n:
            _mark_reports_stale(cfg, f"retention --days {keep}")


def _mark_reports_stale(cfg: Config, reason: str) -> None:
    from pipeline.stages.stale_reports import MARKER, mark_reports_stale

    folder, stale = mark_reports_stale(cfg, reason)
    if stale:
        out.print(f"{len(stale)} report(s) written before may quote deleted posts: listed "
                  f"in {redact(folder)}/{MARKER}; re-render them with `stimmung report` "
                  "or delete them", highlight=False)
