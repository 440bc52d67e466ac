from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.nlp.keyphrases import extract_keyphrases, lemmas


def test_german_keyphrases_use_lemmas_and_drop_stop_words() -> None:
    [kp] = extract_keyphrases(
        ["Die Häuser am Bahnhof sind laut, obwohl die Züge nicht fuhren."], ["de"], top_k=5)
    phrases = [p for p, _ in kp]
    words = {w for p in phrases for w in p.split()}
    assert "haus" in words and "zug" in words  # plural -> lemma
    assert "häuser" not in words
    assert not {"die", "am", "obwohl", "sind", "nicht"} & words
    assert kp[0][1] == 1.0 and all(0 < s <= 1 for _, s in kp)


def test_english_keyphrases_use_lemmas() -> None:
    [kp] = extract_keyphrases(["The batteries died and the charging cables went missing."],
                              ["en"], top_k=5)
    words = {w for p, _ in kp for w in p.split()}
    assert "battery" in words and "cable" in words
    assert "the" not in words


def test_lemmas_per_language_and_empty_text() -> None:
    assert lemmas(["Die Häuser sind alt", "", "went home"], ["de", "en", "en"])[0].startswith(
        "haus")
    assert extract_keyphrases(["", "und die der"], ["de", "de"]) == [[], []]
    assert lemmas(["went home"], ["en"]) == ["home"] or "go" not in lemmas(["x"], ["en"])[0]


def test_top_k_and_batch_order() -> None:
    texts = ["Das Mahlwerk ist laut", "The grinder is loud"] * 30
    out = extract_keyphrases(texts, ["de", "en"] * 30, top_k=2)
    assert len(out) == 60 and all(len(k) <= 2 for k in out)
    assert out[0][0][0] == "mahlwerk" and out[1][0][0] == "grinder"


def test_lemma_table_is_cached_with_the_lookup_files_entries(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import gzip
    import json

    from pipeline.nlp import keyphrases

    folder = keyphrases._package_dir("spacy_lookups_data")
    if folder is None:
        pytest.skip("spacy-lookups-data is not installed")  # an optional extra
    with gzip.open(folder / "data" / "en_lemma_lookup.json.gz", "rt", encoding="utf-8") as f:
        table = json.load(f)
    monkeypatch.setenv("STIMMUNG_CACHE_DIR", str(tmp_path))
    keyphrases._lemma_table.cache_clear()
    try:
        assert keyphrases._lemma_table("en") == table  # parsed, then cached
        cached = list(tmp_path.iterdir())
        assert [p.name.split("-")[:2] for p in cached] == [["lemmas", "en"]]
        keyphrases._lemma_table.cache_clear()
        assert keyphrases._lemma_table("en") == table  # read from the cache
        cached[0].write_bytes(b"damaged")
        keyphrases._lemma_table.cache_clear()
        assert keyphrases._lemma_table("en") == table  # parsed and written again
        assert keyphrases._lemma_table("xx") == {}
    finally:
        keyphrases._lemma_table.cache_clear()


def test_repeated_texts_of_a_batch_score_as_distinct_ones() -> None:
    """Re-shared texts are scored once per batch, yet each still counts in the batch's
    document frequencies: a trailing space (same tokens, another text) changes nothing."""
    texts = ["Die Kaffeemaschine tropft schon wieder", "The grinder is loud and the app crashes",
             "Kaffeemaschine entkalken dauert ewig"] * 8 + ["Neuer Akku hält kaum"] * 3
    langs = ["de", "en", "de"] * 8 + ["de"] * 3
    distinct = [t + " " * i for i, t in enumerate(texts)]
    got = extract_keyphrases(texts, langs)
    assert got == extract_keyphrases(distinct, langs)
    assert got[0] is not got[3]  # each post gets its own list
    assert len(texts) >= 20 and got[0] != extract_keyphrases(texts[:1], langs[:1])[0]
