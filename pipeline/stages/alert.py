"""Step 4, alert: the alert rules evaluated on the aggregated days, new alerts stored
and the pending ones sent."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine

from pipeline.config import Config
from pipeline.nlp.sentiment.base import SentimentBackend
from pipeline.records import utcnow
from pipeline.reputation.alerts import AlertRecord, evaluate_alerts, notify_pending
from pipeline.stages.base import model_identity
from pipeline.stages.progress import Progress, announce_total, no_progress
from pipeline.warehouse import state


def alert(engine: Engine, config: Config, start: date, end: date,
          *, backend: SentimentBackend | None = None) -> list[AlertRecord]:
    """Evaluate alert rules on [start, end], store alerts and send the pending ones."""
    name, version = model_identity(config, backend)
    started = utcnow()
    with engine.begin() as conn:
        created = evaluate_alerts(conn, config, name, version, start, end)
        state.clear_dirty_range(conn, "alert", start, end, marked_before=started)
    notify_pending(engine, config)
    return created


def alert_dirty(engine: Engine, config: Config,
                *, backend: SentimentBackend | None = None,
                progress: Progress = no_progress) -> list[AlertRecord]:
    """Evaluate the alert rules on every day aggregated since the last alert pass, then
    send what is pending."""
    with engine.connect() as conn:
        todo = state.dirty_days(conn, "alert")
    name, version = model_identity(config, backend)
    created: list[AlertRecord] = []
    ranges = list(todo.ranges())
    announce_total(progress, "alert (days)", sum((e - s).days + 1 for s, e in ranges))
    for start, end in ranges:
        with engine.begin() as conn:
            created += evaluate_alerts(conn, config, name, version, start, end)
        progress("alert (days)", (end - start).days + 1)
    with engine.begin() as conn:
        state.clear_dirty(conn, todo)
    notify_pending(engine, config)
    return created
