from __future__ import annotations

import time

import pytest

from pipeline.nlp.intent import INTENT_MODEL, INTENTS, classify_intents


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Weiß jemand, wie man den Mahlgrad feiner stellt", "de", "question"),
        ("Kennt sich jemand mit der App aus, ich finde die Einstellungen nicht.", "de", "question"),
        ("Anyone know how to reset the milk frother", "en", "question"),
        ("Wondering where I can order replacement gaskets.", "en", "question"),
        ("Die Maschine tropft seit gestern, total ärgerlich.", "de", "complaint"),
        ("Warum ist die Hotline eigentlich nie erreichbar?", "de", "complaint"),
        ("Is it too much to ask for a machine that just makes coffee?", "en", "complaint"),
        ("Oh great, the battery died again after two hours.", "en", "complaint"),
        ("Das Rad ist schön, aber der Akku ist nach 20 km leer.", "de", "complaint"),
        ("Es wäre cool, wenn die App eine Rezeptverwaltung hätte.", "de", "suggestion"),
        ("It would be great if you could dim the display.", "en", "suggestion"),
        ("Please add a dark mode.", "en", "suggestion"),
        ("Vielen Dank an das Team für die schnelle Reparatur!", "de", "praise"),
        ("Absolutely loving my new bike, highly recommend.", "en", "praise"),
        ("Ich habe mir gestern die Maschine gekauft.", "de", "other"),
        ("The store downtown has new opening hours from Monday.", "en", "other"),
    ],
)
def test_multilingual_intent_cases(text: str, lang: str, expected: str) -> None:
    assert classify_intents([text], [lang]) == [expected]


def test_unknown_language_uses_both_lexicons_and_labels_are_closed() -> None:
    out = classify_intents(["weiß jemand, wie das geht", "anyone know how this works", ""],
                           [None, "fr", None])
    assert out[:2] == ["question", "question"]
    assert set(out) <= set(INTENTS)
    assert INTENT_MODEL[0] == "stimmung-intent"


def test_length_mismatch_is_an_error() -> None:
    with pytest.raises(ValueError):
        classify_intents(["a", "b"], ["de"])


def test_fast_enough() -> None:
    texts = ["Die App stürzt ständig ab, bitte fixen!", "Would be great to have a timer."] * 1000
    t0 = time.perf_counter()
    classify_intents(texts, ["de", "en"] * 1000)
    assert 2000 / (time.perf_counter() - t0) > 1000
