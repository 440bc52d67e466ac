"""Reports where people read them: `report.output_dir` as an fsspec URL (tested on
fsspec's in-memory and local `file://` filesystems), links under `report.base_url`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import fsspec
import pytest
import yaml

from pipeline.config import Config, load_config
from pipeline.report.write import publish_report, write_report
from pipeline.reputation.report_links import is_url, report_link
from pipeline.stages import tasks
from pipeline.stages.base import open_warehouse
from pipeline.stages.run import run
from tests.conftest import LocalWebhook


@pytest.fixture
def loaded(tmp_path: Path) -> Iterator[tuple[Config, Any]]:
    rows = [{"id": str(i), "text": f"Kaffeekraft {'ist super' if i % 3 else 'ist kaputt'} #{i}",
             "created": f"2026-10-{1 + i % 20:02d}T10:00:00Z"} for i in range(40)]
    (tmp_path / "posts.jsonl").write_text("\n".join(json.dumps(r) for r in rows),
                                          encoding="utf-8")
    path = tmp_path / "stimmung.yaml"
    path.write_text(yaml.safe_dump({
        "warehouse": {"url": "sqlite:///w.db"}, "brands": [{"name": "Kaffeekraft"}],
        "sources": [{"name": "posts", "kind": "file", "options": {
            "path": "posts.jsonl", "mapping": {"created_at": "created"}}}],
    }), encoding="utf-8")
    config = load_config(path)
    engine = open_warehouse(config)
    run(engine, config)
    yield config, engine
    engine.dispose()


def _with_report(config: Config, **fields: Any) -> Config:
    return config.model_copy(update={"report": config.report.model_copy(update=fields)})


def test_report_uploaded_to_an_in_memory_filesystem(loaded: tuple[Config, Any]) -> None:
    config, engine = loaded
    target = "memory://stimmung-test/reports"
    cfg = _with_report(config, output_dir=target, base_url="https://intranet.example/r/")
    url = publish_report(engine, cfg, "Kaffeekraft", date(2026, 10, 1), date(2026, 10, 20))
    assert url == f"{target}/kaffeekraft-20261001-20261020.html"
    fs = fsspec.filesystem("memory")
    names = sorted(p.rsplit("/", 1)[-1] for p in fs.ls("/stimmung-test/reports", detail=False))
    assert names == ["kaffeekraft-20261001-20261020.html", "kaffeekraft-latest.html"]
    html = fs.cat_file(url.split("://", 1)[1]).decode("utf-8")
    assert "Kaffeekraft" in html and len(html) > 5000
    assert report_link(cfg, "kaffeekraft-latest.html") == \
        "https://intranet.example/r/kaffeekraft-latest.html"
    assert not (config.base_dir / "memory:").exists()  # nothing landed on local disk
    with pytest.raises(ValueError, match="publish_report"):
        write_report(engine, cfg, "Kaffeekraft", None, None, None)
    fs.rm("/stimmung-test", recursive=True)


def test_file_url_and_plain_folder(loaded: tuple[Config, Any], tmp_path: Path) -> None:
    config, engine = loaded
    cfg = _with_report(config, output_dir=(tmp_path / "published").as_uri())
    url = publish_report(engine, cfg, None, date(2026, 10, 1), date(2026, 10, 20))
    assert url.startswith("file://") and is_url(url)
    assert (tmp_path / "published" / "kaffeekraft-20261001-20261020.html").stat().st_size > 5000
    assert report_link(cfg, "x.html") == f"{(tmp_path / 'published').as_uri()}/x.html"
    local = publish_report(engine, config, None, date(2026, 10, 1), date(2026, 10, 20))
    assert local == str(config.base_dir / "reports" / "kaffeekraft-20261001-20261020.html")
    assert report_link(config, "x.html") == (config.base_dir / "reports" / "x.html").as_uri()


def test_report_notification_links_to_base_url(loaded: tuple[Config, Any],
                                               webhook: LocalWebhook) -> None:
    config, _ = loaded
    cfg = _with_report(config, output_dir="memory://x/reports",
                       base_url="https://intranet.example/r")
    cfg = cfg.model_copy(update={"notifications": [_channel(webhook.url)]})
    assert tasks.deliver_reports(
        cfg, ["memory://x/reports/kaffeekraft-20261001-20261020.html"],
        date(2026, 10, 1), date(2026, 10, 20))
    sent = webhook.received[0]
    assert sent["message"] == "https://intranet.example/r/kaffeekraft-20261001-20261020.html"
    assert not sent.get("attachments")  # a remote report is linked, not attached


def _channel(url: str) -> Any:
    from pipeline.config import NotificationConfig

    return NotificationConfig.model_validate({"name": "report_delivery", "url": url})
