"""What every command prints through: stdout and stderr consoles, errors as one redacted
line (exit 1, never a traceback), progress bars or lines, URLs without passwords."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

from pipeline.config import ConfigError
from pipeline.redact import redact
from pipeline.sources.base import SourceError

log = logging.getLogger(__name__)

out = Console()
err = Console(stderr=True)


class OneLineErrors(TyperGroup):
    """The CLI edge: an error nobody caught becomes one redacted line and exit 1, never
    a traceback (`stimmung -v …` logs the traceback too)."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.TyperException, typer.Exit, typer.Abort):
            raise
        except Exception as exc:
            log.info("unexpected error", exc_info=True)
            first = (str(exc).strip().splitlines() or [""])[0][:500]
            message = redact(f"{type(exc).__name__}: {first}" if first else type(exc).__name__)
            err.print(f"[bold red]error:[/] {escape(message)} (run with -v for the "
                      "traceback)", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None


def _user_errors() -> tuple[type[BaseException], ...]:
    from pipeline.export import ExportError
    from pipeline.text.pseudonym import PseudonymKeyMissing
    from pipeline.text.query import QuerySyntaxError
    from pipeline.warehouse.db import WarehouseError

    return (ConfigError, SourceError, WarehouseError, QuerySyntaxError, PseudonymKeyMissing,
            LookupError, FileNotFoundError, ExportError)


@contextmanager
def clean_errors() -> Iterator[None]:
    """A user mistake becomes a one-line error and exit 1, never a traceback."""
    try:
        yield
    except _user_errors() as exc:
        message = str(exc).strip() or type(exc).__name__
        if isinstance(exc, LookupError) and message.startswith("'"):
            message = message.strip("'")
        err.print(f"[bold red]error:[/] {escape(redact(message))}", highlight=False,
                  soft_wrap=True)
        raise typer.Exit(1) from None


def setup_logging(verbose: bool) -> None:
    from pipeline.redact import RedactingFilter

    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())


@contextmanager
def progress_display() -> Iterator[Callable[[str, int], None]]:
    """Bars per stage on a terminal; plain progress lines on stderr otherwise."""
    from pipeline.stages.progress import PlainProgress, RichProgress

    if err.is_terminal:
        with RichProgress(err) as bars:
            yield bars
        return
    lines = PlainProgress(lambda line: err.print(line, highlight=False, soft_wrap=True))
    try:
        yield lines
    finally:
        lines.close()


def safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
