"""pipeline.orchestration without Airflow: config resolution, interval → days, failures."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import yaml

from pipeline import orchestration


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
    assert orchestration.config_path() == path
    config = orchestration.load()
    assert config.warehouse_url() == f"sqlite:///{tmp_path / 'from-file.db'}"
    assert orchestration.sources_by_kind()["feed"] == ["dead"]


def test_interval_days() -> None:
    day = orchestration.interval_days(datetime(2026, 11, 1, tzinfo=UTC),
                                      datetime(2026, 11, 2, tzinfo=UTC))
    assert day == (date(2026, 11, 1), date(2026, 11, 1))
    week = orchestration.interval_days(datetime(2026, 11, 2, tzinfo=UTC),
                                       datetime(2026, 11, 9, tzinfo=UTC))
    assert week == (date(2026, 11, 2), date(2026, 11, 8))
    hour = orchestration.interval_days(datetime(2026, 11, 1, 23, tzinfo=UTC),
                                       datetime(2026, 11, 2, tzinfo=UTC))
    assert hour == (date(2026, 11, 1), date(2026, 11, 1))


def test_collect_one_raises_on_failure(tmp_path: Path, sqlite_url: str,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STIMMUNG_CONFIG", str(_config(tmp_path, "http://127.0.0.1:9/x.xml")))
    monkeypatch.setenv("STIMMUNG_WAREHOUSE_URL", sqlite_url)
    start, end = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 1, 1, tzinfo=UTC)
    with pytest.raises(orchestration.SourceFailed, match="dead"):
        orchestration.collect_one("dead", start, end)
    # a retry bypasses the source's own back-off and fails again (not skipped)
    with pytest.raises(orchestration.SourceFailed):
        orchestration.collect_one("dead", start, end, attempt=2)
    # the first attempt of the next run respects the back-off: skipped, not failed
    assert orchestration.collect_one("dead", start, end)["status"] == "skipped"


def test_report_delivery_posts_attachment(tmp_path: Path) -> None:
    import http.server
    import threading

    from pipeline.config import parse_config

    received: list[bytes] = []

    class Capture(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(200)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            return None

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Capture)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    report = tmp_path / "kaffeekraft.html"
    report.write_text("<html>report</html>", encoding="utf-8")
    config = parse_config({"brands": [{"name": "K"}], "notifications": [
        {"name": "report_delivery", "url": f"json://127.0.0.1:{server.server_address[1]}/"}]},
        base_dir=tmp_path)
    try:
        assert orchestration.deliver_reports(config, [str(report)], date(2026, 11, 2),
                                             date(2026, 11, 8))
    finally:
        server.shutdown()
        server.server_close()
    assert len(received) == 1 and b"kaffeekraft.html" in received[0]
    no_channel = parse_config({"brands": [{"name": "K"}]}, base_dir=tmp_path)
    assert not orchestration.deliver_reports(no_channel, [str(report)], date(2026, 11, 2),
                                             date(2026, 11, 8))
