"""Erasure and retention remove every copy of a post (alert quotes, problem examples,
author rows), re-aggregate the days it counted in, and mark older reports stale; and
metrics heal on the next run whatever stage stopped before aggregation."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from pipeline.config import load_config
from pipeline.stages.aggregate import aggregate
from pipeline.stages.alert import alert as run_alert_rules
from pipeline.stages.analyze import analyze
from pipeline.stages.base import open_warehouse
from pipeline.stages.collect import collect
from pipeline.stages.privacy import apply_retention, erase_author
from pipeline.stages.run import run
from pipeline.warehouse import state
from pipeline.warehouse.schema import (
    alert,
    author,
    daily_brand_metrics,
    post,
    problem,
    raw_post,
)


def _project(tmp_path: Path, corpus: Callable[[Path], int], url: str) -> Path:
    corpus(tmp_path / "posts.jsonl")
    config = tmp_path / "stimmung.yaml"
    config.write_text(f"""
warehouse: {{url: "{url}", batch_size: 100}}
brands: [{{name: Kaffeekraft, competitors: [Brühwerk]}}, {{name: Brühwerk}}]
sources: [{{name: export, kind: file, options: {{path: posts.jsonl}}}}]
alerts: {{notify_max_age_days: 0}}
report: {{output_dir: reports}}
analysis: {{profile: fast}}
""", encoding="utf-8")
    return config


def _everything(engine: Any) -> str:
    """Every stored value as one text, to search for quotes of erased posts."""
    chunks = []
    with engine.connect() as conn:
        for table in (alert, problem, post, raw_post):
            for row in conn.execute(select(table)).mappings():
                chunks.append(json.dumps(dict(row), default=str))
    return "\n".join(chunks)


@pytest.fixture
def ran(tmp_path: Path, spike_corpus: Callable[[Path], int], warehouse_url: str) -> Any:
    config = load_config(_project(tmp_path, spike_corpus, warehouse_url))
    engine = open_warehouse(config)
    run(engine, config)
    return config, engine


def test_erase_removes_alert_quotes_problem_examples_and_the_author(ran: Any) -> None:
    config, engine = ran
    with engine.connect() as conn:
        details = conn.execute(select(alert.c.details)).scalars().first()
        quoted = details["top_posts"][0]
        victim = conn.execute(select(raw_post.c.author, raw_post.c.post_id, raw_post.c.body)
                              .where(raw_post.c.post_id == quoted["post_id"])).one()
        pseudonym = conn.execute(select(post.c.author_id)
                                 .where(post.c.post_id == victim.post_id)).scalar_one()
        ids = set(conn.execute(select(raw_post.c.post_id)
                               .where(raw_post.c.author == victim.author)).scalars())
        texts = set(conn.execute(select(post.c.text)
                                 .where(post.c.post_id.in_(ids))).scalars())
    assert erase_author(engine, config, "export", victim.author) == len(ids)
    stored = _everything(engine)
    for post_id in ids:
        assert post_id not in stored
    for text in texts:
        assert json.dumps(text)[1:-1] not in stored
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(author)
                            .where(author.c.author_id == pseudonym)).scalar() == 0
        after = conn.execute(select(alert.c.details)).scalars().first()
        assert after["erased_posts"] >= 1
        dirty = state.dirty_days(conn, "aggregate").days
    assert dirty, "the days the erased posts counted in are re-aggregated"
    # the next run recomputes those days without the erased posts
    result = run(engine, config)
    assert result.metric_rows > 0
    with engine.connect() as conn:
        assert not state.dirty_days(conn, "aggregate").days


def test_retention_leaves_no_author_without_posts(ran: Any) -> None:
    _config, engine = ran
    deleted = apply_retention(engine, 10)
    assert deleted > 0
    with engine.connect() as conn:
        orphans = conn.execute(select(func.count()).select_from(author).where(
            ~author.c.author_id.in_(select(post.c.author_id).where(
                post.c.author_id.is_not(None))))).scalar()
        old_quotes = [p["post_id"] for d in conn.execute(select(alert.c.details)).scalars()
                      for p in (d or {}).get("top_posts", [])]
        kept = set(conn.execute(select(post.c.post_id)).scalars())
        examples = [e["post_id"] for ex in conn.execute(select(problem.c.examples)).scalars()
                    for e in ex or []]
    assert orphans == 0
    assert set(old_quotes) <= kept and set(examples) <= kept


def test_cli_marks_reports_written_before_as_stale(tmp_path: Path,
                                                   spike_corpus: Callable[[Path], int]) -> None:
    from pipeline.cli import app

    config = _project(tmp_path, spike_corpus, f"sqlite:///{tmp_path / 'w.db'}")
    cfg = load_config(config)
    engine = open_warehouse(cfg)
    run(engine, cfg)
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "kaffeekraft-latest.html").write_text("<html>old</html>", encoding="utf-8")
    with engine.connect() as conn:
        handle = conn.execute(select(raw_post.c.author)).scalars().first()
    result = CliRunner().invoke(app, ["erase", "--source", "export", "--author", str(handle),
                                      "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "may quote deleted posts" in result.output
    marker = (reports / "STALE.txt").read_text(encoding="utf-8")
    assert "kaffeekraft-latest.html" in marker and "erase --source export" in marker


def test_reports_on_object_storage_are_marked_stale_too() -> None:
    """`report.output_dir` as an fsspec URL (here fsspec's in-memory filesystem, which
    behaves like an object store: no append): the marker is written there as well."""
    import fsspec

    from pipeline.stages.stale_reports import MARKER, mark_stale

    fs = fsspec.filesystem("memory")
    fs.pipe_file("/stale-test/kaffeekraft-latest.html", b"<html>old</html>")
    fs.pipe_file("/stale-test/velora-20261001-20261028.pdf", b"%PDF")
    fs.pipe_file("/stale-test/notes.txt", b"not a report")
    assert mark_stale("memory://stale-test", "erase --source x") == [
        "kaffeekraft-latest.html", "velora-20261001-20261028.pdf"]
    assert mark_stale("memory://stale-test", "retention --days 30")
    marker = fs.cat_file(f"/stale-test/{MARKER}").decode()
    assert marker.startswith("# reports written before")
    assert marker.count("kaffeekraft-latest.html") == 2 and "notes.txt" not in marker
    assert "erase --source x" in marker and "retention --days 30" in marker
    assert mark_stale("memory://no-such-folder", "x") == []


def test_metrics_heal_after_analysis_without_aggregation(
        tmp_path: Path, spike_corpus: Callable[[Path], int], warehouse_url: str) -> None:
    """The reported loss: posts analysed by a run that died before aggregating never
    got metrics. Dirty days make the next run (with nothing new) compute them."""
    config = load_config(_project(tmp_path, spike_corpus, warehouse_url))
    engine = open_warehouse(config)
    collect(engine, config, state.start_run(engine, "run"))
    analyze(engine, config)  # ... and the process dies here
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(daily_brand_metrics)).scalar() == 0
    result = run(engine, config)
    assert result.analyze.posts == 0  # nothing new to analyse
    with engine.connect() as conn:
        days = conn.execute(select(func.count(func.distinct(daily_brand_metrics.c.day))))
        assert days.scalar() == 30
        assert conn.execute(select(func.count()).select_from(alert)).scalar() >= 1
        assert not state.dirty_days(conn, "alert").days


def test_a_day_marked_again_while_aggregating_stays_dirty(sqlite_url: str) -> None:
    from datetime import date

    from pipeline.warehouse.db import make_engine, migrate

    engine = make_engine(sqlite_url)
    migrate(engine)
    with engine.begin() as conn:
        state.mark_dirty(conn, [date(2026, 10, 1), date(2026, 10, 2), date(2026, 10, 5)])
    with engine.connect() as conn:
        todo = state.dirty_days(conn, "aggregate")
    assert todo.ranges() == [(date(2026, 10, 1), date(2026, 10, 2)),
                             (date(2026, 10, 5), date(2026, 10, 5))]
    with engine.begin() as conn:  # new posts for Oct 2 arrive while we aggregate
        state.mark_dirty(conn, [date(2026, 10, 2)])
        state.clear_dirty(conn, todo)
    with engine.connect() as conn:
        assert state.dirty_days(conn, "aggregate").days == (date(2026, 10, 2),)


def test_ranged_aggregate_and_alert_consume_their_dirty_days(
        tmp_path: Path, spike_corpus: Callable[[Path], int]) -> None:
    """Airflow aggregates by data interval, not through `run`: the days it computed are
    no longer dirty, the others still are."""
    config = load_config(_project(tmp_path, spike_corpus, f"sqlite:///{tmp_path / 'w.db'}"))
    engine = open_warehouse(config)
    collect(engine, config, state.start_run(engine, "run"))
    analyze(engine, config)
    with engine.connect() as conn:
        days = state.dirty_days(conn, "aggregate").days
    first, last = days[0], days[-1]
    aggregate(engine, config, first, days[9])
    with engine.connect() as conn:
        assert state.dirty_days(conn, "aggregate").days == days[10:]
        assert state.dirty_days(conn, "alert").days == days
    aggregate(engine, config, days[10], last)
    run_alert_rules(engine, config, first, last)
    with engine.connect() as conn:
        assert state.dirty_count(conn) == 0
