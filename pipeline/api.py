"""A small Python API for notebooks: a brand's figures as pandas DataFrames.

The distribution is called ``stimmung``; the package it installs is ``pipeline``::

    from pipeline import api

    daily = api.reputation("stimmung.yaml", brand="Kaffeekraft", since="28d")
    daily.plot(x="day", y=["reputation", "net_sentiment_shrunk"])
    posts = api.mentions("stimmung.yaml", since="2026-10-01", to="2026-10-31")
    posts.groupby("community")["label"].value_counts().unstack()
    api.problems("stimmung.yaml").pivot_table("posts", "day", "label", aggfunc="sum")

Each function reads the warehouse of the config (a path, a loaded `Config`, or None for
``$STIMMUNG_CONFIG`` / ``./stimmung.yaml``), counts as the report and the exports do
(`pipeline.export`, whose column schemas they share), and takes the same period options
as the CLI: `brand` (default: the first configured), `since` (a window counted back from
`to` such as ``28d`` / ``4w``, or a date; default: ``report.days``), `to` (default: the
newest day with data). Times are UTC; counts are nullable integers.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.config import Config, load_config, resolve_brand
from pipeline.export import Period, frame
from pipeline.periods import since_start

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["mentions", "problems", "queue", "reputation"]


def _period(cfg: Config, engine: object, brand: str | None, since: str | date | None,
            to: str | date | None) -> Period:
    from pipeline.stages.base import data_range

    if to is None:
        span = data_range(engine)  # type: ignore[arg-type]
        end = span[1] if span else date.today()
    else:
        end = to if isinstance(to, date) else date.fromisoformat(str(to).strip())
    if since is None:
        start = end - timedelta(days=cfg.report.days - 1)
    elif isinstance(since, date):
        start = since
    else:
        start = since_start(since, end)
    return Period(resolve_brand(cfg, brand), start, end)


def _read(what: str, config: str | Path | Config | None, brand: str | None,
          since: str | date | None, to: str | date | None) -> pd.DataFrame:
    from pipeline.stages.base import model_identity, open_warehouse

    cfg = config if isinstance(config, Config) else load_config(config)
    engine = open_warehouse(cfg)
    try:
        period = _period(cfg, engine, brand, since, to)
        model, version = model_identity(cfg)
        with engine.connect() as conn:
            return frame(conn, cfg, what, period, model, version)
    finally:
        engine.dispose()


def reputation(config: str | Path | Config | None = None, *, brand: str | None = None,
               since: str | date | None = None, to: str | date | None = None
               ) -> pd.DataFrame:
    """One row per day with data: volume, negative / neutral / positive, net sentiment raw
    and shrunk (`pipeline.report.honest`), reputation (-100..100), share of voice, reach."""
    return _read("daily", config, brand, since, to)


def mentions(config: str | Path | Config | None = None, *, brand: str | None = None,
             since: str | date | None = None, to: str | date | None = None) -> pd.DataFrame:
    """One row per counted mention: post, time, source, community, language, pseudonymous
    author, text, effective label (a human label wins) and the model's scores."""
    return _read("mentions", config, brand, since, to)


def problems(config: str | Path | Config | None = None, *, brand: str | None = None,
             since: str | date | None = None, to: str | date | None = None) -> pd.DataFrame:
    """One row per customer problem and day: posts, negative posts, negative share."""
    return _read("problems", config, brand, since, to)


def queue(config: str | Path | Config | None = None, *, brand: str | None = None,
          to: str | date | None = None) -> pd.DataFrame:
    """The response queue as of the end of `to`: every unanswered question and complaint,
    highest priority first."""
    return _read("queue", config, brand, None, to)
