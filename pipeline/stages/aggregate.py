"""Step 3, aggregate: daily brand metrics recomputed for the days that received (or
lost) posts. Keyed by brand × day, so re-running a range replaces it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine

from pipeline.config import Config
from pipeline.nlp.sentiment.base import SentimentBackend
from pipeline.records import utcnow
from pipeline.reputation.metrics import compute_daily_metrics
from pipeline.stages.base import model_identity, sync_official
from pipeline.stages.progress import Progress, announce_total, no_progress
from pipeline.warehouse import state


def aggregate(engine: Engine, config: Config, start: date, end: date,
              *, backend: SentimentBackend | None = None) -> int:
    """Recompute brand metrics for [start, end] with the configured model (and forget
    those days' dirty marks made before, whoever calls: CLI run or an Airflow task)."""
    name, version = model_identity(config, backend)
    sync_official(engine, config)
    started = utcnow()
    with engine.begin() as conn:
        rows = compute_daily_metrics(conn, config, name, version, start, end)
        state.clear_dirty_range(conn, "aggregate", start, end, marked_before=started)
    return rows


def aggregate_dirty(engine: Engine, config: Config,
                    *, backend: SentimentBackend | None = None,
                    progress: Progress = no_progress) -> int:
    """Recompute the metrics of every day that received (or lost) posts since the last
    pass, whichever run loaded them: a crash between analyze and aggregate heals here."""
    with engine.connect() as conn:
        todo = state.dirty_days(conn, "aggregate")
    ranges = list(todo.ranges())
    announce_total(progress, "aggregate (days)", sum((e - s).days + 1 for s, e in ranges))
    rows = 0
    for start, end in ranges:
        rows += aggregate(engine, config, start, end, backend=backend)
        progress("aggregate (days)", (end - start).days + 1)
    with engine.begin() as conn:
        state.clear_dirty(conn, todo)
    return rows
