"""`stimmung query check`: parse and try a boolean brand query."""

from __future__ import annotations

from typing import Annotated

import typer

from pipeline.cli.output import clean_errors, out

query_app = typer.Typer(
    help="Brand queries.\n\nExample: stimmung query check '\"Kaffeekraft\" AND app'"
)


@query_app.command("check")
def query_check(
    query: Annotated[str, typer.Argument(help="A boolean brand query.")],
    text: Annotated[list[str] | None, typer.Option(help="Texts to test the query on.")] = None,
) -> None:
    """Parse a brand query, print its canonical form, and test it on texts.

    A query that starts with '-' (NOT) goes after `--`, or it is read as an option:
    stimmung query check -- '-Hotel Velora'

    Example: stimmung query check '"Kaffeekraft" AND (app OR maschine)' --text "Die Kaffeekraft App"
    """
    from pipeline.text.query import parse_query

    with clean_errors():
        parsed = parse_query(query)
        out.print(f"ok: {parsed}", highlight=False)
        for sample in text or []:
            verdict = "match" if parsed.matches(sample) else "no match"
            out.print(f"{verdict}: {sample}", highlight=False)
