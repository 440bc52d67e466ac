"""
### stimmung_report

Weekly: renders the HTML reputation report for every brand that is not only a
competitor, over the week of the data interval, into the config's `report.output_dir`
(file names carry the dates, so a re-run overwrites the same file).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import dag, task
from airflow.timetables.interval import CronDataIntervalTimetable


@dag(
    dag_id="stimmung_report",
    schedule=CronDataIntervalTimetable("@weekly", timezone="UTC"),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["stimmung", "report"],
    default_args={"retries": 2, "retry_delay": timedelta(minutes=5)},
    doc_md=__doc__,
)
def stimmung_report() -> None:
    @task
    def render(**context: Any) -> list[str]:
        from pipeline.orchestration import report_for_interval

        return report_for_interval(context["data_interval_start"],
                                   context["data_interval_end"])

    render()


stimmung_report()
