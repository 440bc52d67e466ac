"""Models load when a post of the run needs them, and a run over one appended post stores
what a single run over the whole file stores."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from pipeline.config import Config, parse_config
from pipeline.nlp import sentiment as sentiment_registry
from pipeline.nlp.sentiment import multilingual
from pipeline.stages.base import open_warehouse
from pipeline.stages.run import run
from pipeline.warehouse.schema import mention, post, sentiment

# the n-gram model is sure of these (top probability 1.0): the cascade never encodes them
SURE = ["Kaffeekraft is great, I love it, best coffee ever!",
        "Kaffeekraft is terrible, worst service ever, I hate it",
        "I love Kaffeekraft, amazing and wonderful"]
# and unsure of this one (0.54): it goes to the encoder
UNSURE = "Kaffeekraft app crashed again after the update"


def _rows(texts: list[str]) -> list[dict[str, Any]]:
    return [{"id": f"p{i}", "text": t, "created_at": f"2026-10-05T{10 + i % 10:02d}:00:00Z",
             "author": f"a{i % 3}"} for i, t in enumerate(texts)]


def _config(tmp_path: Path, url: str, data: Path, profile: str) -> Config:
    return parse_config({
        "warehouse": {"url": url}, "analysis": {"profile": profile},
        "brands": [{"name": "Kaffeekraft"}],
        "sources": [{"name": "file", "kind": "file", "options": {"path": str(data)}}],
    }, base_dir=tmp_path)


def _write(path: Path, rows: list[dict[str, Any]], mode: str = "w") -> None:
    with path.open(mode, encoding="utf-8") as handle:
        handle.write("".join(json.dumps(r) + "\n" for r in rows))


@pytest.fixture
def fresh_backends(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """An empty backend registry, and a record of every encoder load."""
    loads: list[str] = []
    real = multilingual.load_encoder

    def counting(sentiment_dir: Path | None = None) -> Any:
        loads.append(str(sentiment_dir))
        return real(sentiment_dir)

    monkeypatch.setattr(sentiment_registry, "_cache", {})
    monkeypatch.setattr(multilingual, "load_encoder", counting)
    return loads


def test_accurate_run_without_unsure_posts_never_loads_the_encoder(
        tmp_path: Path, sqlite_url: str, fresh_backends: list[str]) -> None:
    data = tmp_path / "posts.jsonl"
    _write(data, _rows([*SURE, "A post about the weather, no brand in it"]))
    config = _config(tmp_path, sqlite_url, data, "accurate")
    engine = open_warehouse(config)
    result = run(engine, config)
    assert result.analyze.mentions == len(SURE) and result.analyze.scored == len(SURE)
    assert fresh_backends == []  # the encoder was never constructed
    # the stored identity is the one the loaded encoder gives (checked when it loads)
    backend = sentiment_registry.load_backend("stimmung-multilingual")
    assert isinstance(backend, multilingual.MultilingualSentiment)
    assert not backend.encoder_loaded
    with engine.connect() as conn:
        versions = set(conn.execute(select(sentiment.c.version)).scalars())
    assert versions == {backend.version}

    # one unsure post appended: now the encoder loads, once, and identity still holds
    _write(data, _rows([*SURE, "A post about the weather, no brand in it", UNSURE])[-1:], "a")
    again = run(engine, config)
    assert again.analyze.scored == 1
    assert len(fresh_backends) == 1 and backend.encoder_loaded
    assert backend.identity == multilingual.EncoderIdentity.of_encoder(backend.encoder)


def _stored(engine: Engine) -> dict[str, Any]:
    with engine.connect() as conn:
        posts = sorted(tuple(r) for r in conn.execute(select(
            post.c.post_id, post.c.text, post.c.lang, post.c.author_id, post.c.content_hash,
            post.c.simhash, post.c.duplicate_of, post.c.day)))
        mentions = sorted(tuple(r) for r in conn.execute(select(mention.c.post_id,
                                                                mention.c.brand)))
        scores = sorted((r.post_id, r.model, r.version, r.label, round(r.negative, 6),
                         round(r.neutral, 6), round(r.positive, 6))
                        for r in conn.execute(select(sentiment)))
    return {"posts": posts, "mentions": mentions, "scores": scores}


@pytest.mark.parametrize("profile", ["fast", "accurate"])
def test_appended_post_run_stores_what_one_run_stores(
        tmp_path: Path, warehouse_url: str, profile: str) -> None:
    texts = [*SURE, UNSURE, "Kaffeekraft is great, I love it, best coffee ever!!",
             "Kaffeekraft opens a new store in Berlin"]
    rows = _rows(texts)
    # one run over the whole file, in a SQLite warehouse of its own
    whole = tmp_path / "whole"
    whole.mkdir()
    _write(whole / "posts.jsonl", rows)
    one_config = _config(whole, f"sqlite:///{whole / 'one.db'}", whole / "posts.jsonl",
                         profile)
    one = open_warehouse(one_config)
    run(one, one_config)
    # the same file, its last post appended after a first run
    data = tmp_path / "posts.jsonl"
    _write(data, rows[:-1])
    config = _config(tmp_path, warehouse_url, data, profile)
    engine = open_warehouse(config)
    first = run(engine, config)
    _write(data, rows[-1:], "a")
    second = run(engine, config)
    assert first.analyze.posts == len(rows) - 1 and second.analyze.posts == 1
    assert _stored(engine) == _stored(one)


def test_one_batch_runs_in_process_and_loads_problems_only_for_their_posts(
        tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A run of one batch forks no enrich worker; the problem encoder loads when a batch
    first has posts for the problem stage; a run with nothing new sets nothing up."""
    from pipeline.nlp import problem_store
    from pipeline.stages import analyze as analyze_stage

    def no_worker(*_: Any, **__: Any) -> None:
        raise AssertionError("a one-batch run forked the enrich worker")

    sessions: list[str] = []
    real_session = problem_store.ProblemSession

    def counting_session(*args: Any, **kwargs: Any) -> Any:
        sessions.append("made")
        return real_session(*args, **kwargs)

    monkeypatch.setattr(analyze_stage.EnrichWorker, "__init__", no_worker)
    monkeypatch.setattr(analyze_stage, "ProblemSession", counting_session)
    data = tmp_path / "posts.jsonl"
    _write(data, _rows(["A post about the weather, no brand in it", "Another one"]))
    config = _config(tmp_path, sqlite_url, data, "fast")
    engine = open_warehouse(config)
    assert run(engine, config).analyze.posts == 2
    assert sessions == []  # no post mentioned a brand: no problem encoder
    _write(data, _rows(["x", "y", UNSURE])[-1:], "a")
    assert run(engine, config).analyze.mentions == 1
    assert sessions == ["made"]

    def no_backend(*_: Any, **__: Any) -> None:
        raise AssertionError("a run with nothing new loaded the sentiment backend")

    monkeypatch.setattr(analyze_stage, "load_backend", no_backend)
    monkeypatch.setattr(analyze_stage, "build_enricher", no_backend)
    assert analyze_stage.analyze(engine, config).posts == 0
