"""Analyze and rescore give the intent head the vectors the sentiment backend computed:
in the accurate profile the head decides the posts with vectors and the labels carry the
mixed system's version; the fast profile stays on the rules."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine, select

from pipeline.config import Config, parse_config
from pipeline.nlp import intent_head
from pipeline.nlp.intent import INTENT_MODEL, INTENTS, rule_intents
from pipeline.nlp.intent_head import IntentHead, configured_intent_identity
from pipeline.nlp.sentiment.base import TextFeatures
from pipeline.records import SentimentResult
from pipeline.stages.analyze import analyze, rescore
from pipeline.stages.base import open_warehouse
from pipeline.stages.collect import collect
from pipeline.warehouse.schema import intent, post

DIM = 4
KIND = "fake-encoder lower layers"
POSTS = [
    ("1", "Kaffeekraft: die Maschine tropft seit gestern."),  # rules: complaint
    ("2", "Kaffeekraft hat heute ein neues Modell vorgestellt."),  # rules: other, confident
    ("3", "Kaffeekraft unsure news of the day"),  # rules: other, the cascade encodes it
    ("4", "Kaffeekraft unsure news of the day"),  # a cross-post of 3
]


class FakeBackend:
    """Sentiment `neutral`; encodes texts with "unsure" (its cascade) and those asked for."""

    name, version, feature_kind = "fake-sentiment", "1", KIND

    def __init__(self) -> None:
        self.asked: list[str] = []

    def predict(self, texts: Sequence[str],
                langs: Sequence[str | None] | None = None) -> list[SentimentResult]:
        return [SentimentResult("neutral", {"negative": 0.1, "neutral": 0.8, "positive": 0.1})
                for _ in texts]

    def predict_with_features(
        self, texts: Sequence[str], langs: Sequence[str | None] | None = None,
        also: Sequence[bool] | None = None,
    ) -> tuple[list[SentimentResult], TextFeatures]:
        flags = list(also) if also is not None else [False] * len(texts)
        self.asked += [t for t, f in zip(texts, flags, strict=True) if f]
        encoded = np.array([f or "unsure" in t for t, f in zip(texts, flags, strict=True)])
        rows = np.zeros((len(texts), DIM), dtype=np.float32)
        rows[encoded, 0] = 1.0
        return self.predict(texts, langs), TextFeatures(KIND, rows, encoded)


@pytest.fixture
def suggestion_head(monkeypatch: pytest.MonkeyPatch) -> IntentHead:
    """Says `suggestion` for every post with a vector (disagreeing with the rules)."""
    n = DIM + 2 * len(INTENTS)
    coef = np.zeros((len(INTENTS), n), dtype=np.float32)
    coef[:, -len(INTENTS):] = np.eye(len(INTENTS))
    coef[INTENTS.index("suggestion"), 0] = 10.0
    head = IntentHead(coef, np.zeros(len(INTENTS), dtype=np.float32), INTENTS,
                      {"embedding_dim": DIM, "feature_kind": KIND, "version": "fakehead"})
    monkeypatch.setattr(intent_head, "load_head", lambda: head)
    return head


def _setup(tmp_path: Path, url: str, profile: str,
           encode_for_intent: bool = True) -> tuple[Config, Engine]:
    data = tmp_path / "posts.jsonl"
    data.write_text("".join(json.dumps({"id": i, "text": t, "created_at": "2026-10-05T10:00:00Z"})
                            + "\n" for i, t in POSTS), encoding="utf-8")
    config = parse_config({
        "warehouse": {"url": url}, "brands": [{"name": "Kaffeekraft"}],
        "analysis": {"profile": profile, "encode_for_intent": encode_for_intent},
        "sources": [{"name": "file", "kind": "file", "options": {"path": str(data)}}],
    }, base_dir=tmp_path)
    engine = open_warehouse(config)
    collect(engine, config, "run-1")
    return config, engine


def _intents(engine: Engine, version: str | None = None) -> dict[str, tuple[str, str]]:
    """external id -> (version, label)"""
    q = select(post.c.external_id, intent.c.version, intent.c.label).join(
        post, post.c.post_id == intent.c.post_id)
    if version is not None:
        q = q.where(intent.c.version == version)
    with engine.connect() as conn:
        return {r.external_id: (r.version, r.label) for r in conn.execute(q)}


def test_the_head_decides_where_the_backend_encoded(tmp_path: Path, warehouse_url: str,
                                                     suggestion_head: IntentHead) -> None:
    texts = [t for _, t in POSTS]
    assert rule_intents(texts, ["de", "de", "en", "en"])[:3] == ["complaint", "other", "other"]
    config, engine = _setup(tmp_path, warehouse_url, "accurate")
    backend = FakeBackend()
    analyze(engine, config, backend=backend)
    mixed = f"{INTENT_MODEL[1]}+fakehead"
    got = _intents(engine)
    # 1: the rules flag it, so it is encoded for intent; 3: the cascade encoded it;
    # 2: neither, the rules decide; 4: a cross-post, no intent
    assert got == {
        "1": (mixed, "suggestion"), "2": (mixed, "other"), "3": (mixed, "suggestion")}
    assert backend.asked == [POSTS[0][1]]  # only the post the rules flagged was asked for


def test_without_encoding_for_intent_the_rules_decide_what_the_cascade_skipped(
        tmp_path: Path, warehouse_url: str, suggestion_head: IntentHead) -> None:
    config, engine = _setup(tmp_path, warehouse_url, "accurate", encode_for_intent=False)
    backend = FakeBackend()
    analyze(engine, config, backend=backend)
    mixed = f"{INTENT_MODEL[1]}+fakehead"
    # 1 is flagged by the rules but not encoded: the rules' complaint stays
    assert _intents(engine) == {
        "1": (mixed, "complaint"), "2": (mixed, "other"), "3": (mixed, "suggestion")}
    assert backend.asked == []


def test_rescore_writes_the_mixed_systems_intents_too(tmp_path: Path, warehouse_url: str,
                                                      suggestion_head: IntentHead,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    config, engine = _setup(tmp_path, warehouse_url, "fast")
    analyze(engine, config)  # the fast profile: rules, the rules' version
    assert {v for v, _ in _intents(engine).values()} == {INTENT_MODEL[1]}
    assert _intents(engine)["1"] == (INTENT_MODEL[1], "complaint")
    backend = FakeBackend()
    monkeypatch.setattr("pipeline.stages.analyze.load_backend", lambda name: backend)
    assert rescore(engine, config) == 4
    mixed = f"{INTENT_MODEL[1]}+fakehead"
    assert {k: lab for k, (_, lab) in _intents(engine, mixed).items()} == {
        "1": "suggestion", "2": "other", "3": "suggestion"}
    assert _intents(engine, INTENT_MODEL[1])["1"] == (INTENT_MODEL[1], "complaint")  # kept


def test_readers_use_the_configured_models_intent_version(tmp_path: Path,
                                                          suggestion_head: IntentHead,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    config = parse_config({"warehouse": {"url": f"sqlite:///{tmp_path}/w.db"},
                           "brands": [{"name": "Kaffeekraft"}]}, base_dir=tmp_path)
    monkeypatch.setattr("pipeline.nlp.sentiment.load_backend", lambda name: FakeBackend())
    assert configured_intent_identity(config) == (INTENT_MODEL[0], f"{INTENT_MODEL[1]}+fakehead")
    monkeypatch.setattr("pipeline.nlp.sentiment.load_backend", lambda name: object())
    assert configured_intent_identity(config) == INTENT_MODEL
