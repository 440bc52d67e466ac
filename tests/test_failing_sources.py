"""A failing source is recorded with its error while the others load; the next run retries."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from pipeline.config import parse_config
from pipeline.demo.server import serve_directory, serve_faults
from pipeline.stages.base import open_warehouse
from pipeline.stages.run import run
from pipeline.warehouse.schema import raw_post
from pipeline.warehouse.state import all_health

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Test forum</title><link>http://x.test/</link>
<description>d</description>
{items}
</channel></rss>"""
ITEM = """<item><title>Post {i}</title><link>http://x.test/{i}</link><guid>{prefix}{i}</guid>
<pubDate>Tue, 06 Oct 2026 10:{i:02d}:00 GMT</pubDate>
<description>Kaffeekraft post number {i} with enough words to read</description></item>"""



def _feed(n: int, prefix: str = "g") -> str:
    return RSS.format(items="\n".join(ITEM.format(i=i, prefix=prefix) for i in range(n)))


def test_failures_are_recorded_and_retried(tmp_path: Path, warehouse_url: str,
                                           closed_port: int) -> None:
    root = tmp_path / "www"
    root.mkdir()
    (root / "good.xml").write_text(_feed(5), encoding="utf-8")
    with serve_directory(root) as base, serve_faults() as faults:
        raw = {
            "warehouse": {"url": warehouse_url},
            "http": {"max_retries": 1, "timeout_s": 2, "max_retry_wait_s": 0.2},
            "brands": [{"name": "Kaffeekraft"}],
            "sources": [
                {"name": "good", "kind": "feed", "options": {"url": f"{base}/good.xml"}},
                {"name": "late", "kind": "feed", "options": {"url": f"{base}/late.xml"}},
                {"name": "http500", "kind": "feed", "options": {"url": f"{faults}/status/500"}},
                {"name": "badxml", "kind": "feed", "options": {"url": f"{faults}/malformed.xml"}},
                {"name": "refused", "kind": "feed",
                 "options": {"url": f"http://127.0.0.1:{closed_port}/feed"}},
            ],
        }
        config = parse_config(raw, base_dir=tmp_path)
        engine = open_warehouse(config)
        first = run(engine, config)
        status = {o.source: o.status for o in first.collect.outcomes}
        assert status == {"good": "ok", "late": "failed", "http500": "failed",
                          "badxml": "failed", "refused": "failed"}
        errors = {o.source: o.error or "" for o in first.collect.outcomes}
        assert "HTTP 404" in errors["late"]
        assert "HTTP 500" in errors["http500"]
        assert "not a readable feed" in errors["badxml"]
        assert "connection failed" in errors["refused"]
        assert first.analyze.posts == 5  # what succeeded was kept and analysed

        with engine.connect() as conn:
            health = {h.source: h for h in all_health(conn)}
        assert health["late"].status == "failed" and health["late"].consecutive_failures == 1
        assert "HTTP 404" in (health["late"].last_error or "")

        # the missing feed appears: the next run retries the failed sources and loads it
        (root / "late.xml").write_text(_feed(3, prefix="late"), encoding="utf-8")
        second = run(engine, config)
        status = {o.source: o.status for o in second.collect.outcomes}
        assert status["late"] == "ok" and status["http500"] == "failed"
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(raw_post)).scalar() == 8
            health = {h.source: h for h in all_health(conn)}
        assert health["late"].consecutive_failures == 0 and health["late"].last_error is None
        assert health["http500"].consecutive_failures == 2
        assert health["http500"].retry_after is not None  # backing off from now on

        third = run(engine, config)
        status = {o.source: o.status for o in third.collect.outcomes}
        assert status["http500"] == "skipped"
        forced = run(engine, config, force=True)
        assert {o.source: o.status for o in forced.collect.outcomes}["http500"] == "failed"
        engine.dispose()
