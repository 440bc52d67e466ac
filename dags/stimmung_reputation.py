"""
### stimmung_reputation

Daily: recompute the brand metrics for the day(s) of the data interval, run the spike
rules on them and send pending notifications. Works by `data_interval_start/end`, so
backfills (`airflow backfill create`) recompute exactly those days (idempotent upserts).

Before the first run: `stimmung db upgrade` (tasks never migrate; they fail with a clear
message while the warehouse schema is behind). A failed task notifies the config's
notification channels (`on_failure_callback`); every task has an `execution_timeout`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import dag, task
from airflow.timetables.interval import CronDataIntervalTimetable


def _on_failure(context: Any) -> None:
    """Tell the configured notification channels (imported on failure, not at parse)."""
    from pipeline.stages.tasks import notify_failure

    notify_failure(context)


@dag(
    dag_id="stimmung_reputation",
    schedule=CronDataIntervalTimetable("@daily", timezone="UTC"),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["stimmung", "reputation"],
    default_args={"retries": 2, "retry_delay": timedelta(minutes=5),
                  "execution_timeout": timedelta(hours=1), "on_failure_callback": _on_failure},
    doc_md=__doc__,
)
def stimmung_reputation() -> None:
    @task
    def metrics_and_alerts(**context: Any) -> dict[str, Any]:
        from pipeline.stages.tasks import reputation_for_interval, run_window

        return reputation_for_interval(*run_window(context, timedelta(days=1)))

    metrics_and_alerts()


stimmung_reputation()
