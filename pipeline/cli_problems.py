"""Command bodies for `stimmung eval topics` and `stimmung problems` (mounted in cli.py)."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

log = logging.getLogger(__name__)


def topics_command(input: Path) -> None:
    """Cluster the texts of a TSV (text, label, lang) and score against the gold labels."""
    from pipeline.evaluation.sentiment import EvalInputError
    from pipeline.evaluation.topics import evaluate_topics

    try:
        result = evaluate_topics(input)
    except (EvalInputError, FileNotFoundError, ValueError) as e:
        sys.stderr.write(f"error: {str(e).splitlines()[0] if str(e) else type(e).__name__}\n")
        raise typer.Exit(code=1) from e
    table = Table(title=f"topic clustering: {input.name}")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for k, v in result.items():
        table.add_row(k, f"{v:.4f}" if isinstance(v, float) else str(v))
    Console(file=sys.stdout).print(table)
    line = {k: result[k] for k in ("n", "n_clusters", "nmi", "ari", "purity")}
    sys.stdout.write(json.dumps(line) + "\n")


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
                     end: date | None = None) -> None:
    """Body of `stimmung problems [--brand B] [--since 14d]` over an open warehouse engine:
    the `days` up to and including `end` (`pipeline.cli_options.since_days`)."""
    from pipeline.nlp.problem_store import problem_trends

    end = end or date.today()
    with engine.connect() as conn:
        trends = problem_trends(conn, brand, end, since_days=days)
    Console(file=sys.stdout).print(format_problems(brand, trends, end=end, since_days=days))
