"""The enrich worker process gives what enriching and scoring in process gives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from pipeline.config import parse_config
from pipeline.nlp.sentiment import load_backend
from pipeline.records import post_key
from pipeline.stages.enrich import Enricher, build_enricher
from pipeline.stages.enrich_worker import (
    Balance,
    EnrichWorker,
    enrich_and_score,
    mentioned_posts,
    score_rest,
)

pytestmark = pytest.mark.skipif(not EnrichWorker.available(), reason="needs fork")

TEXTS = [
    "Kaffeekraft Barista Pro: the milk frother stopped working after the update!!",
    "Die Velora App stürzt seit dem Update ständig ab, echt ärgerlich.",
    "Just coffee talk with friends, nothing about any brand.",
    "KAFFEEKRAFT BARISTA PRO: THE MILK FROTHER STOPPED WORKING AFTER THE UPDATE!! https://t.co/x",
    "Velora delivery was late again and support never answers",
    "<p>Ich liebe meine <b>Kaffeekraft</b> Maschine, bester Kaffee!</p>",
]


def _raws(start: int, n: int) -> list[dict[str, Any]]:
    t0 = datetime(2026, 10, 1, 9, tzinfo=UTC)
    return [{"post_id": post_key("forum", str(i)), "source": "forum", "external_id": str(i),
             "url": None, "author": f"user{i % 3}", "community": "kaffee", "title": None,
             "body": TEXTS[i % len(TEXTS)], "created_at": t0 + timedelta(minutes=i),
             "parent_id": None, "engagement": {}} for i in range(start, start + n)]


def _enricher(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Enricher:
    monkeypatch.setenv("STIMMUNG_PSEUDONYM_KEY", "test-key-0123456789abcdef012345")
    config = parse_config({"brands": [{"name": "Kaffeekraft"}, {"name": "Velora"}]},
                          base_dir=tmp_path)
    return build_enricher(config)


def test_worker_batches_equal_in_process_ones(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    backend = load_backend("stimmung-sentiment")
    batches = [_raws(0, 7), _raws(7, 12), _raws(19, 5)]  # duplicates across batches
    here = _enricher(tmp_path, monkeypatch)
    want = [enrich_and_score(here, raws, backend.predict, 4) for raws in batches]
    with EnrichWorker(_enricher(tmp_path, monkeypatch), backend.predict, 4) as worker:
        got = []
        worker.submit(batches[0])
        for nxt in [*batches[1:], None]:
            got.append(worker.result())
            if nxt is not None:
                worker.submit(nxt)
        assert worker.in_flight == 0
    assert [g.posts for g in got] == [w.posts for w in want]
    assert [g.mentions for g in got] == [w.mentions for w in want]
    assert [g.scores for g in got] == [w.scores for w in want]
    assert any(p.duplicate_of for g in got[1:] for p in g.posts)  # memory across batches
    for g in got:
        assert g.scores is not None
        assert len(g.scores) == len(mentioned_posts(g.posts, g.mentions))


def test_a_share_scored_here_gives_the_same_scores(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    backend = load_backend("stimmung-sentiment")
    batches = [_raws(0, 7), _raws(7, 12), _raws(19, 5)]
    here = _enricher(tmp_path, monkeypatch)
    want = [enrich_and_score(here, raws, backend.predict, 4) for raws in batches]
    shares = [0.0, 0.5, 0.35]
    with EnrichWorker(_enricher(tmp_path, monkeypatch), backend.predict, 4) as worker:
        got = []
        for raws, share in zip(batches, shares, strict=True):
            worker.submit(raws, share)
            got.append(worker.result())
    for g, w, share in zip(got, want, shares, strict=True):
        assert g.scores is not None and w.scores is not None
        n = len(mentioned_posts(g.posts, g.mentions))
        assert len(g.scores) == min(n, -(-share * n // 1)) < n  # only the first share
        assert score_rest(g, backend.predict, 3) == w.scores  # the rest scored here


def test_balance_moves_the_share_to_the_idle_process() -> None:
    balance = Balance(share=1.0, step=0.25)
    assert balance.update(worker_was_ready=True) == 1.0  # capped
    assert [balance.update(False) for _ in range(5)] == [0.75, 0.5, 0.25, 0.0, 0.0]
    assert balance.update(True) == 0.25


def test_without_a_scorer_only_enriches(tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    with EnrichWorker(_enricher(tmp_path, monkeypatch)) as worker:
        worker.submit(_raws(0, 6))
        result = worker.result()
    assert result.scores is None and len(result.posts) == 6 and result.mentions


def _failing(texts: list[str], langs: list[str | None]) -> list[Any]:
    raise ValueError("model exploded")


def test_a_failure_in_the_worker_is_raised_here(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    with EnrichWorker(_enricher(tmp_path, monkeypatch), _failing) as worker:
        worker.submit(_raws(0, 6))
        with pytest.raises(RuntimeError, match="model exploded"):
            worker.result()


def _analysed(tmp_path: Path, worker: bool) -> dict[str, list[tuple[Any, ...]]]:
    """The fast profile over 60 posts in batches of 8, with or without the worker."""
    import json

    from sqlalchemy import select

    from pipeline.stages.analyze import analyze
    from pipeline.stages.base import open_warehouse
    from pipeline.stages.collect import collect
    from pipeline.warehouse.schema import intent, mention, post, sentiment

    data = tmp_path / "posts.jsonl"
    t0 = datetime(2026, 10, 1, 9, tzinfo=UTC)
    data.write_text("".join(json.dumps({
        "id": i, "text": TEXTS[i % len(TEXTS)] + ("" if i % 4 else f" #{i}"),
        "author": f"user{i % 5}", "created_at": (t0 + timedelta(minutes=i)).isoformat()})
        + "\n" for i in range(60)), encoding="utf-8")
    config = parse_config({
        "warehouse": {"url": f"sqlite:///{tmp_path}/w.db", "batch_size": 8},
        "brands": [{"name": "Kaffeekraft"}, {"name": "Velora"}],
        "analysis": {"profile": "fast", "enrich_worker": worker},
        "sources": [{"name": "file", "kind": "file", "options": {"path": str(data)}}],
    }, base_dir=tmp_path)
    engine = open_warehouse(config)
    collect(engine, config, "run-1")
    result = analyze(engine, config)
    assert result.posts == 60 and result.duplicates > 0
    with engine.connect() as conn:
        return {
            "post": [tuple(r) for r in conn.execute(select(
                post.c.post_id, post.c.lang, post.c.text, post.c.duplicate_of,
                post.c.author_id).order_by(post.c.post_id))],
            "mention": [tuple(r) for r in conn.execute(select(
                mention.c.post_id, mention.c.brand).order_by(mention.c.post_id,
                                                             mention.c.brand))],
            "sentiment": [tuple(r) for r in conn.execute(select(
                sentiment.c.post_id, sentiment.c.label, sentiment.c.negative)
                .order_by(sentiment.c.post_id))],
            "intent": [tuple(r) for r in conn.execute(select(
                intent.c.post_id, intent.c.label).order_by(intent.c.post_id))],
        }


def test_analyze_with_the_worker_writes_what_it_writes_without(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STIMMUNG_PSEUDONYM_KEY", "test-key-0123456789abcdef012345")
    calls: list[int] = []
    original = EnrichWorker.result

    def counted(self: EnrichWorker) -> Any:
        calls.append(1)
        return original(self)

    monkeypatch.setattr(EnrichWorker, "result", counted)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with_worker = _analysed(tmp_path / "a", True)
    assert len(calls) == 8  # 60 posts in batches of 8, each enriched by the worker
    without = _analysed(tmp_path / "b", False)
    assert len(calls) == 8
    assert with_worker == without
    assert with_worker["mention"] and with_worker["sentiment"] and with_worker["intent"]


def test_analyze_with_scoring_shared_writes_the_same(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever share of each batch the worker scores, the rows are the same."""
    monkeypatch.setenv("STIMMUNG_PSEUDONYM_KEY", "test-key-0123456789abcdef012345")
    shares = iter([0.0, 0.5, 0.2, 1.0, 0.0, 0.7, 0.1])
    submitted: list[float] = []
    original = EnrichWorker.submit

    def submit(self: EnrichWorker, raws: Any, share: float = 1.0) -> None:
        submitted.append(share)
        original(self, raws, share)

    monkeypatch.setattr(Balance, "update", lambda self, ready: next(shares))
    monkeypatch.setattr(EnrichWorker, "submit", submit)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    shared = _analysed(tmp_path / "a", True)
    assert submitted == [1.0, 0.0, 0.5, 0.2, 1.0, 0.0, 0.7, 0.1]
    assert shared == _analysed(tmp_path / "b", False)


def test_analyze_unfreezes_the_heap_and_leaves_a_callers_freeze(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """analyze keeps long-lived objects out of the collector while it runs, and only
    then: afterwards nothing is frozen; a caller's own freeze is left as it was."""
    import gc

    from pipeline.stages.analyze import _long_lived_frozen

    monkeypatch.setenv("STIMMUNG_PSEUDONYM_KEY", "test-key-0123456789abcdef012345")
    assert gc.get_freeze_count() == 0
    with _long_lived_frozen() as freeze:
        frozen = gc.get_freeze_count()
        assert frozen > 0
        late = [object() for _ in range(10)]  # noqa: F841 - tracked objects made later
        freeze()
        assert gc.get_freeze_count() >= frozen
    assert gc.get_freeze_count() == 0
    (tmp_path / "a").mkdir()
    _analysed(tmp_path / "a", True)
    assert gc.get_freeze_count() == 0
    gc.freeze()
    try:
        mine = gc.get_freeze_count()
        with _long_lived_frozen():
            pass
        assert gc.get_freeze_count() == mine
    finally:
        gc.unfreeze()
