"""`stimmung sources …` and `stimmung fetch`: configured sources, their health, and
one source tried outside the config."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from pipeline.cli.options import (
    ConfigOpt,
)
from pipeline.cli.output import clean_errors, out
from pipeline.cli.root import app
from pipeline.config import load_config
from pipeline.redact import redact

sources_app = typer.Typer(help="Configured sources and their health.\n\nExample: stimmung sources")


@sources_app.callback(invoke_without_command=True)
def sources_list(ctx: typer.Context, config: ConfigOpt = None) -> None:
    """Show configured sources with their health (status, items, errors)."""
    if ctx.invoked_subcommand is not None:
        return
    from pipeline.stages.base import open_warehouse
    from pipeline.warehouse.state import read_health

    with clean_errors():
        cfg = load_config(config)
        engine = open_warehouse(cfg)
        table = Table(title="sources")
        for col in ("name", "kind", "status", "failures", "last run", "items"):
            table.add_column(col, no_wrap=True)
        table.add_column("last error")
        with engine.connect() as conn:
            for s in cfg.sources:
                h = read_health(conn, s.name)
                status = "disabled (config)" if not s.enabled else (h.status if h else "never run")
                table.add_row(
                    s.name, s.kind, status, str(h.consecutive_failures if h else 0),
                    f"{h.last_run_at:%Y-%m-%d %H:%M}" if h and h.last_run_at else "-",
                    str(h.last_items) if h and h.last_items is not None else "-",
                    escape(redact(h.last_error or "")[:80]) if h else "",
                )
        out.print(table)


@sources_app.command("enable")
def sources_enable(name: str, config: ConfigOpt = None) -> None:
    """Re-enable a source that was disabled after repeated failures.

    Example: stimmung sources enable reddit-de
    """
    from pipeline.stages.base import open_warehouse
    from pipeline.warehouse.state import enable_source

    with clean_errors():
        cfg = load_config(config)
        cfg.source(name)
        engine = open_warehouse(cfg)
        with engine.begin() as conn:
            changed = enable_source(conn, name)
        out.print(f"{name}: enabled" if changed else f"{name}: has not run yet; nothing to do")


@app.command()
def fetch(
    target: Annotated[str, typer.Argument(
        help="The source's main option: feed URL, file path, subreddit, forum URL, page URL.")],
    kind: Annotated[str, typer.Option(help="Source kind: feed, file, reddit, discourse, html.")]
    = "feed",
    option: Annotated[list[str] | None, typer.Option(
        "--option", "-o", help="More source options as key=value (value may be JSON).")] = None,
    limit: Annotated[int | None, typer.Option(help="Stop after N posts.")] = None,
) -> None:
    """Print the normalised posts of one source definition as JSON lines.

    Example: stimmung fetch --kind feed https://example.com/feed.xml --limit 5

    Example: stimmung fetch --kind reddit espresso -o comments=false --limit 10

    Example: stimmung fetch --kind html https://forum.example.de/f/12 -o item_selector=a.topic
    """
    from pipeline.sources.base import source_for_target

    with clean_errors():
        source = source_for_target(kind, target, option or [])
        for count, post in enumerate(source.fetch({}), 1):
            sys.stdout.write(json.dumps({
                "source": post.source, "external_id": post.external_id, "url": post.url,
                "author": post.author, "community": post.community, "title": post.title,
                "body": post.body, "created_at": post.created_at.isoformat(),
                "engagement": post.engagement, "parent_id": post.parent_id,
            }, ensure_ascii=False) + "\n")
            if limit is not None and count >= limit:
                break
