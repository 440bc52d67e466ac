"""`stimmung problems`: customer problems of a brand with trends and examples."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pipeline.cli.options import (
    EXIT_CODES,
    SINCE_HELP,
    BrandOpt,
    ConfigOpt,
    newest_day,
    parse_since,
    resolve_brand,
    since_days,
)
from pipeline.cli.output import clean_errors, err, out, progress_display
from pipeline.cli.root import app
from pipeline.config import load_config

log = logging.getLogger(__name__)


def format_problems(brand: str, trends: Sequence[dict[str, Any]], *, end: date,
                    since_days: int = 14, examples: int = 2, width: int = 140) -> Table:
    """A rich table of problems: label, trend arrow, counts, share negative, examples.

    `trends` are the rows of `pipeline.nlp.problem_store.problem_trends`.
    """
    start = end - timedelta(days=since_days - 1)
    table = Table(title=f"Problems for {brand} ({start:%Y-%m-%d} – {end:%Y-%m-%d})",
                  show_lines=True, width=width)
    table.add_column("problem", ratio=3)
    table.add_column("trend", justify="center")
    table.add_column("last 7 d", justify="right")
    table.add_column("before", justify="right")
    table.add_column("neg.", justify="right")
    table.add_column("status")
    table.add_column("examples", ratio=5)
    for row in trends:
        score = row["score"]
        status = ("NEW" if score.new else "EMERGING") if score.emerging else ""
        ex = "\n".join("• " + (t if len(t) <= 120 else t[:117] + "…")
                       for t in row["examples"][:examples])
        table.add_row(str(row["label"]), score.arrow, str(row["recent"]), str(row["before"]),
                      f"{row['share_negative']:.0%}", status, ex)
    if not trends:
        table.caption = "no problems in this period"
    return table


def problems_command(engine: Any, brand: str, days: int = 14,
                     end: date | None = None, lang: str | None = None) -> None:
    """Body of `stimmung problems [--brand B] [--since 14d]` over an open warehouse engine:
    the `days` up to and including `end` (`pipeline.cli_options.since_days`); labels and
    examples in `lang` where a problem has members in it."""
    from pipeline.nlp.problem_store import problem_trends, stale_problems_warning

    end = end or date.today()
    with engine.connect() as conn:
        trends = problem_trends(conn, brand, end, since_days=days, lang=lang)
        stale = stale_problems_warning(conn, brand, end - timedelta(days=days - 1))
    if stale:
        err.print(f"[yellow]warning:[/] {escape(stale)}", highlight=False, soft_wrap=True)
    Console(file=sys.stdout).print(format_problems(brand, trends, end=end, since_days=days))


def rebuild_command(engine: Any, config: Any, since: date | None = None) -> None:
    """Body of `stimmung problems --rebuild`: problems from stored history under the
    current problem model (`pipeline.stages.problem_rebuild`), then one summary line."""
    from pipeline.stages.problem_rebuild import rebuild_problems

    with progress_display() as progress:
        res = rebuild_problems(engine, config, since=since, progress=progress)
    out.print(f"problems {res.version}: {res.clustered} complaint/negative mention(s) of "
              f"{res.mentions} read, {res.new} new under this version, {res.created} "
              f"problem(s) created, {res.merges} merge(s)")
    if res.unscored:
        err.print(f"[yellow]warning:[/] {res.unscored} mention(s) have no sentiment of the "
                  "configured model (only their intent counted): run `stimmung rescore` "
                  "first", highlight=False, soft_wrap=True)


@app.command(epilog=EXIT_CODES)
def problems(
    brand: BrandOpt = None,
    since: Annotated[str | None, typer.Option(
        help=SINCE_HELP + " Default: 14d; with --rebuild, all history.")] = None,
    to: Annotated[str | None, typer.Option(help="Last day, YYYY-MM-DD (default: newest data).")]
    = None,
    rebuild: Annotated[bool, typer.Option(
        "--rebuild", help="First rebuild problems of all brands from stored history under "
        "the current problem model (side by side with older versions; a second run changes "
        "nothing).")] = False,
    config: ConfigOpt = None,
) -> None:
    """Customer problems of a brand with trend arrows, counts, share negative, examples.

    Example: stimmung problems --brand Kaffeekraft --since 14d
    """
    from pipeline.stages.base import open_warehouse

    with clean_errors():
        cfg = load_config(config)
        name = resolve_brand(cfg, brand)
        engine = open_warehouse(cfg)
        end = newest_day(engine, to)
        if rebuild:
            rebuild_command(engine, cfg, None if since is None else parse_since(since, end))
        problems_command(engine, name, since_days(since or "14d", end), end=end,
                         lang=cfg.report.language)
