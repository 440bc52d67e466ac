"""pipeline.stages.tasks without Airflow: config resolution, interval → days, failures."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from pipeline.stages import tasks
from pipeline.stages.base import open_warehouse
from pipeline.warehouse.db import WarehouseBehind
from tests.conftest import LocalWebhook


def _config(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "stimmung.yaml"
    path.write_text(yaml.safe_dump({
        "brands": [{"name": "Kaffeekraft"}],
        "warehouse": {"url": "sqlite:///from-file.db"},
        "http": {"max_retries": 0, "timeout_s": 2},
        "sources": [
            {"name": "dead", "kind": "feed", "options": {"url": url}},
            {"name": "off", "kind": "feed", "enabled": False, "options": {"url": url}},
        ],
    }), encoding="utf-8")
    return path


def test_config_path_from_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _config(tmp_path, "http://127.0.0.1:9/x.xml")
    monkeypatch.setenv("STIMMUNG_CONFIG", str(path))
    monkeypatch.delenv("STIMMUNG_WAREHOUSE_URL", raising=False)
    assert tasks.config_path() == path
    config = tasks.load()
    assert config.warehouse_url() == f"sqlite:///{tmp_path / 'from-file.db'}"
    assert tasks.sources_by_kind()["feed"] == ["dead"]


def test_interval_days() -> None:
    day = tasks.interval_days(datetime(2026, 11, 1, tzinfo=UTC),
                                      datetime(2026, 11, 2, tzinfo=UTC))
    assert day == (date(2026, 11, 1), date(2026, 11, 1))
    week = tasks.interval_days(datetime(2026, 11, 2, tzinfo=UTC),
                                       datetime(2026, 11, 9, tzinfo=UTC))
    assert week == (date(2026, 11, 2), date(2026, 11, 8))
    hour = tasks.interval_days(datetime(2026, 11, 1, 23, tzinfo=UTC),
                                       datetime(2026, 11, 2, tzinfo=UTC))
    assert hour == (date(2026, 11, 1), date(2026, 11, 1))


def test_collect_one_raises_on_failure(tmp_path: Path, sqlite_url: str,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STIMMUNG_CONFIG", str(_config(tmp_path, "http://127.0.0.1:9/x.xml")))
    monkeypatch.setenv("STIMMUNG_WAREHOUSE_URL", sqlite_url)
    start, end = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 1, 1, tzinfo=UTC)
    # tasks never migrate: until `stimmung db upgrade` ran, they fail with a clear message
    with pytest.raises(WarehouseBehind, match=r"none \(empty database\).*stimmung db upgrade"):
        tasks.collect_one("dead", start, end)
    open_warehouse(tasks.load()).dispose()
    with pytest.raises(tasks.SourceFailed, match="dead"):
        tasks.collect_one("dead", start, end)
    # a retry bypasses the source's own back-off and fails again (not skipped)
    with pytest.raises(tasks.SourceFailed):
        tasks.collect_one("dead", start, end, attempt=2)
    # the first attempt of the next run respects the back-off: skipped, not failed
    assert tasks.collect_one("dead", start, end)["status"] == "skipped"


def test_report_delivery_posts_attachment(tmp_path: Path, webhook: LocalWebhook) -> None:
    from pipeline.config import parse_config

    report = tmp_path / "kaffeekraft.html"
    report.write_text("<html>report</html>", encoding="utf-8")
    config = parse_config({"brands": [{"name": "K"}], "notifications": [
        {"name": "report_delivery", "url": webhook.url}]}, base_dir=tmp_path)
    assert tasks.deliver_reports(config, [str(report)], date(2026, 11, 2),
                                         date(2026, 11, 8))
    assert len(webhook.received) == 1 and "kaffeekraft.html" in json.dumps(webhook.received[0])
    no_channel = parse_config({"brands": [{"name": "K"}]}, base_dir=tmp_path)
    assert not tasks.deliver_reports(no_channel, [str(report)], date(2026, 11, 2),
                                             date(2026, 11, 8))


def test_config_from_a_variable_holding_yaml(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    text = _config(tmp_path, "http://127.0.0.1:9/x.xml").read_text(encoding="utf-8")
    monkeypatch.setattr(tasks, "_airflow_variable", lambda name: text)
    monkeypatch.chdir(tmp_path / "..")
    monkeypatch.delenv("STIMMUNG_WAREHOUSE_URL", raising=False)
    config = tasks.load()
    assert [s.name for s in config.sources] == ["dead", "off"]
    assert config.warehouse_url().endswith("from-file.db")
    monkeypatch.setattr(tasks, "_airflow_variable", lambda name: "a: [\nb")
    with pytest.raises(tasks.ConfigError, match="Airflow Variable stimmung_config"):
        tasks.load()


class _Run:
    def __init__(self, run_after: datetime) -> None:
        self.run_after = run_after
        self.dag_id, self.run_id = "stimmung_reputation", "manual__x"


def test_run_window_with_and_without_logical_date() -> None:
    from airflow.timetables.interval import CronDataIntervalTimetable

    start, end = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 2, tzinfo=UTC)
    given = {"data_interval_start": start, "data_interval_end": end}
    assert tasks.run_window(given, timedelta(days=1)) == (start, end)

    class Dag:
        timetable = CronDataIntervalTimetable("@daily", timezone="UTC")

    run_after = datetime(2026, 11, 5, 13, 30, tzinfo=UTC)
    manual = {"dag_run": _Run(run_after), "dag": Dag()}  # logical_date null: no interval
    assert tasks.run_window(manual, timedelta(days=1)) == (
        datetime(2026, 11, 4, tzinfo=UTC), datetime(2026, 11, 5, tzinfo=UTC))
    no_timetable = {"dag_run": _Run(run_after)}
    assert tasks.run_window(no_timetable, timedelta(hours=1)) == (
        run_after - timedelta(hours=1), run_after)


def test_failure_message_names_task_run_and_error() -> None:
    class TI:
        dag_id, task_id, run_id, map_index, try_number = (
            "stimmung_collect", "collect_feed", "scheduled__1", 2, 3)

    title, body = tasks.failure_message(
        {"ti": TI(), "exception": tasks.SourceFailed("source blog: HTTP 500")})
    assert title == "stimmung: stimmung_collect.collect_feed[2] failed"
    assert body == "run scheduled__1, try 3: SourceFailed: source blog: HTTP 500"
