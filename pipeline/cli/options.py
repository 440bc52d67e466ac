"""Option parsing shared by the commands: one meaning for `--since` (`pipeline.periods`),
one default for `--brand`, one `--config`, one list of exit codes (`report`, `queue`,
`tribes`, `problems`, `rescore`, `export`)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from pipeline.config import resolve_brand
from pipeline.periods import since_start

__all__ = [
    "BRAND_HELP",
    "EXIT_CODES",
    "SINCE_HELP",
    "BrandOpt",
    "ConfigOpt",
    "newest_day",
    "parse_day",
    "parse_since",
    "resolve_brand",
    "since_days",
]

EXIT_CODES = ("Exit codes: 0 done; 1 an error in the configuration, the warehouse or the "
              "input (one line on stderr, nothing lost); 2 an invalid option or argument.")
BRAND_HELP = "Brand (default: the first configured)."
SINCE_HELP = ("First day: a window counted back from the last day (14d, 2w, 14) or a date "
              "(YYYY-MM-DD).")

BrandOpt = Annotated[str | None, typer.Option(help=BRAND_HELP)]
ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", "-c",
                 help="Config file (default: $STIMMUNG_CONFIG or ./stimmung.yaml)."),
]


def parse_day(value: str | None) -> date | None:
    """``YYYY-MM-DD`` -> date (None stays None); anything else is a usage error."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


def parse_since(value: str, end: date) -> date:
    """`since_start` for an option: a bad value is a usage error (exit 2)."""
    try:
        return since_start(value, end)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def since_days(value: str, end: date) -> int:
    """`parse_since` as a number of days up to and including `end`."""
    return (end - parse_since(value, end)).days + 1


def newest_day(engine: Any, to: str | None) -> date:
    """`--to`, else the newest day with data, else today."""
    from pipeline.stages.base import data_range

    end = parse_day(to)
    if end is None:
        span = data_range(engine)
        end = span[1] if span else date.today()
    return end
