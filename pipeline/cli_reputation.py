"""Command bodies for `stimmung queue` and `stimmung tribes` (mounted in cli.py)."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from rich.console import Console
from rich.table import Table

from pipeline.config import Config


def queue_command(engine: Any, cfg: Config, brand: str, end: date, limit: int) -> None:
    """Open questions and complaints of `brand` as of the end of day `end`."""
    from pipeline.nlp.intent import INTENT_MODEL
    from pipeline.records import utcnow
    from pipeline.report import i18n
    from pipeline.report.render import truncate_text
    from pipeline.reputation.response_queue import response_queue
    from pipeline.stages.base import model_identity

    model, version = model_identity(cfg)
    now = min(utcnow(), datetime.combine(end + timedelta(days=1), time(), UTC))
    with engine.connect() as conn:
        items = response_queue(conn, cfg.brand(brand), now, model, version, *INTENT_MODEL,
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
