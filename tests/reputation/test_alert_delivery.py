from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select

from pipeline.config import parse_config
from pipeline.reputation.alerts import evaluate_alerts, list_alerts, notify_pending
from pipeline.warehouse.db import make_engine, migrate
from pipeline.warehouse.load import upsert
from pipeline.warehouse.schema import alert, daily_brand_metrics

if TYPE_CHECKING:  # the fixture lives in tests/reputation/conftest.py
    from tests.conftest import LocalWebhook

NEGATIVES = [5, 6, 4, 5, 7, 5, 6, 4, 5, 6, 5, 5, 6, 4, 5, 6, 45, 8]
START = date(2026, 10, 1)


def _metrics(engine: Any) -> None:
    now = datetime.now(UTC)
    with engine.begin() as conn:
        upsert(conn, daily_brand_metrics, [{
            "brand": "Acme", "day": START + timedelta(days=i), "model": "m", "version": "1",
            "volume": n + 20, "negative": n, "neutral": 10, "positive": 10, "unscored": 0,
            "net_sentiment": 0.0, "share_of_voice": None, "computed_at": now,
        } for i, n in enumerate(NEGATIVES)])


def test_spike_is_stored_once_and_sent_to_the_webhook(
    tmp_path: Path, warehouse_url: str, webhook: LocalWebhook,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, received = webhook.url, webhook.received
    monkeypatch.setenv("ACME_HOOK", url)
    config = parse_config({"brands": [{"name": "Acme"}],
                           "notifications": [{"name": "hook", "url_env": "ACME_HOOK"}]},
                          base_dir=tmp_path)
    engine = make_engine(warehouse_url)
    migrate(engine)
    _metrics(engine)
    end = START + timedelta(days=len(NEGATIVES) - 1)
    with engine.begin() as conn:
        created = evaluate_alerts(conn, config, "m", "1", START, end)
    assert [a.day for a in created] == [START + timedelta(days=16)]
    with engine.begin() as conn:  # re-evaluating the same interval adds nothing
        evaluate_alerts(conn, config, "m", "1", START, end)
        assert len(list_alerts(conn)) == 1
    stats = notify_pending(engine, config)
    assert stats["sent"] == 1
    assert len(received) == 1
    assert "45 negative mentions" in received[0]["message"] and "Acme" in received[0]["title"]
    assert notify_pending(engine, config)["sent"] == 0  # delivered alerts are not resent
    assert len(received) == 1


def test_failed_delivery_is_recorded_and_retried(
    tmp_path: Path, sqlite_url: str, webhook: LocalWebhook,
    monkeypatch: pytest.MonkeyPatch, closed_port: int,
) -> None:
    url, received = webhook.url, webhook.received
    monkeypatch.setenv("ACME_HOOK", f"json://127.0.0.1:{closed_port}/hook")
    config = parse_config({"brands": [{"name": "Acme"}],
                           "notifications": [{"name": "hook", "url_env": "ACME_HOOK"}]},
                          base_dir=tmp_path)
    engine = make_engine(sqlite_url)
    migrate(engine)
    _metrics(engine)
    with engine.begin() as conn:
        evaluate_alerts(conn, config, "m", "1", START, START + timedelta(days=20))
    assert notify_pending(engine, config)["failed"] == 1
    with engine.connect() as conn:
        row = conn.execute(select(alert.c.notified_at, alert.c.delivery)).one()
    assert row.notified_at is None
    assert row.delivery["hook"] != "ok" and "127.0.0.1" not in json.dumps(row.delivery)
    monkeypatch.setenv("ACME_HOOK", url)  # the endpoint is back
    assert notify_pending(engine, config)["sent"] == 1
    assert len(received) == 1


def test_old_alerts_are_stored_but_not_pushed(tmp_path: Path, sqlite_url: str,
                                              webhook: LocalWebhook,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    url, received = webhook.url, webhook.received
    monkeypatch.setenv("ACME_HOOK", url)
    config = parse_config({"brands": [{"name": "Acme"}],
                           "alerts": {"notify_max_age_days": 0},
                           "notifications": [{"name": "hook", "url_env": "ACME_HOOK"}]},
                          base_dir=tmp_path)
    engine = make_engine(sqlite_url)
    migrate(engine)
    _metrics(engine)
    with engine.begin() as conn:
        evaluate_alerts(conn, config, "m", "1", START, START + timedelta(days=20))
    assert notify_pending(engine, config)["historical"] == 1
    assert received == []


def test_alert_lifecycle_through_the_cli(tmp_path: Path, sqlite_url: str) -> None:
    from typer.testing import CliRunner

    from pipeline.cli import app

    cfg = tmp_path / "stimmung.yaml"
    cfg.write_text(f"warehouse: {{url: '{sqlite_url}'}}\nbrands: [{{name: Acme}}]\n",
                   encoding="utf-8")
    engine = make_engine(sqlite_url)
    migrate(engine)
    _metrics(engine)
    config = parse_config({"brands": [{"name": "Acme"}]}, base_dir=tmp_path)
    with engine.begin() as conn:
        [created] = evaluate_alerts(conn, config, "m", "1", START, START + timedelta(days=20))
    runner = CliRunner()
    listed = runner.invoke(app, ["alerts", "--config", str(cfg)])
    assert listed.exit_code == 0 and "open" in listed.output
    ack = runner.invoke(app, ["alerts", "ack", created.alert_id, "--config", str(cfg)])
    assert ack.exit_code == 0 and "acknowledged" in ack.output
    with engine.connect() as conn:
        assert conn.execute(select(alert.c.status)).scalar() == "acknowledged"
    assert notify_pending(engine, config)["sent"] == 0  # only open alerts are sent
    done = runner.invoke(app, ["alerts", "resolve", created.alert_id, "--config", str(cfg)])
    assert done.exit_code == 0
    with engine.connect() as conn:
        assert conn.execute(select(alert.c.status)).scalar() == "resolved"
    missing = runner.invoke(app, ["alerts", "ack", "nope", "--config", str(cfg)])
    assert missing.exit_code == 1 and "no alert with id 'nope'" in missing.output
