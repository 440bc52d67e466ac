"""`stimmung rescore` and `stimmung label`: model scores and human labels."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pipeline.cli.options import (
    EXIT_CODES,
    SINCE_HELP,
    ConfigOpt,
    newest_day,
    parse_since,
)
from pipeline.cli.output import clean_errors, out, progress_display
from pipeline.cli.root import app
from pipeline.config import ConfigError, load_config


@app.command(epilog=EXIT_CODES)
def rescore(
    config: ConfigOpt = None,
    model: Annotated[str | None, typer.Option(help="Model name (default: the configured one).")]
    = None,
    since: Annotated[str | None, typer.Option(
        help=SINCE_HELP.replace("the last day", "the newest data") + " Default: all history.")]
    = None,
) -> None:
    """Score history with a model, side by side with earlier scores; with the configured
    model, also rebuild problems under the current problem model (`problems --rebuild`).

    Example: stimmung rescore --model stimmung-sentiment --since 2026-01-01
    """
    from pipeline.stages.analyze import rescore
    from pipeline.stages.base import open_warehouse

    with clean_errors():
        cfg = load_config(config)
        engine = open_warehouse(cfg)
        first = None if since is None else parse_since(since, newest_day(engine, None))
        with progress_display() as progress:
            n = rescore(engine, cfg, model=model, since=first, progress=progress)
        out.print(f"scored {n} posts")
        if model in (None, cfg.sentiment_model()):  # problems follow the configured model
            from pipeline.cli.problems import rebuild_command

            rebuild_command(engine, cfg, first)


@app.command()
def label(
    post_id: Annotated[str | None, typer.Argument(help="Post id.")] = None,
    value: Annotated[str | None, typer.Argument(help="negative | neutral | positive")] = None,
    csv_file: Annotated[Path | None, typer.Option("--csv", help="CSV with post_id,label.")]
    = None,
    config: ConfigOpt = None,
) -> None:
    """Store a human sentiment label that wins over model labels.

    Example: stimmung label 3f2a9c0d1e4b5a6978c0d1e2 negative
    """
    import csv

    from pipeline.records import LABELS
    from pipeline.stages.analyze import set_label
    from pipeline.stages.base import open_warehouse

    with clean_errors():
        pairs: list[tuple[str, str]] = []
        if csv_file:
            with csv_file.open(encoding="utf-8", newline="") as handle:
                pairs = [(r["post_id"], r["label"]) for r in csv.DictReader(handle)]
        elif post_id and value:
            pairs = [(post_id, value)]
        else:
            raise ConfigError("give POST_ID LABEL, or --csv FILE")
        for _, lab in pairs:
            if lab not in LABELS:
                raise ConfigError(f"label {lab!r} is not one of {', '.join(LABELS)}")
        cfg = load_config(config)
        engine = open_warehouse(cfg)
        for pid, lab in pairs:
            set_label(engine, pid, lab)
        out.print(f"stored {len(pairs)} label(s)")
