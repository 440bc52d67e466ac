"""
### stimmung_collect

Hourly: fetch every enabled source of the stimmung config into `raw_post`.

- One mapped task per source, grouped by kind (`collect_feed`, `collect_reddit`, ...);
  each kind's task runs in its own pool (`stimmung_feed`, `stimmung_reddit`, ...) so a
  kind's rate limit is shared by all runs. Create the pools once (`make airflow` does).
- A failing source fails (and retries) only its own task; the others load.
- `announce` (trigger rule `all_done`) emits the asset `stimmung://raw_posts`, which
  triggers `stimmung_analyze`; analysis is idempotent and cheap when nothing is new.
- `sources_ok` runs only when every source loaded; when one failed (after its retries)
  it is `upstream_failed` and the DAG run **fails**, after the good sources loaded and
  the asset was emitted, so DAG-level alerting sees it.
- A manual run without a logical date collects the same way (sources are incremental).

Config: Airflow Variable `stimmung_config` (a path, or the YAML itself) or
`$STIMMUNG_CONFIG`; warehouse from the connection `stimmung_warehouse`; Reddit from the
connection `stimmung_reddit`.

Before the first run: `stimmung db upgrade` (tasks never migrate; they fail with a clear
message while the warehouse schema is behind). A failed task notifies the config's
notification channels (`on_failure_callback`); every task has an `execution_timeout`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import Asset, dag, task
from airflow.timetables.interval import CronDataIntervalTimetable

RAW_POSTS = Asset("stimmung://raw_posts")
KINDS = ("feed", "file", "reddit", "discourse", "html")


def _on_failure(context: Any) -> None:
    """Tell the configured notification channels (imported on failure, not at parse)."""
    from pipeline.stages.tasks import notify_failure

    notify_failure(context)


@dag(
    dag_id="stimmung_collect",
    schedule=CronDataIntervalTimetable("@hourly", timezone="UTC"),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["stimmung", "collect"],
    default_args={"retries": 2, "retry_delay": timedelta(minutes=5),
                  "execution_timeout": timedelta(minutes=30), "on_failure_callback": _on_failure},
    doc_md=__doc__,
)
def stimmung_collect() -> None:
    @task
    def list_sources() -> dict[str, list[str]]:
        from pipeline.stages.tasks import sources_by_kind

        return sources_by_kind()

    @task
    def pick(grouped: dict[str, list[str]], kind: str) -> list[str]:
        return grouped.get(kind, [])

    @task(trigger_rule="all_done", outlets=[RAW_POSTS])
    def announce() -> None:
        return None

    @task(trigger_rule="none_failed", execution_timeout=timedelta(minutes=1))
    def sources_ok() -> None:
        """Runs when no source failed (kinds without sources are skipped); otherwise it is
        upstream_failed, and so is the DAG run."""
        return None

    grouped = list_sources()
    done = announce()
    verdict = sources_ok()
    for kind in KINDS:

        @task(task_id=f"collect_{kind}", pool=f"stimmung_{kind}")
        def collect(source: str, **context: Any) -> dict[str, Any]:
            from pipeline.stages.tasks import collect_one, run_window

            return collect_one(source, *run_window(context, timedelta(hours=1)),
                               attempt=context["ti"].try_number)

        names = pick.override(task_id=f"sources_{kind}")(grouped, kind)
        collect.expand(source=names) >> [done, verdict]


stimmung_collect()
