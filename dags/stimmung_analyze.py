"""
### stimmung_analyze

Runs whenever `stimmung_collect` emits the asset `stimmung://raw_posts`: cleans,
enriches, matches brands, scores sentiment and loads every raw post that has no `post`
row yet (idempotent; a retry never duplicates). Then `early_alerts` recomputes the
metrics of the days that received posts and runs the daily and hourly spike rules on
them, so an alert goes out within the hour (`stimmung_reputation` still settles each
day once it is complete).

Before the first run: `stimmung db upgrade` (tasks never migrate; they fail with a clear
message while the warehouse schema is behind). A failed task notifies the config's
notification channels (`on_failure_callback`); every task has an `execution_timeout`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import Asset, dag, task

RAW_POSTS = Asset("stimmung://raw_posts")
POSTS = Asset("stimmung://posts")


def _on_failure(context: Any) -> None:
    """Tell the configured notification channels (imported on failure, not at parse)."""
    from pipeline.stages.tasks import notify_failure

    notify_failure(context)


@dag(
    dag_id="stimmung_analyze",
    schedule=[RAW_POSTS],
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["stimmung", "analyze"],
    default_args={"retries": 2, "retry_delay": timedelta(minutes=5),
                  "execution_timeout": timedelta(hours=2), "on_failure_callback": _on_failure},
    doc_md=__doc__,
)
def stimmung_analyze() -> None:
    @task(outlets=[POSTS])
    def analyze() -> dict[str, Any]:
        from pipeline.stages.tasks import analyze_new

        return analyze_new()

    @task
    def early_alerts(analyzed: dict[str, Any]) -> dict[str, Any]:
        from pipeline.stages.tasks import alerts_for_new_posts

        return alerts_for_new_posts(analyzed)

    early_alerts(analyze())


stimmung_analyze()
