"""Real Airflow runs of the real DAGs (dag.test) against local feeds and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select

from pipeline.config import load_config
from pipeline.demo.corpus import write_demo_data
from pipeline.demo.server import serve_directory, serve_faults
from pipeline.stages.base import open_warehouse
from pipeline.stages.tasks import LATE_DATA_DAYS
from pipeline.warehouse.db import make_engine
from pipeline.warehouse.schema import alert, daily_brand_metrics, mention, metadata, raw_post

pytestmark = [pytest.mark.airflow, pytest.mark.slow, pytest.mark.usefixtures("airflow_db")]
DAGS = Path(__file__).resolve().parents[2] / "dags"


@pytest.fixture
def airflow_config(tmp_path: Path, pg_url: str,
                   monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, str, int]]:
    """A config with the demo feeds, a failing source, and the PostgreSQL warehouse."""
    manifest = write_demo_data(tmp_path / "data").to_dict()
    with serve_directory(tmp_path / "data") as base, serve_faults() as faults:
        sources: list[dict[str, Any]] = [
            {"name": f["name"], "kind": "feed",
             "options": {"url": f"{base}/{f['path']}", "community_from": "category"}}
            for f in manifest["feeds"]
        ]
        sources.append({"name": "broken", "kind": "feed",
                        "options": {"url": f"{faults}/status/500"}})
        config = {
            "warehouse": {"url": pg_url},
            "http": {"max_retries": 0, "timeout_s": 5},
            "brands": [{k: b[k] for k in ("name", "aliases", "query", "competitors")}
                       for b in manifest["brands"]],
            "sources": sources,
            "report": {"output_dir": str(tmp_path / "reports")},
        }
        path = tmp_path / "stimmung.yaml"
        path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
        monkeypatch.setenv("STIMMUNG_CONFIG", str(path))
        open_warehouse(load_config(path)).dispose()  # `stimmung db upgrade`, before the DAGs
        yield path, pg_url, sum(f["entries"] for f in manifest["feeds"])


def _dag(dag_id: str) -> Any:
    """The DAG as deployed, but retried without the production delay between tries."""
    from airflow.dag_processing.dagbag import DagBag

    dag = DagBag(dag_folder=str(DAGS / f"{dag_id}.py")).get_dag(dag_id)
    for task in dag.tasks:
        assert task.retries >= 2
        task.retry_delay = timedelta(0)
    return dag


def _states(dag_run: Any) -> dict[str, list[str]]:
    states: dict[str, list[str]] = {}
    for ti in dag_run.get_task_instances():
        states.setdefault(ti.task_id, []).append(str(ti.state))
    return states


def _counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    with engine.connect() as conn:
        counts = {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                  for t in metadata.sorted_tables if t.name not in ("run", "source_run")}
    engine.dispose()
    return counts


def _metrics(url: str) -> list[tuple[Any, ...]]:
    m = daily_brand_metrics.c
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(select(m.brand, m.day, m.volume, m.negative, m.neutral, m.positive,
                                   m.net_sentiment).order_by(m.brand, m.day)).all()
    engine.dispose()
    return [tuple(r) for r in rows]


def _computed_at(url: str) -> dict[tuple[str, date], Any]:
    m = daily_brand_metrics.c
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(select(m.brand, m.day, m.computed_at)).all()
    engine.dispose()
    return {(r.brand, r.day): r.computed_at for r in rows}


def _mention_days(url: str) -> list[date]:
    engine = make_engine(url)
    with engine.connect() as conn:
        days = sorted(set(conn.execute(select(mention.c.day)).scalars()))
    engine.dispose()
    return days


def _alert_ids(url: str) -> set[str]:
    engine = make_engine(url)
    with engine.connect() as conn:
        ids = set(conn.execute(select(alert.c.alert_id)).scalars())
    engine.dispose()
    return ids


def _try_numbers(dag_run: Any, task_id: str) -> list[int]:
    return [ti.try_number for ti in dag_run.get_task_instances() if ti.task_id == task_id
            and str(ti.state) == "failed"]


def test_collect_analyze_reputation_report(airflow_config: tuple[Path, str, int]) -> None:
    path, url, feed_posts = airflow_config
    collect = _dag("stimmung_collect").test(logical_date=datetime(2026, 11, 1, 0, tzinfo=UTC))
    states = _states(collect)
    assert states["collect_feed"].count("success") == 3
    assert states["collect_feed"].count("failed") == 1  # the broken source, on its own
    assert _try_numbers(collect, "collect_feed") == [3]  # retried twice, then failed
    assert states["announce"] == ["success"]  # new raw posts landed: the asset is emitted
    # ... and the run fails, after the good sources loaded, so DAG-level alerting sees it
    assert states["sources_ok"] == ["upstream_failed"]
    assert str(collect.state) == "failed"
    assert _counts(url)["raw_post"] == feed_posts

    analyze = _dag("stimmung_analyze").test()
    assert _states(analyze)["analyze"] == ["success"]
    assert _states(analyze)["early_alerts"] == ["success"]
    assert _counts(url)["mention"] > 1000
    # early alerts: the metrics of every day that received posts, and the spike's alert,
    # right after the analysis
    metrics = _metrics(url)
    mention_days = _mention_days(url)
    assert {row[1] for row in metrics} == set(
        mention_days[0] + timedelta(days=i)
        for i in range((mention_days[-1] - mention_days[0]).days + 1))
    assert "negative-spike:Kaffeekraft:2026-10-16" in _alert_ids(url)
    stamps = _computed_at(url)

    for day in (date(2026, 10, 15), date(2026, 10, 16), date(2026, 10, 17)):
        # Airflow 3: a daily run's logical date is the end of its interval (the next day)
        after = day + timedelta(days=1)
        run = _dag("stimmung_reputation").test(
            logical_date=datetime(after.year, after.month, after.day, tzinfo=UTC))
        assert _states(run)["metrics_and_alerts"] == ["success"]
    assert _metrics(url) == metrics  # the same figures: nothing new arrived
    after_runs = _computed_at(url)
    recomputed = {day for (b, day), at in after_runs.items() if at != stamps[(b, day)]}
    # each run also recomputes the LATE_DATA_DAYS before its day (late posts still count)
    first = date(2026, 10, 15) - timedelta(days=LATE_DATA_DAYS)
    assert recomputed == {first + timedelta(days=i) for i in range(LATE_DATA_DAYS + 3)}

    report = _dag("stimmung_report").test(logical_date=datetime(2026, 10, 12, tzinfo=UTC))
    assert _states(report)["render"] == ["success"]
    reports = sorted(p for p in (path.parent / "reports").glob("*.html")
                     if not p.name.endswith("-latest.html"))
    assert [p.name.split("-")[0] for p in reports] == ["kaffeekraft", "velora"]
    assert all(p.stat().st_size > 5000 for p in reports)


def test_backfill_twice_gives_identical_rows_and_metrics(
        airflow_config: tuple[Path, str, int]) -> None:
    _, url, feed_posts = airflow_config
    _dag("stimmung_collect").test(logical_date=datetime(2026, 11, 1, 1, tzinfo=UTC))
    _dag("stimmung_analyze").test()
    start = datetime(2026, 10, 20, tzinfo=UTC)
    logical_dates = [start + timedelta(days=i) for i in range(3)]
    for logical_date in logical_dates:
        _dag("stimmung_reputation").test(logical_date=logical_date)
    counts, metrics = _counts(url), _metrics(url)
    assert len({row[1] for row in metrics}) == 60  # every day (early alerts, then these)
    for logical_date in logical_dates:  # the same intervals again
        _dag("stimmung_reputation").test(logical_date=logical_date)
    _dag("stimmung_collect").test(logical_date=datetime(2026, 11, 1, 2, tzinfo=UTC))
    _dag("stimmung_analyze").test()
    assert _counts(url) == counts
    assert _metrics(url) == metrics
    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(raw_post)).scalar() == feed_posts
    engine.dispose()


def _dag_run_of(dag_id: str, run_after: datetime) -> Any:
    """A manual run without a logical date (the Airflow 3 UI's and REST API's default)."""
    return _dag(dag_id).test(logical_date=None, run_after=run_after)


def test_manual_runs_without_logical_date_use_the_runs_own_window(
        airflow_config: tuple[Path, str, int]) -> None:
    path, url, feed_posts = airflow_config
    collect = _dag_run_of("stimmung_collect", datetime(2026, 11, 1, 0, 30, tzinfo=UTC))
    assert _states(collect)["collect_feed"].count("success") == 3
    assert _counts(url)["raw_post"] == feed_posts
    assert str(_dag_run_of("stimmung_analyze", datetime(2026, 11, 1, 1, tzinfo=UTC)).state) \
        == "success"
    metrics = _metrics(url)

    # the last complete day before run_after: 2026-10-16 (the spike day) and 3 late days
    run = _dag_run_of("stimmung_reputation", datetime(2026, 10, 17, 9, 15, tzinfo=UTC))
    assert _states(run)["metrics_and_alerts"] == ["success"], _states(run)
    assert str(run.state) == "success"
    ti = next(t for t in run.get_task_instances() if t.task_id == "metrics_and_alerts")
    assert ti.xcom_pull(task_ids="metrics_and_alerts")["days"] == ["2026-10-16", "2026-10-16"]
    assert _metrics(url) == metrics

    # the last complete week before run_after (Airflow's @weekly starts on Sunday)
    report = _dag_run_of("stimmung_report", datetime(2026, 10, 21, 8, tzinfo=UTC))
    assert _states(report)["render"] == ["success"], _states(report)
    names = sorted(p.name for p in (path.parent / "reports").glob("*-2026*.html"))
    assert names == ["kaffeekraft-20261011-20261017.html", "velora-20261011-20261017.html"]


def test_task_failure_notifies_and_behind_schema_is_a_clear_error(
        tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch,
        webhook: Any) -> None:
    """A warehouse nobody upgraded: the task fails (no DDL from workers) with the message
    that says what to do, and the failure callback posts it to the configured channel."""
    config = {"warehouse": {"url": pg_url}, "brands": [{"name": "Kaffeekraft"}],
              "notifications": [{"name": "on-call", "url_env": "STIMMUNG_TEST_HOOK"}],
              "report": {"output_dir": str(tmp_path / "reports")}}
    path = tmp_path / "stimmung.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    monkeypatch.setenv("STIMMUNG_CONFIG", str(path))
    monkeypatch.setenv("STIMMUNG_TEST_HOOK", webhook.url)
    run = _dag("stimmung_reputation").test(logical_date=datetime(2026, 10, 17, tzinfo=UTC))
    assert _states(run)["metrics_and_alerts"] == ["failed"]
    assert str(run.state) == "failed"
    assert len(webhook.received) == 1  # once, after the last try (not per retry)
    sent = webhook.received[0]
    assert sent["title"] == "stimmung: stimmung_reputation.metrics_and_alerts failed"
    assert "WarehouseBehind" in sent["message"] and "stimmung db upgrade" in sent["message"]
    assert "try 3" in sent["message"]
    assert _table_names(pg_url) == []  # the task ran no DDL


def _table_names(url: str) -> list[str]:
    from sqlalchemy import inspect

    engine = make_engine(url)
    try:
        return list(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_every_task_has_an_execution_timeout_and_failure_callback() -> None:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAGS))
    assert len(bag.dags) == 4
    for dag_id, dag in bag.dags.items():
        for t in dag.tasks:
            assert t.execution_timeout is not None, (dag_id, t.task_id)
            assert t.execution_timeout <= timedelta(hours=2), (dag_id, t.task_id)
            assert t.on_failure_callback, (dag_id, t.task_id)
