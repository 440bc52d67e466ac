"""The whole pipeline on the demo data, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from pipeline.demo.run import DemoResult, run_demo
from pipeline.warehouse.db import make_engine
from pipeline.warehouse.schema import alert, daily_brand_metrics, metadata, source_run

pytestmark = pytest.mark.slow


def table_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in metadata.sorted_tables if t.name not in ("run", "source_run")}


def metric_rows(engine: Engine) -> list[tuple[Any, ...]]:
    m = daily_brand_metrics.c
    with engine.connect() as conn:
        rows = conn.execute(select(m.brand, m.day, m.volume, m.negative, m.neutral, m.positive,
                                   m.net_sentiment, m.share_of_voice)
                            .order_by(m.brand, m.day)).all()
    return [(r[0], str(r[1]), *r[2:6],
             None if r[6] is None else round(r[6], 9),
             None if r[7] is None else round(r[7], 9)) for r in rows]


@pytest.fixture(scope="module")
def demo_runs(tmp_path_factory: pytest.TempPathFactory, module_pg_url: str
              ) -> dict[str, tuple[str, DemoResult, dict[str, int], DemoResult, dict[str, int]]]:
    """Run the demo twice on each backend; keep results and row counts after each run."""
    mp = pytest.MonkeyPatch()
    mp.setenv("STIMMUNG_PSEUDONYM_KEY", "demo-test-key-0123456789abcdef")
    out = {}
    try:
        for backend, url in (("sqlite", None), ("postgres", module_pg_url)):
            workdir = tmp_path_factory.mktemp(f"demo-{backend}")
            url = url or f"sqlite:///{workdir / 'stimmung.db'}"
            first = run_demo(workdir, warehouse_url=url)
            engine = make_engine(url)
            counts_first = table_counts(engine)
            second = run_demo(workdir, warehouse_url=url)
            counts_second = table_counts(engine)
            engine.dispose()
            out[backend] = (url, first, counts_first, second, counts_second)
    finally:
        mp.undo()
    return out


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_demo_loads_every_source_and_fires_the_spike(demo_runs: dict[str, Any],
                                                     backend: str) -> None:
    url, first, counts, _, _ = demo_runs[backend]
    outcomes = {o.source: o for o in first.run.collect.outcomes}
    assert all(o.status == "ok" for o in outcomes.values()), outcomes
    manifest = first.manifest.to_dict()
    assert counts["raw_post"] == manifest["total_posts"]
    assert counts["post"] == counts["raw_post"]
    # replies in forum threads rarely name the brand: count top-level posts only
    assert counts["mention"] > 0.8 * (counts["post"] - manifest["counts"]["replies"])
    assert counts["sentiment"] > 0
    spike = (manifest["spike_brand"], str(manifest["spike_day"]))
    fired = {(a["brand"], str(a["day"])) for a in first.alerts}
    assert spike in fired
    assert len(fired) <= 3, f"too many alerts on the demo: {sorted(fired)}"
    assert all(p.is_file() and p.stat().st_size > 5000 for p in first.reports)
    engine = make_engine(url)
    with engine.connect() as conn:
        days = conn.execute(select(func.count(func.distinct(daily_brand_metrics.c.day)))).scalar()
        stored = conn.execute(select(alert.c.alert_id, alert.c.details)).all()
    engine.dispose()
    assert days == 60
    assert all(row.details["top_posts"] for row in stored)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_second_run_leaves_identical_row_counts(demo_runs: dict[str, Any], backend: str) -> None:
    _, _, counts_first, second, counts_second = demo_runs[backend]
    assert counts_second == counts_first
    # feeds answer 304 and the file is unchanged: nothing new was fetched
    assert second.run.collect.items == 0
    assert second.run.analyze.posts == 0


def test_sqlite_and_postgres_give_the_same_daily_metrics(demo_runs: dict[str, Any]) -> None:
    sqlite_rows = metric_rows(make_engine(demo_runs["sqlite"][0]))
    pg_rows = metric_rows(make_engine(demo_runs["postgres"][0]))
    assert len(sqlite_rows) == 3 * 60
    assert sqlite_rows == pg_rows


def test_source_runs_are_recorded(demo_runs: dict[str, Any]) -> None:
    url = demo_runs["sqlite"][0]
    engine = make_engine(url)
    with engine.connect() as conn:
        statuses = conn.execute(select(source_run.c.status, func.count())
                                .group_by(source_run.c.status)).all()
    engine.dispose()
    assert dict(statuses) == {"ok": 8}  # 4 sources x 2 runs


def test_demo_report_path_is_printed(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from pipeline.cli import app

    result = CliRunner().invoke(app, ["demo", "--workdir", str(tmp_path / "demo")])
    assert result.exit_code == 0, result.output
    assert "ALERT" in result.output and "Kaffeekraft" in result.output
    report_lines = [line for line in result.output.splitlines() if line.startswith("report: ")]
    assert report_lines and all(Path(line[8:].strip()).is_file() for line in report_lines)


def test_demo_emerging_problem_is_detected(demo_runs: dict[str, Any]) -> None:
    from pipeline.nlp.problem_store import problem_trends

    url, first, *_ = demo_runs["sqlite"]
    info = first.manifest.to_dict()
    brand = info["emerging_problem"]["brand"]
    keyphrases = [k.lower() for ks in info["emerging_problem"]["keyphrases"].values() for k in ks]
    engine = make_engine(url)
    with engine.connect() as conn:
        trends = problem_trends(conn, brand, date.fromisoformat(str(info["end"])))
    engine.dispose()
    emerging = [t for t in trends if t["score"].emerging]
    assert emerging, [t["label"] for t in trends]
    assert any(k.split()[0] in t["label"].lower() for t in emerging[:2] for k in keyphrases)
