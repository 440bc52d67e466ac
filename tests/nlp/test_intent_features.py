"""The intent head on the vectors the sentiment backend hands out (accurate profile)."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.nlp import intent_head
from pipeline.nlp.intent import INTENT_MODEL, INTENTS, classify_intents, rule_intents
from pipeline.nlp.intent_head import IntentHead, head_for, intent_identity, wants_features
from pipeline.nlp.sentiment import MULTILINGUAL_BACKEND, load_backend, models_dir
from pipeline.nlp.sentiment.base import FeatureBackend, TextFeatures

DIM = 4
KIND = "test-vectors"
TEXTS = ["Die Maschine tropft seit gestern.", "Please add a dark mode.",
         "Kaffeekraft hat heute ein neues Modell vorgestellt.", "Wann gibt es wieder Angebote?"]
LANGS = ["de", "en", "de", "de"]


def suggestion_head(kind: str = KIND) -> IntentHead:
    """A head that says `suggestion` when the vector's first component is set and copies
    the rules' label otherwise (so it disagrees with the rules exactly there)."""
    n = DIM + 2 * len(INTENTS)
    coef = np.zeros((len(INTENTS), n), dtype=np.float32)
    coef[:, -len(INTENTS):] = np.eye(len(INTENTS))  # the rules' label one-hot
    coef[INTENTS.index("suggestion"), 0] = 10.0
    return IntentHead(coef, np.zeros(len(INTENTS), dtype=np.float32), INTENTS,
                      {"embedding_dim": DIM, "feature_kind": kind, "version": "testhead"})


@pytest.fixture
def fake_head(monkeypatch: pytest.MonkeyPatch) -> IntentHead:
    head = suggestion_head()
    monkeypatch.setattr(intent_head, "load_head", lambda: head)
    return head


def features(encoded: list[bool], kind: str = KIND) -> TextFeatures:
    rows = np.zeros((len(encoded), DIM), dtype=np.float32)
    rows[np.array(encoded), 0] = 1.0
    return TextFeatures(kind, rows, np.array(encoded))


def test_head_decides_the_encoded_posts_and_the_rules_the_rest(fake_head: IntentHead) -> None:
    rules = rule_intents(TEXTS, LANGS)
    assert rules[0] == "complaint" and rules[2] == "other" and "suggestion" not in (
        rules[0], rules[2], rules[3])
    got = classify_intents(TEXTS, LANGS, features([True, False, True, False]))
    assert got == ["suggestion", rules[1], "suggestion", rules[3]]
    assert classify_intents(TEXTS, LANGS) == rules  # no features: the rules alone
    assert classify_intents(TEXTS, LANGS, features([False] * 4)) == rules


def test_vectors_of_another_kind_are_not_read(fake_head: IntentHead,
                                              caplog: pytest.LogCaptureFixture) -> None:
    assert classify_intents(TEXTS, LANGS, features([True] * 4, kind="other-encoder")) == \
        rule_intents(TEXTS, LANGS)
    assert "rules only" in caplog.text
    with pytest.raises(ValueError, match="one row"):
        classify_intents(TEXTS, LANGS, features([True] * 3))


class _Backend:
    name, version = "fake", "1"

    def __init__(self, kind: str | None) -> None:
        if kind is not None:
            self.feature_kind = kind


def test_intent_identity_names_the_mixed_system_only_when_the_head_reads_the_vectors(
        fake_head: IntentHead) -> None:
    assert intent_identity(_Backend(KIND)) == (INTENT_MODEL[0], f"{INTENT_MODEL[1]}+testhead")
    assert intent_identity(_Backend("other-encoder")) == INTENT_MODEL
    assert intent_identity(_Backend(None)) == INTENT_MODEL
    assert intent_identity(None) == INTENT_MODEL


def test_without_a_bundled_head_the_identity_is_the_rules(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(intent_head, "load_head", lambda: None)
    assert head_for(KIND) is None
    assert intent_identity(_Backend(KIND)) == INTENT_MODEL


def test_posts_the_rules_flag_are_wanted() -> None:
    assert wants_features(TEXTS, LANGS) == [r != "other" for r in rule_intents(TEXTS, LANGS)]


needs_model = pytest.mark.skipif(
    not (models_dir() / "stimmung_multilingual" / "weights.npz").is_file()
    or intent_head.read_head(models_dir() / "intent") is None,
    reason="the stimmung-multilingual artefact or the intent head is not built",
)


@needs_model
def test_backend_hands_out_the_vectors_of_what_it_encodes() -> None:
    backend = load_backend(MULTILINGUAL_BACKEND)
    assert isinstance(backend, FeatureBackend)
    texts = [*TEXTS, TEXTS[0]]
    langs = [*LANGS, LANGS[0]]
    plain = backend.predict(texts, langs)
    none_wanted, f0 = backend.predict_with_features(texts, langs, [False] * len(texts))
    assert [r.scores for r in none_wanted] == [r.scores for r in plain]  # same sentiment
    all_wanted, f1 = backend.predict_with_features(texts, langs, [True] * len(texts))
    assert [r.label for r in all_wanted] == [r.label for r in plain]
    assert f1.encoded.all() and f1.kind == backend.feature_kind
    assert np.allclose(np.linalg.norm(f1.rows, axis=1), 1.0, atol=1e-4)
    assert np.allclose(f1.rows[0], f1.rows[-1])  # duplicates: one vector
    # without `also`, exactly the texts the cascade encodes for sentiment have vectors
    thresholds, _ = backend._settings(langs, len(texts))  # type: ignore[attr-defined]
    unsure = backend.ngram.predict_proba(texts, langs).max(axis=1) < thresholds  # type: ignore[attr-defined]
    assert f0.encoded.tolist() == unsure.tolist()
    assert np.allclose(np.linalg.norm(f0.rows[~f0.encoded], axis=1), 0.0)
    assert np.allclose(f0.rows[f0.encoded], f1.rows[f0.encoded], atol=0.05)
    assert head_for(backend.feature_kind) is not None  # the bundled head reads them


@needs_model
def test_bundled_head_corrects_the_rules_on_the_backends_vectors() -> None:
    """Posts of intent_eval the rules get wrong and the bundled head gets right, each
    encoded alone by the accurate profile's backend (whether its cascade would encode them
    depends on the sentiment model's thresholds, so they are asked for)."""
    backend = load_backend(MULTILINGUAL_BACKEND)
    assert isinstance(backend, FeatureBackend)
    cases = [("Das Mahlwerk klingt wie eine Baustelle, hab ich so noch nie erlebt.", "de",
              "other", "complaint"),
             ("Fünf Sterne für die Verpackung, null Sterne für das Gerät darin.", "de",
              "other", "complaint"),
             ("Kaffeekraft will be exhibiting at the trade fair in Cologne next week.", "en",
              "praise", "other")]
    for text, lang, by_rules, gold in cases:
        assert rule_intents([text], [lang]) == [by_rules]
        _, feats = backend.predict_with_features([text], [lang], [True])
        assert feats.encoded.all()
        assert classify_intents([text], [lang], feats) == [gold], text
