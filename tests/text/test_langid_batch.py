"""The batched automaton walk ranks languages exactly as py3langid's `rank` does."""

from __future__ import annotations

from pipeline.text import language
from pipeline.text.langid_batch import MAX_BATCH_BYTES, BatchRanker

TEXTS = [
    "Die App stürzt seit dem Update ständig ab", "The delivery was late again", "",
    "ok", "12345 !!!", "HELLO WORLD THIS IS LOUD", "C'est vraiment génial, merci",
    "هذا المنتج رائع جدا", "यह बहुत अच्छा है", "Questo è il migliore", "😀😀😀",
    "Kaffeekraft " * (MAX_BATCH_BYTES // 6), "lone surrogate \ud800 here", "a b c d e",
]


def _detector() -> language._Detector:
    return language._detector(language.DEFAULT_LANGUAGES,
                              tuple(sorted(language.PRIOR.items())))


def test_rank_many_equals_rank() -> None:
    ident = _detector().ident
    assert BatchRanker.supports(ident)
    ranker = BatchRanker(ident)
    assert ranker.rank_many(TEXTS) == [ident.rank(t) for t in TEXTS]
    assert ranker.rank_many(TEXTS[::-1]) == [ident.rank(t) for t in TEXTS[::-1]]
    assert ranker.rank_many([]) == []


def test_detect_many_equals_detect_one_by_one() -> None:
    det = _detector()
    det._cache.clear()
    batch = det.detect_many([*TEXTS, *TEXTS])  # repeats come from the cache
    det._cache.clear()
    assert batch == [det.detect(t) for t in [*TEXTS, *TEXTS]]
    assert batch[0] == "de" and batch[1] == "en" and batch[2] is None


def test_rank_heads_keep_the_top_and_the_prior_languages_in_rank_order() -> None:
    ident = _detector().ident
    ranker = BatchRanker(ident)
    heads = ranker.rank_heads(TEXTS, ["de", "en"])
    for text, head in zip(TEXTS, heads, strict=True):
        full = ident.rank(text)
        kept = [full[0], *[(lang, s) for lang, s in full[1:] if lang in ("de", "en")]]
        assert head == kept  # "" (no features: all scores equal) keeps column order
