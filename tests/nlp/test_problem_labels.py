"""Problem labels: a phrase in the report's language that fits every example shown."""

from __future__ import annotations

from datetime import date

import numpy as np

from pipeline.nlp.problem_labels import (
    POOL_PER_LANG,
    common_words,
    describe,
    example_pool,
    fits,
)
from pipeline.nlp.problems import Problem, ProblemModel, ProblemPost
from pipeline.nlp.vectors import load_text_encoder

D0 = date(2026, 10, 1)
GRINDER = [
    ("de", "Das Mahlwerk der Kaffeekraft ist extrem laut, jeden Morgen"),
    ("de", "Frust: Mahlwerk zu laut. Die Mühle rattert wie ein Presslufthammer"),
    ("de", "Mahlwerk zu laut bei der Barista Pro, das weckt alle"),
    ("de", "Warum ist das Mahlwerk so laut? Kaffeekraft bitte fixen"),
    ("de", "Mahlwerk laut, Mahlgeräusch nervt"),
    ("en", "Kaffeekraft grinder noise is terrible, loud grinding every morning"),
    ("en", "The grinder noise on my Barista Pro is unbearable"),
    ("en", "Grinder noise again: the grinder is extremely loud when grinding"),
    ("en", "So loud. Grinder noise wakes up the whole house"),
    ("en", "Rant: grinder noise, my grinder sounds like a drill"),
]


def _problem(pool: list[tuple[str, str]], sims: list[float] | None = None) -> Problem:
    examples = [{"post_id": f"p{i}", "similarity": (sims or [0.9 - 0.01 * i] * len(pool))[i],
                 "text": t, "lang": lg} for i, (lg, t) in enumerate(pool)]
    return Problem("pb_test", "Kaffeekraft", np.zeros(8, dtype=np.float32), len(pool),
                   {"mahlwerk": 4.0, "grinder noise": 3.0, "laut": 2.0, "grinder": 2.0},
                   example_pool(examples), D0, D0)


def test_label_is_in_the_report_language_and_fits_every_example_shown() -> None:
    prob = _problem(GRINDER)
    for lang in ("de", "en"):
        shown = describe(prob, lang)
        assert len(shown.examples) >= 2, shown
        assert {e["lang"] for e in shown.examples} == {lang}, shown
        for e in shown.examples:  # every word of the label occurs in every example
            assert fits(shown.label, e["text"]), (shown.label, e["text"])
        assert "kaffeekraft" not in shown.label.lower()  # never the brand itself
    assert "mahlwerk" in describe(prob, "de").label.lower()
    assert "grinder" in describe(prob, "en").label.lower()


def test_a_problem_without_members_in_the_language_uses_the_others() -> None:
    prob = _problem([x for x in GRINDER if x[0] == "en"])
    shown = describe(prob, "de")
    assert shown.examples and all(e["lang"] == "en" for e in shown.examples)
    assert all(fits(shown.label, e["text"]) for e in shown.examples)


def test_examples_are_the_members_closest_to_the_current_centroid() -> None:
    enc = load_text_encoder("hashed")
    english = [x for x in GRINDER if x[0] == "en"]
    # stored similarities say the last member is the most central; the centroid is that
    # of the first two texts
    prob = _problem(english, sims=[0.1, 0.2, 0.3, 0.4, 0.9])
    vecs = enc.encode([t for _, t in english[:2]], ["en", "en"])
    prob.centroid = (vecs.sum(axis=0) / np.linalg.norm(vecs.sum(axis=0))).astype(np.float32)
    pool_ids = {e["post_id"] for e in prob.examples}
    by_stored = describe(prob, "en").examples
    by_centroid = describe(prob, "en", enc).examples
    assert by_stored[0]["text"] != by_centroid[0]["text"]
    sims = {e["post_id"]: float(s) for e, s in zip(prob.examples, enc.encode(
        [e["text"].replace("Kaffeekraft", " ") for e in prob.examples],
        ["en"] * len(prob.examples)) @ prob.centroid, strict=True)}
    best_fitting = max((pid for pid in pool_ids
                        if fits(describe(prob, "en", enc).label,
                                next(e["text"] for e in prob.examples if e["post_id"] == pid))),
                       key=lambda pid: sims[pid])
    assert by_centroid[0]["post_id"] == best_fitting


def test_pool_keeps_candidates_per_language() -> None:
    examples = [{"post_id": f"{lg}{i}", "similarity": 0.9 - 0.01 * i, "text": "x", "lang": lg}
                for lg in ("de", "en") for i in range(10)]
    pool = example_pool(examples)
    assert sorted(e["post_id"] for e in pool) == sorted(
        [f"de{i}" for i in range(POOL_PER_LANG)] + [f"en{i}" for i in range(POOL_PER_LANG)])


def test_model_labels_in_both_languages_fit_their_examples() -> None:
    """End to end on the online model (bilingual encoder when its table is built)."""
    posts = [ProblemPost(f"g{i}", t, lg, D0) for i, (lg, t) in enumerate(GRINDER)]
    model = ProblemModel("Kaffeekraft")
    model.update(posts)
    assert model.active()
    common = common_words(model.active())
    for prob in model.active():
        langs = {e["lang"] for e in prob.examples}
        for lang in ("de", "en"):
            shown = describe(prob, lang, model.encoder, common=common)
            assert shown.examples
            if lang in langs:
                assert all(e["lang"] == lang for e in shown.examples)
            assert all(fits(shown.label, e["text"]) for e in shown.examples), shown


def test_an_english_label_leans_on_the_german_members_terms() -> None:
    """One English member among German ones: its label names what the German members
    complain about (put into English), not a place it happens to mention."""
    pool = [("de", "Zwei Wochen nach dem Kauf hat Kaffeekraft den Preis um 50 € gesenkt"),
            ("de", "Der Preis ist viel zu hoch für das Gebotene"),
            ("en", "Quick vent: I'm in Copenhagen and two weeks after I bought it Kaffeekraft "
                   "dropped the price by 50.")]
    prob = _problem(pool)
    prob.terms = {"preis": 6.0, "kauf": 1.0, "copenhagen": 1.2}
    table = {"preis": "prize price", "kauf": "purchase buy"}

    def translate(lemmas: str) -> str:
        return " ".join(table.get(w, w) for w in lemmas.split())

    plain = describe(prob, "en")
    leaned = describe(prob, "en", translate=translate)
    assert "price" in leaned.label.lower() and plain.label != leaned.label, (plain, leaned)
    assert all(fits(leaned.label, e["text"]) for e in leaned.examples)
    assert describe(prob, "de", translate=translate) == describe(prob, "de")  # German: as is


def test_stored_label_is_worked_out_again_only_when_the_pool_changes(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import pipeline.nlp.problems as problems_module

    calls: list[str] = []
    real = problems_module.describe

    def counting(problem, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(problem.problem_id)
        return real(problem, *args, **kwargs)

    monkeypatch.setattr(problems_module, "describe", counting)
    prob = _problem(GRINDER)
    first = prob.label
    prob.size += 1  # a new member that did not enter the example pool
    prob.terms["drill"] = 0.5
    assert prob.label == first and len(calls) == 1
    prob.examples = example_pool([*prob.examples[1:], {
        "post_id": "p99", "similarity": 0.99, "lang": "en",
        "text": "Loud grinder noise, the grinder rattles"}])
    prob.label  # noqa: B018 - the pool changed: worked out again
    assert len(calls) == 2
