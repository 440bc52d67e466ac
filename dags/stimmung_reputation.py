"""
### stimmung_reputation

Daily: recompute the brand metrics for the day(s) of the data interval, run the spike
rules on them and send pending notifications. Works by `data_interval_start/end`, so
backfills (`airflow backfill create`) recompute exactly those days (idempotent upserts).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import dag, task
from airflow.timetables.interval import CronDataIntervalTimetable


@dag(
    dag_id="stimmung_reputation",
    schedule=CronDataIntervalTimetable("@daily", timezone="UTC"),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["stimmung", "reputation"],
    default_args={"retries": 2, "retry_delay": timedelta(minutes=5)},
    doc_md=__doc__,
)
def stimmung_reputation() -> None:
    @task
    def metrics_and_alerts(**context: Any) -> dict[str, Any]:
        from pipeline.orchestration import reputation_for_interval

        return reputation_for_interval(context["data_interval_start"],
                                       context["data_interval_end"])

    metrics_and_alerts()


stimmung_reputation()
