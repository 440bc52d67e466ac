"""What the Airflow DAG tasks call: config and secrets from Airflow, work by data interval.

Everything here runs without Airflow too (tests, cron): Airflow Variables and
Connections are read only when Airflow is importable and they are defined.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from pipeline.config import ENV_CONFIG, ENV_WAREHOUSE, Config, load_config

log = logging.getLogger(__name__)

CONFIG_VARIABLE = "stimmung_config"
WAREHOUSE_CONNECTION = "stimmung_warehouse"
REDDIT_CONNECTION = "stimmung_reddit"
REPORT_CHANNEL = "report_delivery"  # notification channel that receives the weekly report
SOURCE_KINDS = ("feed", "file", "reddit", "discourse", "html")


class SourceFailed(RuntimeError):
    """A source failed in this run (its mapped task fails and is retried)."""


def _airflow_variable(name: str) -> str | None:
    try:
        from airflow.sdk import Variable
    except ImportError:
        return None
    try:
        value = Variable.get(name, default=None)
    except Exception:  # no Airflow context / metadata DB: not configured there
        return None
    return None if value is None else str(value)


def _airflow_connection(conn_id: str) -> Any | None:
    try:
        from airflow.sdk import Connection
    except ImportError:
        return None
    try:
        return Connection.get(conn_id)
    except Exception:  # undefined connection, or no Airflow context
        return None


def config_path() -> Path:
    """Airflow Variable `stimmung_config`, else $STIMMUNG_CONFIG, else ./stimmung.yaml."""
    return Path(_airflow_variable(CONFIG_VARIABLE) or os.environ.get(ENV_CONFIG)
                or "stimmung.yaml")


def load() -> Config:
    """The config; the warehouse URL comes from the `stimmung_warehouse` connection if set."""
    connection = _airflow_connection(WAREHOUSE_CONNECTION)
    if connection is not None:  # the connection wins over env and config
        os.environ[ENV_WAREHOUSE] = connection.get_uri()
    return load_config(config_path())


@contextmanager
def reddit_credentials() -> Iterator[None]:
    """Map the `stimmung_reddit` connection (login = client id, password = secret) into
    the environment for the duration of one task; never logged."""
    connection = _airflow_connection(REDDIT_CONNECTION)
    keys = {"STIMMUNG_REDDIT_CLIENT_ID": getattr(connection, "login", None),
            "STIMMUNG_REDDIT_CLIENT_SECRET": getattr(connection, "password", None)}
    saved = {k: os.environ.get(k) for k in keys}
    try:
        for key, value in keys.items():
            if value and not os.environ.get(key):
                os.environ[key] = value
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def sources_by_kind() -> dict[str, list[str]]:
    """Enabled sources grouped by kind (one pool per kind)."""
    config = load()
    grouped: dict[str, list[str]] = {kind: [] for kind in SOURCE_KINDS}
    for source in config.sources:
        if source.enabled:
            grouped.setdefault(source.kind, []).append(source.name)
    return grouped


def collect_one(source_name: str, interval_start: datetime | None = None,
                interval_end: datetime | None = None, *, attempt: int = 1) -> dict[str, Any]:
    """Fetch one source; raises `SourceFailed` when it failed (what loaded is kept).

    Sources are incremental by their own cursor, so the interval is only reported. On an
    Airflow retry (`attempt` > 1) the source's own back-off is bypassed (Airflow owns
    the retry delay), unless the source has been disabled.
    """
    from pipeline import jobs
    from pipeline.warehouse.state import finish_run, start_run

    config = load()
    engine = jobs.open_warehouse(config)
    run_id = start_run(engine, "airflow-collect")
    from pipeline.warehouse.state import read_health

    with engine.connect() as conn:
        health = read_health(conn, source_name)
    force = attempt > 1 and not (health is not None and health.status == "disabled")
    with reddit_credentials():
        outcome = jobs.collect_source(engine, config, config.source(source_name), run_id,
                                      force=force)
    finish_run(engine, run_id, outcome.status, {"items": outcome.items})
    engine.dispose()
    if outcome.status == "failed":
        raise SourceFailed(f"source {source_name}: {outcome.error}")
    return {"source": source_name, "status": outcome.status, "items": outcome.items,
            "interval": [str(interval_start), str(interval_end)]}


def analyze_new() -> dict[str, Any]:
    from pipeline import jobs

    config = load()
    engine = jobs.open_warehouse(config)
    result = jobs.analyze(engine, config)
    engine.dispose()
    return {"posts": result.posts, "mentions": result.mentions, "scored": result.scored,
            "first_day": str(result.first_day) if result.first_day else None,
            "last_day": str(result.last_day) if result.last_day else None}


def interval_days(start: datetime, end: datetime) -> tuple[date, date]:
    """The days a data interval [start, end) covers: a daily interval is one day."""
    last = end - timedelta(microseconds=1)
    return start.date(), max(start.date(), last.date())


# posts analysed late (a source that was down, a slow feed) still count: the metrics of
# the days before the interval are recomputed too (idempotent)
LATE_DATA_DAYS = 3


def reputation_for_interval(start: datetime, end: datetime) -> dict[str, Any]:
    """Metrics for the interval's days and the LATE_DATA_DAYS before them, then spike
    alerts for the interval's days (never by now())."""
    first, last = interval_days(start, end)
    return _metrics_and_alerts(first - timedelta(days=LATE_DATA_DAYS), first, last)


def alerts_for_new_posts(analyzed: dict[str, Any]) -> dict[str, Any]:
    """Right after an analysis: metrics and spike alerts (daily and hourly) for the days
    that received posts, so on-call hears of a spike within the hour, not the next day."""
    if not analyzed.get("first_day") or not analyzed.get("last_day"):
        return {"days": [], "metric_rows": 0, "alerts": []}
    first = date.fromisoformat(analyzed["first_day"])
    last = date.fromisoformat(analyzed["last_day"])
    return _metrics_and_alerts(first, first, last)


def _metrics_and_alerts(metrics_from: date, first: date, last: date) -> dict[str, Any]:
    from pipeline import jobs

    config = load()
    engine = jobs.open_warehouse(config)
    rows = jobs.aggregate(engine, config, metrics_from, last)
    alert_channels = [n for n in config.notifications if n.name != REPORT_CHANNEL]
    alerts = jobs.alert(engine, config.model_copy(update={"notifications": alert_channels}),
                        first, last)
    engine.dispose()
    return {"days": [str(first), str(last)], "metric_rows": rows,
            "alerts": [a.alert_id for a in alerts]}


def report_for_interval(start: datetime, end: datetime) -> list[str]:
    """One report per brand that is not only someone's competitor, for the interval."""
    from pipeline import jobs
    from pipeline.report.write import write_report

    config = load()
    first, last = interval_days(start, end)
    engine = jobs.open_warehouse(config)
    rivals = {c for b in config.brands for c in b.competitors}
    paths = [str(write_report(engine, config, b.name, first, last, None))
             for b in config.brands if b.name not in rivals]
    engine.dispose()
    deliver_reports(config, paths, first, last)
    return paths


def deliver_reports(config: Config, paths: list[str], first: date, last: date) -> bool:
    """Send the reports as attachments to the `report_delivery` channel, if configured."""
    channels = [n for n in config.notifications if n.name == REPORT_CHANNEL]
    url = channels[0].resolve_url() if channels else None
    if not url:
        return False
    import apprise

    sender = apprise.Apprise()
    if not sender.add(url):
        raise ValueError(f"notification {REPORT_CHANNEL}: apprise does not understand the URL")
    ok = sender.notify(title=f"stimmung report {first} – {last}",
                       body="\n".join(Path(p).name for p in paths), attach=paths)
    if not ok:
        raise RuntimeError(f"notification {REPORT_CHANNEL}: delivery failed")
    return True
