"""
### stimmung_report

Weekly: renders the HTML reputation report for every brand that is not only a
competitor, over the week of the data interval, into the config's `report.output_dir`
(file names carry the dates, so a re-run overwrites the same file).

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
    dag_id="stimmung_report",
    schedule=CronDataIntervalTimetable("@weekly", timezone="UTC"),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["stimmung", "report"],
    default_args={"retries": 2, "retry_delay": timedelta(minutes=5),
                  "execution_timeout": timedelta(minutes=30), "on_failure_callback": _on_failure},
    doc_md=__doc__,
)
def stimmung_report() -> None:
    @task
    def render(**context: Any) -> list[str]:
        from pipeline.stages.tasks import report_for_interval, run_window

        return report_for_interval(*run_window(context, timedelta(weeks=1)))

    render()


stimmung_report()
