"""`stimmung queue`, `stimmung tribes` and `stimmung export`: the response queue,
communities and authors, and the tables for analysts."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from pipeline.cli.options import (
    EXIT_CODES,
    SINCE_HELP,
    BrandOpt,
    ConfigOpt,
    newest_day,
    parse_since,
    resolve_brand,
)
from pipeline.cli.output import clean_errors, out
from pipeline.cli.root import app
from pipeline.config import Config, load_config


def queue_command(engine: Any, cfg: Config, brand: str, end: date, limit: int) -> None:
    """Open questions and complaints of `brand` as of the end of day `end`."""
    from pipeline.nlp.intent_head import configured_intent_identity
    from pipeline.records import utcnow
    from pipeline.report import i18n
    from pipeline.report.formatting import truncate_text
    from pipeline.reputation.response_queue import response_queue
    from pipeline.stages.base import model_identity

    model, version = model_identity(cfg)
    now = min(utcnow(), datetime.combine(end + timedelta(days=1), time(), UTC))
    with engine.connect() as conn:
        items = response_queue(conn, cfg.brand(brand), now, model, version,
                               *configured_intent_identity(cfg),
                               max_age_days=cfg.reputation.response_queue_days, limit=limit)
    # the report's time zone and duration format (English: the CLI speaks English)
    lang = i18n.lang("en", cfg.report.timezone)
    with i18n.use(lang):
        as_of = i18n.when(now)
    table = Table(title=f"Waiting for an answer from {brand} (as of {as_of})", show_lines=True)
    for column, justify in (("priority", "right"), ("age", "right"), ("reach", "right"),
                            ("intent", "left"), ("where", "left"), ("post", "left")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for q in items:
        where = q.source + (f" · {q.community}" if q.community else "")
        with i18n.use(lang):
            age = i18n.duration(q.age_hours)
        table.add_row(f"{q.priority:.2f}", age, f"{q.reach:g}", q.intent,
                      where, truncate_text(q.text, 110) + (f"\n{q.url}" if q.url else ""))
    if not items:
        table.caption = "nothing waiting: every question and complaint has an official answer"
    Console(file=sys.stdout, soft_wrap=True).print(table)


def tribes_command(engine: Any, cfg: Config, brand: str, start: date, end: date,
                   limit: int) -> None:
    """Communities and authors that drive the conversation about `brand`."""
    from pipeline.report.honest import few, shrunk_net
    from pipeline.reputation.tribes import rank_authors, rank_communities
    from pipeline.stages.base import model_identity

    model, version = model_identity(cfg)
    prior = cfg.reputation.prior_weight

    def net(positive: int, negative: int) -> str:
        value = shrunk_net(positive, negative, prior)
        shown = "—" if value is None else f"{value * 100:+.0f}"
        return shown + (" (n<5)" if value is not None and few(positive + negative) else "")

    with engine.connect() as conn:
        communities = rank_communities(conn, brand, start, end, model, version, limit=limit)
        authors = rank_authors(conn, brand, start, end, model, version, limit=limit,
                               role="chiefs")
        experts = rank_authors(conn, brand, start, end, model, version, limit=limit,
                               role="experts")
    console = Console(file=sys.stdout, soft_wrap=True)
    tribes = Table(title=f"Tribes: communities talking about {brand} ({start} – {end})")
    for column in ("community", "source", "mentions", "growth", "net (shrunk)", "authors"):
        tribes.add_column(column, justify="left" if column in ("community", "source")
                          else "right")
    for c in communities:
        tribes.add_row(c.community or "(none)", c.source, str(c.mentions),
                       "new" if c.growth is None else f"{c.growth:+.0%}",
                       net(c.positive, c.negative), str(c.authors))
    console.print(tribes)
    chiefs = Table(title=f"Chiefs: the most influential authors who mention {brand} "
                         f"({start} – {end})")
    for column in ("author", "community", "influence", "engagement", "centrality",
                   "consistency", "mentions", "net (shrunk)"):
        chiefs.add_column(column, justify="left" if column in ("author", "community")
                          else "right")
    for a in authors:
        chiefs.add_row(a.author_id, a.community or "(none)", f"{a.influence:.0f}",
                       f"{a.engagement:g}", f"{a.centrality:.2f}", f"{a.consistency:.2f}",
                       str(a.mentions), net(a.positive, a.negative))
    console.print(chiefs)
    table = Table(title=f"Community experts: answer in threads about {brand} without naming "
                        f"it ({start} – {end})")
    for column in ("author", "community", "influence", "centrality", "replies", "posts"):
        table.add_column(column, justify="left" if column in ("author", "community")
                         else "right")
    for a in experts:
        table.add_row(a.author_id, a.community or "(none)", f"{a.influence:.0f}",
                      f"{a.centrality:.2f}", str(a.brand_replies), str(a.posts))
    if not experts:
        table.caption = "no community expert in this period"
    console.print(table)


def export_command(engine: Any, cfg: Config, what: str, fmt: str, out: Any, brand: str,
                   start: date, end: date) -> int:
    """Body of `stimmung export`: one table of the period to a CSV or Parquet file."""
    from pipeline.export import Period, export
    from pipeline.stages.base import model_identity

    model, version = model_identity(cfg)
    with engine.connect() as conn:
        return export(conn, cfg, what, fmt, out, Period(brand, start, end), model,
                      version).rows


@app.command(epilog=EXIT_CODES)
def queue(
    brand: BrandOpt = None,
    to: Annotated[str | None, typer.Option(help="As of the end of this day, YYYY-MM-DD "
                                                 "(default: newest data).")] = None,
    limit: Annotated[int, typer.Option(min=1, help="Rows to show.")] = 20,
    config: ConfigOpt = None,
) -> None:
    """The response queue: questions and complaints no official account has answered,
    highest priority (reach and age) first, with links.

    Example: stimmung queue --brand Kaffeekraft
    """
    from pipeline.stages.base import open_warehouse

    with clean_errors():
        cfg = load_config(config)
        name = resolve_brand(cfg, brand)
        engine = open_warehouse(cfg)
        queue_command(engine, cfg, name, newest_day(engine, to), limit)


@app.command(epilog=EXIT_CODES)
def tribes(
    brand: BrandOpt = None,
    since: Annotated[str, typer.Option(help=SINCE_HELP)] = "28d",
    to: Annotated[str | None, typer.Option(help="Last day, YYYY-MM-DD (default: newest data).")]
    = None,
    limit: Annotated[int, typer.Option(min=1, help="Rows per table.")] = 10,
    config: ConfigOpt = None,
) -> None:
    """Tribes and chiefs: communities ranked by brand volume and growth, authors
    (pseudonymous) by influence (engagement, reply-graph centrality, consistency).

    Example: stimmung tribes --brand Kaffeekraft --since 28d
    """
    from pipeline.stages.base import open_warehouse

    with clean_errors():
        cfg = load_config(config)
        name = resolve_brand(cfg, brand)
        engine = open_warehouse(cfg)
        end = newest_day(engine, to)
        tribes_command(engine, cfg, name, parse_since(since, end), end, limit)


@app.command(epilog=EXIT_CODES)
def export(
    what: Annotated[str, typer.Option(help="mentions | daily | problems | queue")],
    out_path: Annotated[Path, typer.Option("--out", help="Output file.")],
    fmt: Annotated[str, typer.Option("--format", help="csv | parquet")] = "csv",
    brand: BrandOpt = None,
    since: Annotated[str | None, typer.Option(
        help=SINCE_HELP + " Default: report.days.")] = None,
    to: Annotated[str | None, typer.Option(help="Last day, YYYY-MM-DD (default: newest data).")]
    = None,
    config: ConfigOpt = None,
) -> None:
    """Export a brand's mentions, daily figures, problems or response queue as CSV or
    Parquet, for analysts (the same counting as the report; times in UTC).

    Example: stimmung export --what daily --format parquet --out kaffeekraft-daily.parquet
    """

    if what not in ("mentions", "daily", "problems", "queue"):
        raise typer.BadParameter("choose mentions, daily, problems or queue",
                                 param_hint="--what")
    if fmt not in ("csv", "parquet"):
        raise typer.BadParameter("choose csv or parquet", param_hint="--format")
    with clean_errors():
        cfg = load_config(config)
        name = resolve_brand(cfg, brand)
        from pipeline.stages.base import open_warehouse

        engine = open_warehouse(cfg)
        end = newest_day(engine, to)
        start = parse_since(since, end) if since else end - timedelta(days=cfg.report.days - 1)
        rows = export_command(engine, cfg, what, fmt, out_path, name, start, end)
        out.print(f"exported {rows} rows to {out_path}", soft_wrap=True, highlight=False)
