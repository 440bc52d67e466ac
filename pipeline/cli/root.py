"""The root `stimmung` command that every command module registers on."""

from __future__ import annotations

from typing import Annotated

import typer

from pipeline.cli.output import OneLineErrors, setup_logging

app = typer.Typer(
    cls=OneLineErrors,
    help="stimmung: social listening for brands (collect, analyze, alert, report).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _main(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress.")] = False
          ) -> None:
    setup_logging(verbose)
