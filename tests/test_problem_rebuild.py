"""Rebuilding problems from stored history: side by side, idempotent, on both backends."""

from __future__ import annotations

import json
import logging
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, update
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import Config
from pipeline.nlp.problem_labels import fits
from pipeline.nlp.problem_store import REBUILD_COMMAND, problem_trends, stale_problems_warning
from pipeline.nlp.problems import PROBLEM_MODEL
from pipeline.stages.problem_rebuild import rebuild_problems
from pipeline.stages.run import run
from pipeline.warehouse.schema import post_problem, problem, problem_merge
from tests.conftest import run_on_posts

OLD = "1.0.0-old"
GRINDER = [
    "Kaffeekraft grinder is extremely loud, terrible noise every morning",
    "My Kaffeekraft grinder makes a horrible loud noise, so annoying",
    "The grinder of the Kaffeekraft is way too loud, awful grinding noise",
    "Das Mahlwerk der Kaffeekraft ist extrem laut, furchtbares Geräusch jeden Morgen",
    "Kaffeekraft Mahlwerk viel zu laut, schreckliches Mahlgeräusch, nervt total",
    "Kaffeekraft grinder noise is unbearable, loud grinding wakes everyone up",
]
OTHER = [
    "Die Kaffeekraft Maschine ist großartig, ich liebe sie!",
    "Kaffeekraft hat heute ein neues Modell vorgestellt.",
    "Kaffeekraft support is the worst, nobody answers my emails about the broken pump",
]


def _setup(tmp_path: Path, url: str) -> tuple[Config, Engine]:
    config, engine = run_on_posts(tmp_path, url, [
        {"id": str(i), "text": t, "created_at": f"2026-10-0{1 + i % 3}T10:00:00Z"}
        for i, t in enumerate(GRINDER + OTHER)])
    return config, engine


def _age(engine: Engine) -> None:
    """Pretend history was analysed under an older problem model (other version, other
    ids, as the version is part of a problem's id)."""
    with engine.begin() as conn:
        for table in (problem, post_problem, problem_merge):
            conn.execute(update(table).values(version=OLD))
        conn.execute(update(problem).values(problem_id="old" + problem.c.problem_id))
        conn.execute(update(post_problem).where(post_problem.c.problem_id.is_not(None))
                     .values(problem_id="old" + post_problem.c.problem_id))


def _rows(engine: Engine, version: str) -> tuple[list[Any], list[Any]]:
    with engine.connect() as conn:
        probs = conn.execute(select(problem).where(problem.c.version == version)
                             .order_by(problem.c.problem_id)).all()
        posts = conn.execute(select(post_problem).where(post_problem.c.version == version)
                             .order_by(post_problem.c.post_id, post_problem.c.brand)).all()
    return list(probs), list(posts)


def test_rebuild_side_by_side_and_idempotent(tmp_path: Path, warehouse_url: str) -> None:
    config, engine = _setup(tmp_path, warehouse_url)
    current = PROBLEM_MODEL[1]
    first_probs, first_posts = _rows(engine, current)
    assert first_probs, "the fixture's grinder complaints should form a problem"
    _age(engine)
    with engine.connect() as conn:
        warning = stale_problems_warning(conn, "Kaffeekraft", version=current)
    assert warning is not None and REBUILD_COMMAND in warning and OLD in warning
    res = rebuild_problems(engine, config)
    assert res.version == current
    assert res.mentions == len(GRINDER + OTHER)
    assert res.new == res.clustered == len(first_posts) and res.created >= 1
    probs, posts = _rows(engine, current)
    # the same posts are clustered as by analyze
    assert [r.post_id for r in posts] == [r.post_id for r in first_posts]
    assert sum(1 for r in posts if r.problem_id) >= 3
    # small pages (several keyset pages, days across page ends) give the same problems
    with engine.begin() as conn:
        for table in (problem, post_problem, problem_merge):
            conn.execute(table.delete().where(table.c.version == current))
    assert rebuild_problems(engine, config, page=4).new == res.new
    paged = _rows(engine, current)
    assert [(r.post_id, r.problem_id) for r in paged[1]] == \
        [(r.post_id, r.problem_id) for r in posts]
    assert [(r.problem_id, r.size, r.label) for r in paged[0]] == \
        [(r.problem_id, r.size, r.label) for r in probs]
    probs, posts = paged
    old_probs, old_posts = _rows(engine, OLD)  # the older version's rows stay
    assert len(old_probs) == len(first_probs) and len(old_posts) == len(first_posts)
    with engine.connect() as conn:
        assert stale_problems_warning(conn, "Kaffeekraft", version=current) is None
    # labels and examples in the report's language: the label fits every example shown
    with engine.connect() as conn:
        for lang in ("de", "en"):
            for row in problem_trends(conn, "Kaffeekraft", date(2026, 10, 3), lang=lang):
                assert row["examples"], row
                assert all(fits(row["label"], t) for t in row["examples"]), row
    # a second run changes nothing
    again = rebuild_problems(engine, config)
    assert (again.new, again.created, again.merges) == (0, 0, 0)
    assert _rows(engine, current) == (probs, posts)
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(post_problem)).scalar()
    assert total == 2 * len(first_posts)


def test_rebuild_command_and_the_warning(tmp_path: Path, sqlite_url: str) -> None:
    _, engine = _setup(tmp_path, sqlite_url)
    _age(engine)
    cfg_file = tmp_path / "stimmung.yaml"
    cfg_file.write_text(f"warehouse: {{url: '{sqlite_url}'}}\nbrands: [{{name: Kaffeekraft}}]\n",
                        encoding="utf-8")
    runner = CliRunner()
    shown = runner.invoke(app, ["problems", "--config", str(cfg_file)])
    assert shown.exit_code == 0, shown.output
    assert REBUILD_COMMAND in shown.output  # the warning names the command
    first = runner.invoke(app, ["problems", "--rebuild", "--config", str(cfg_file)])
    assert first.exit_code == 0, first.output
    assert "problem(s) created" in first.output and REBUILD_COMMAND not in first.output
    assert "0 new under this version" not in first.output
    second = runner.invoke(app, ["problems", "--rebuild", "--config", str(cfg_file)])
    assert second.exit_code == 0 and "0 new under this version" in second.output


def test_rescore_rebuilds_problems_too(tmp_path: Path, sqlite_url: str) -> None:
    _, engine = _setup(tmp_path, sqlite_url)
    _age(engine)
    cfg_file = tmp_path / "stimmung.yaml"
    cfg_file.write_text(f"warehouse: {{url: '{sqlite_url}'}}\nbrands: [{{name: Kaffeekraft}}]\n",
                        encoding="utf-8")
    out = CliRunner().invoke(app, ["rescore", "--config", str(cfg_file)])
    assert out.exit_code == 0, out.output
    assert "problems " + PROBLEM_MODEL[1] in out.output
    assert _rows(engine, PROBLEM_MODEL[1])[0]


def test_analyze_warns_about_history_not_rebuilt(tmp_path: Path, sqlite_url: str,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    config, engine = _setup(tmp_path, sqlite_url)
    _age(engine)
    data = Path(config.sources[0].options["path"])
    data.write_text(data.read_text(encoding="utf-8") + json.dumps({
        "id": "new", "text": "Kaffeekraft grinder so loud again, terrible noise",
        "created_at": "2026-10-09T10:00:00Z"}) + "\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        run(engine, config)
    assert any(REBUILD_COMMAND in r.getMessage() for r in caplog.records)


def test_rescore_with_another_model_leaves_problems_alone(tmp_path: Path,
                                                          sqlite_url: str) -> None:
    """Problems follow the configured sentiment model: re-scoring with another one for a
    comparison does not rebuild them from that model's labels."""
    _, engine = _setup(tmp_path, sqlite_url)
    _age(engine)
    cfg_file = tmp_path / "stimmung.yaml"
    cfg_file.write_text(f"warehouse: {{url: '{sqlite_url}'}}\nbrands: [{{name: Kaffeekraft}}]\n"
                        "sentiment: {model: stimmung-multilingual}\n", encoding="utf-8")
    out = CliRunner().invoke(app, ["rescore", "--model", "stimmung-sentiment",
                                   "--config", str(cfg_file)])
    assert out.exit_code == 0, out.output
    assert "problems " + PROBLEM_MODEL[1] not in out.output
    assert _rows(engine, PROBLEM_MODEL[1]) == ([], [])
