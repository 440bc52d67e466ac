"""
### stimmung_collect

Hourly: fetch every enabled source of the stimmung config into `raw_post`.

- One mapped task per source, grouped by kind (`collect_feed`, `collect_reddit`, ...);
  each kind's task runs in its own pool (`stimmung_feed`, `stimmung_reddit`, ...) so a
  kind's rate limit is shared by all runs. Create the pools once (`make airflow` does).
- A failing source fails (and retries) only its own task; the others load.
- `announce` (trigger rule `all_done`) emits the asset `stimmung://raw_posts`, which
  triggers `stimmung_analyze`; analysis is idempotent and cheap when nothing is new.

Config: Airflow Variable `stimmung_config` (path) or `$STIMMUNG_CONFIG`; warehouse
from the connection `stimmung_warehouse`; Reddit from the connection `stimmung_reddit`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import Asset, dag, task
from airflow.timetables.interval import CronDataIntervalTimetable

RAW_POSTS = Asset("stimmung://raw_posts")
KINDS = ("feed", "file", "reddit", "discourse", "html")


@dag(
    dag_id="stimmung_collect",
    schedule=CronDataIntervalTimetable("@hourly", timezone="UTC"),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["stimmung", "collect"],
    default_args={"retries": 2, "retry_delay": timedelta(minutes=5)},
    doc_md=__doc__,
)
def stimmung_collect() -> None:
    @task
    def list_sources() -> dict[str, list[str]]:
        from pipeline.orchestration import sources_by_kind

        return sources_by_kind()

    @task
    def pick(grouped: dict[str, list[str]], kind: str) -> list[str]:
        return grouped.get(kind, [])

    @task(trigger_rule="all_done", outlets=[RAW_POSTS])
    def announce() -> None:
        return None

    grouped = list_sources()
    done = announce()
    for kind in KINDS:

        @task(task_id=f"collect_{kind}", pool=f"stimmung_{kind}")
        def collect(source: str, **context: Any) -> dict[str, Any]:
            from pipeline.orchestration import collect_one

            return collect_one(source, context["data_interval_start"],
                               context["data_interval_end"],
                               attempt=context["ti"].try_number)

        names = pick.override(task_id=f"sources_{kind}")(grouped, kind)
        collect.expand(source=names) >> done


stimmung_collect()
