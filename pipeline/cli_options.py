"""Option parsing shared by the reporting commands: one meaning for `--since`, one default
for `--brand`, one list of exit codes (`report`, `queue`, `tribes`, `problems`, `rescore`,
`export`)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import typer

from pipeline.config import Config

__all__ = [
    "BRAND_HELP",
    "EXIT_CODES",
    "SINCE_HELP",
    "parse_day",
    "parse_since",
    "resolve_brand",
    "since_days",
    "since_start",
]

EXIT_CODES = ("Exit codes: 0 done; 1 an error in the configuration, the warehouse or the "
              "input (one line on stderr, nothing lost); 2 an invalid option or argument.")
BRAND_HELP = "Brand (default: the first configured)."
SINCE_HELP = ("First day: a window counted back from the last day (14d, 2w, 14) or a date "
              "(YYYY-MM-DD).")

_WINDOW = re.compile(r"\s*(\d+)\s*([dw]?)\s*")


def parse_day(value: str | None) -> date | None:
    """``YYYY-MM-DD`` -> date (None stays None); anything else is a usage error."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


def since_start(value: str, end: date) -> date:
    """The first day of a period ending on `end`: ``14d`` / ``2w`` / ``14`` count back
    (``1d`` is `end` itself), a ``YYYY-MM-DD`` date is taken as is; ValueError otherwise."""
    m = _WINDOW.fullmatch(value or "")
    if m:
        n = int(m.group(1)) * (7 if m.group(2) == "w" else 1)
        if n < 1:
            raise ValueError(f"the window must be at least 1 day, got {value!r}")
        return end - timedelta(days=n - 1)
    try:
        start = date.fromisoformat((value or "").strip())
    except ValueError:
        raise ValueError(
            f"expected a window (14d, 2w) or a date (YYYY-MM-DD), got {value!r}") from None
    if start > end:
        raise ValueError(f"since {start} is after the last day {end}")
    return start


def parse_since(value: str, end: date) -> date:
    """`since_start` for an option: a bad value is a usage error (exit 2)."""
    try:
        return since_start(value, end)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def since_days(value: str, end: date) -> int:
    """`parse_since` as a number of days up to and including `end`."""
    return (end - parse_since(value, end)).days + 1


def resolve_brand(cfg: Config, brand: str | None) -> str:
    """The brand named (ConfigError if it is not configured) or the first configured."""
    if brand is None:
        return cfg.brands[0].name  # the config requires at least one brand
    return cfg.brand(brand).name
