"""What the Airflow DAG tasks call: config and secrets from Airflow, work by data interval.

Everything here runs without Airflow too (tests, cron): Airflow Variables and
Connections are read only when Airflow is importable and they are defined.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from pipeline.config import (
    ENV_CONFIG,
    ENV_WAREHOUSE,
    Config,
    ConfigError,
    load_config,
    parse_config,
)

if TYPE_CHECKING:
    from sqlalchemy import Engine

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
    """Airflow Variable `stimmung_config` (a path), else $STIMMUNG_CONFIG, else ./stimmung.yaml."""
    return Path(_airflow_variable(CONFIG_VARIABLE) or os.environ.get(ENV_CONFIG)
                or "stimmung.yaml")


def _is_yaml_text(value: str) -> bool:
    """A Variable holding the config itself (several lines) rather than a file path."""
    return "\n" in value.strip()


def load() -> Config:
    """The config: the Variable `stimmung_config` holds either a path (a file mounted on
    every worker) or the YAML itself; else $STIMMUNG_CONFIG. The warehouse URL comes from
    the `stimmung_warehouse` connection when it is defined."""
    connection = _airflow_connection(WAREHOUSE_CONNECTION)
    if connection is not None:  # the connection wins over env and config
        os.environ[ENV_WAREHOUSE] = connection.get_uri()
    variable = _airflow_variable(CONFIG_VARIABLE)
    if variable is not None and _is_yaml_text(variable):
        origin = f"Airflow Variable {CONFIG_VARIABLE}"
        try:
            raw = yaml.safe_load(variable)
        except yaml.YAMLError as exc:
            raise ConfigError(f"{origin}: not valid YAML: {exc}") from None
        if not isinstance(raw, dict):
            raise ConfigError(f"{origin}: expected a mapping at the top level")
        # relative paths (file sources, SQLite) resolve in the worker's working directory
        return parse_config(raw, base_dir=Path.cwd(), origin=origin)
    return load_config(config_path())


def open_checked(config: Config) -> Engine:
    """The warehouse engine, after checking that its schema is current. Tasks never
    migrate (no DDL rights needed, no race on a fresh warehouse): `stimmung db upgrade`
    runs once before the DAGs, and a task fails with a clear message until it has."""
    from pipeline.warehouse.db import check_revision, make_engine

    engine = make_engine(config.warehouse_url())
    try:
        check_revision(engine)
    except Exception:
        engine.dispose()
        raise
    return engine


# --------------------------------------------------------------------------- run window


def run_window(context: Mapping[str, Any], every: timedelta) -> tuple[datetime, datetime]:
    """The data interval of an Airflow task's run.

    Scheduled runs and runs triggered with a logical date have `data_interval_start/end`.
    A manual run without a logical date (Airflow 3's default in the UI and the REST API)
    has none: it covers the last complete interval of the DAG's schedule before the
    run's `run_after` (what the timetable would infer), else the `every` before it.
    """
    start, end = context.get("data_interval_start"), context.get("data_interval_end")
    if start is not None and end is not None:
        return start, end
    dag_run = context.get("dag_run")
    run_after = getattr(dag_run, "run_after", None) or datetime.now(UTC)
    timetable = getattr(context.get("dag"), "timetable", None)
    infer = getattr(timetable, "infer_manual_data_interval", None)
    if infer is not None:
        try:
            interval = infer(run_after=run_after)
            if interval.end > interval.start:
                return interval.start, interval.end
        except Exception as exc:  # a timetable that cannot infer: the fixed window below
            log.info("no interval from the timetable (%s); using %s before run_after",
                     exc, every)
    return run_after - every, run_after


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
    from pipeline.stages.collect import collect_source
    from pipeline.warehouse.state import finish_run, start_run

    config = load()
    engine = open_checked(config)
    run_id = start_run(engine, "airflow-collect")
    from pipeline.warehouse.state import read_health

    with engine.connect() as conn:
        health = read_health(conn, source_name)
    force = attempt > 1 and not (health is not None and health.status == "disabled")
    with reddit_credentials():
        outcome = collect_source(engine, config, config.source(source_name), run_id,
                                      force=force)
    finish_run(engine, run_id, outcome.status, {"items": outcome.items})
    engine.dispose()
    if outcome.status == "failed":
        raise SourceFailed(f"source {source_name}: {outcome.error}")
    return {"source": source_name, "status": outcome.status, "items": outcome.items,
            "interval": [str(interval_start), str(interval_end)]}


def analyze_new() -> dict[str, Any]:
    from pipeline.stages.analyze import analyze

    config = load()
    engine = open_checked(config)
    result = analyze(engine, config)
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
    from pipeline.stages.aggregate import aggregate
    from pipeline.stages.alert import alert

    config = load()
    engine = open_checked(config)
    rows = aggregate(engine, config, metrics_from, last)
    alert_channels = [n for n in config.notifications if n.name != REPORT_CHANNEL]
    alerts = alert(engine, config.model_copy(update={"notifications": alert_channels}),
                        first, last)
    engine.dispose()
    return {"days": [str(first), str(last)], "metric_rows": rows,
            "alerts": [a.alert_id for a in alerts]}


def report_for_interval(start: datetime, end: datetime) -> list[str]:
    """One report per brand that is not only someone's competitor, for the interval,
    written to `report.output_dir` (a folder or an fsspec URL); returns where they are."""
    from pipeline.report.write import publish_report

    config = load()
    first, last = interval_days(start, end)
    engine = open_checked(config)
    rivals = {c for b in config.brands for c in b.competitors}
    try:
        places = [publish_report(engine, config, b.name, first, last)
                  for b in config.brands if b.name not in rivals]
    finally:
        engine.dispose()
    deliver_reports(config, places, first, last)
    return places


def deliver_reports(config: Config, places: list[str], first: date, last: date) -> bool:
    """Tell the `report_delivery` channel, if configured: a link per report (under
    `report.base_url`) and, for reports on local disk, the files as attachments."""
    from pipeline.reputation.report_links import is_url, report_link

    channels = [n for n in config.notifications if n.name == REPORT_CHANNEL]
    url = channels[0].resolve_url() if channels else None
    if not url:
        return False
    import apprise

    sender = apprise.Apprise()
    if not sender.add(url):
        raise ValueError(f"notification {REPORT_CHANNEL}: apprise does not understand the URL")
    names = [p.rstrip("/").rsplit("/", 1)[-1] for p in places]
    local = [p for p in places if not is_url(p)]
    ok = sender.notify(title=f"stimmung report {first} – {last}",
                       body="\n".join(report_link(config, n) for n in names),
                       attach=local or None)
    if not ok:
        raise RuntimeError(f"notification {REPORT_CHANNEL}: delivery failed")
    return True


# --------------------------------------------------------------------------- failures

FAILURE_BODY_LIMIT = 600  # characters of the error in a failure notification


def failure_message(context: Mapping[str, Any]) -> tuple[str, str]:
    """(title, body) of a failed task or DAG run, from an Airflow callback context."""
    ti = context.get("ti") or context.get("task_instance")
    dag_run = context.get("dag_run")
    dag_id = getattr(ti, "dag_id", None) or getattr(dag_run, "dag_id", "?")
    run_id = getattr(ti, "run_id", None) or getattr(dag_run, "run_id", "?")
    task_id = getattr(ti, "task_id", None)
    map_index = getattr(ti, "map_index", -1)
    what = f"{dag_id}.{task_id}" if task_id else str(dag_id)
    if isinstance(map_index, int) and map_index >= 0:
        what += f"[{map_index}]"
    error = context.get("exception") or context.get("reason") or "see the task log"
    if isinstance(error, BaseException):
        error = f"{type(error).__name__}: {error}"
    body = f"run {run_id}"
    try_number = getattr(ti, "try_number", None)
    if try_number:
        body += f", try {try_number}"
    body += f": {str(error)[:FAILURE_BODY_LIMIT]}"
    return f"stimmung: {what} failed", body


def notify_failure(context: Mapping[str, Any]) -> dict[str, str]:
    """Airflow `on_failure_callback`: send the failure through the configured
    notification channels (all but `report_delivery`). Never raises: a callback that
    fails must not hide the task's own error; what happened is logged and returned."""
    title, body = failure_message(context)
    try:
        from pipeline.reputation.notify import deliver

        config = load()
        channels = [n for n in config.notifications if n.name != REPORT_CHANNEL]
        results = deliver(channels, title=title, body=body, retries=1)
    except Exception as exc:  # the config itself may be what is broken
        log.error("failure notification not sent (%s: %s); the failure was: %s %s",
                  type(exc).__name__, exc, title, body)
        return {}
    log.info("failure notification %s: %s", title, results)
    return results
