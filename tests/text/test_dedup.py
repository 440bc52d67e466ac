"""Exact and near-duplicate detection."""

from __future__ import annotations

import random

import pytest

from pipeline.text.dedup import (
    MIN_WORDS,
    NEAR_DUP_DISTANCE,
    Deduplicator,
    NearDuplicateIndex,
    content_hash,
    hamming,
    near_dup_candidate,
    simhash64,
)

LONG = (
    "Ich trinke seit drei Jahren jeden Morgen den Espresso von Kaffee Kraft und war immer "
    "zufrieden, aber seit der neuen Rezeptur im Herbst schmeckt er bitter und irgendwie "
    "verbrannt. Der Kundenservice hat auf meine Mail nach zwei Wochen immer noch nicht "
    "geantwortet, und im Forum lesen sich viele Beiträge ganz ähnlich. Wenn sich das nicht "
    "bald ändert, wechsle ich zur Konkurrenz, so leid es mir tut, denn die Bohnen waren "
    "früher wirklich großartig und der Preis war fair."
)
# Different posts about the same brand (should NOT be near duplicates).
SAME_BRAND = [
    "Kaffee Kraft hat endlich wieder den Espresso im Angebot, ich habe gleich drei Packungen "
    "gekauft und bin begeistert, der Geschmack ist kräftig und überhaupt nicht bitter.",
    "Hat jemand Erfahrung mit dem Kundenservice von Kaffee Kraft? Meine Bestellung ist seit "
    "zwei Wochen unterwegs und niemand antwortet auf meine Mails oder Anrufe.",
    "Der neue Kaffee Kraft Laden in der Innenstadt ist schön eingerichtet, aber die Preise "
    "sind ziemlich hoch und die Schlange am Samstag war sehr lang.",
    LONG.replace("Espresso", "Filterkaffee").split(". ")[0] + ". Sonst alles gut.",
]


def test_content_hash_ignores_case_urls_mentions_whitespace() -> None:
    a = content_hash("Kaffee Kraft ist TOLL https://t.co/x1 @anna")
    assert a == content_hash("kaffee   kraft ist toll!  https://example.org/other @bernd")
    assert a == content_hash("Kaffee Kraft ist toll 😀 @clara")
    assert a == content_hash("RT @dora: Kaffee Kraft ist toll @anna")
    assert a != content_hash("Kaffee Kraft ist nicht toll")
    assert len(a) == 40


def test_simhash_is_signed_int64_and_deterministic() -> None:
    values = [simhash64(f"post number {i} about kaffee kraft and more words") for i in range(200)]
    assert all(-(2**63) <= v <= 2**63 - 1 for v in values)
    assert any(v < 0 for v in values)  # the top bit is used
    assert simhash64(LONG) == simhash64(LONG)
    assert simhash64("") == 0


def test_hamming() -> None:
    assert hamming(0, 0) == 0
    assert hamming(-1, 0) == 64
    assert hamming(-1, 2**64 - 1) == 0  # signed and unsigned views agree
    assert hamming(0b1011, 0b0001) == 2


@pytest.mark.parametrize(
    "variant",
    [
        LONG + " https://example.com/post/123",
        LONG + " 😡😡",
        "@kaffeekraft " + LONG,
        LONG.upper(),
        LONG.replace("Kundenservice", "Kundensevrice"),  # typo
        LONG.replace("zwei Wochen", "2 Wochen"),  # small edit
    ],
)
def test_small_edits_are_near_duplicates(variant: str) -> None:
    assert hamming(simhash64(LONG), simhash64(variant)) <= NEAR_DUP_DISTANCE


@pytest.mark.parametrize("other", SAME_BRAND)
def test_different_posts_about_same_brand_are_not(other: str) -> None:
    assert hamming(simhash64(LONG), simhash64(other)) > 3 * NEAR_DUP_DISTANCE


def test_different_posts_far_apart_pairwise() -> None:
    texts = [LONG, *SAME_BRAND]
    hashes = [simhash64(t) for t in texts]
    for i in range(len(hashes)):
        for j in range(i + 1, len(hashes)):
            assert hamming(hashes[i], hashes[j]) > NEAR_DUP_DISTANCE


def test_short_texts_only_exact() -> None:
    assert not near_dup_candidate("Kaffee Kraft ist super")  # 4 words
    assert near_dup_candidate("Kaffee Kraft ist echt super")
    d = Deduplicator()
    assert d.check("p1", "Kaffee Kraft ist super").duplicate_of is None
    assert d.check("p2", "kaffee kraft IST super!!").duplicate_of == "p1"
    assert d.check("p3", "Kaffee Kraft ist mies").duplicate_of is None
    assert MIN_WORDS == 5


def test_deduplicator_exact_and_near() -> None:
    d = Deduplicator()
    first = d.check("a", LONG)
    assert first.duplicate_of is None
    assert first.content_hash == content_hash(LONG)
    assert first.simhash == simhash64(LONG)
    exact = d.check("b", LONG + " https://x.y/z")
    assert (exact.duplicate_of, exact.exact) == ("a", True)
    near = d.check("c", LONG.replace("Kundenservice", "Kundensevrice"))
    assert (near.duplicate_of, near.exact) == ("a", False)
    assert d.check("d", SAME_BRAND[0]).duplicate_of is None

    seeded = Deduplicator()
    seeded.seed("old", content_hash(LONG), simhash64(LONG))
    assert seeded.check("new", LONG.replace("zwei Wochen", "2 Wochen")).duplicate_of == "old"
    assert seeded.check("again", LONG + "!").duplicate_of == "old"


def _flip(h: int, bits: list[int]) -> int:
    for b in bits:
        h ^= 1 << b
    return h


@pytest.mark.parametrize("bands", [4, NEAR_DUP_DISTANCE + 1])
def test_index_finds_planted_neighbour_among_10k(bands: int) -> None:
    rng = random.Random(42)
    index = NearDuplicateIndex(bands=bands)
    for i in range(10_000):
        index.add(i, rng.getrandbits(64) - 2**63)
    target = rng.getrandbits(64) - 2**63
    index.add("planted", target)
    assert len(index) == 10_001
    for distance in range(bands):
        for _ in range(20):
            probe = _flip(target, rng.sample(range(64), distance))
            assert index.find(probe) == "planted"
    # 12 random bits away is not found (random items are ~32 bits away)
    assert index.find(_flip(target, rng.sample(range(64), 12))) is None
    assert index.find(target, max_distance=0) == "planted"


def test_index_returns_closest_and_checks_distance() -> None:
    index = NearDuplicateIndex()
    index.add("far", _flip(0, [1, 2, 3]))
    index.add("close", _flip(0, [5]))
    assert index.find(0) == "close"
    assert index.find(0, max_distance=0) is None
    with pytest.raises(ValueError):
        index.find(0, max_distance=4)
    wide = NearDuplicateIndex(bands=8)
    wide.add("x", _flip(0, [0, 10, 20, 30, 40, 50, 60]))
    assert wide.find(0, max_distance=7) == "x"
    assert wide.find(0, max_distance=6) is None


def test_buckets_are_bounded_and_keep_the_newest() -> None:
    from pipeline.text.dedup import NearDuplicateIndex

    index = NearDuplicateIndex(bands=4, bucket_size=3)
    base = 0x0123_4567_89AB_CDEF
    for i in range(5):  # the same hash five times: the same bucket in every band
        index.add(f"k{i}", base)
    index.add("other", base ^ 1)  # differs in the first band only
    assert len(index) == 6
    assert all(len(bucket) <= 3 for table in index._tables for bucket in table.values())
    # ties go to the earliest still stored: k0 and k1 left their buckets
    assert index.find(base, 0) == "k2"
    assert index.find(base ^ 1, 0) == "other"


def test_batch_check_equals_one_by_one() -> None:
    from pipeline.text.dedup import Deduplicator

    texts = [
        "Die neue Kaffeekraft Maschine schäumt die Milch wirklich perfekt jeden Morgen",
        "RT @anna: Die neue Kaffeekraft Maschine schäumt die Milch wirklich perfekt jeden Morgen",
        "Die neue Kaffeekraft Maschine schäumt die Milch wirklich perfekt jeden Abend",
        "kurz", "", "completely different words about another topic entirely here",
    ]
    keys = [f"p{i}" for i in range(len(texts))]
    one = Deduplicator()
    single = [one.check(k, t) for k, t in zip(keys, texts, strict=True)]
    assert Deduplicator().check_many(keys, texts) == single
    assert single[1].duplicate_of == "p0" and single[1].exact


def test_exact_hashes_are_bounded() -> None:
    from pipeline.text.dedup import Deduplicator

    dedup = Deduplicator(max_exact=2)
    for i in range(3):
        dedup.check(f"p{i}", f"post {i}")
    assert len(dedup._exact) == 2
    assert dedup.check("again", "post 2").duplicate_of == "p2"
    assert dedup.check("old", "post 0").duplicate_of is None  # forgotten: oldest first


@pytest.mark.parametrize(("distance", "bucket_size"), [(6, 64), (6, 3), (9, 2)])
def test_dense_buckets_find_what_the_deques_find(distance: int, bucket_size: int) -> None:
    """Narrow bands keep their buckets as arrays; lookups equal the loop over deques
    (nearest within the distance, earliest added on ties, newest items per bucket)."""
    import random

    from pipeline.text.dedup import NearDuplicateIndex

    rng = random.Random(distance * 100 + bucket_size)
    dense = NearDuplicateIndex.for_distance(distance, bucket_size)
    loop = NearDuplicateIndex.for_distance(distance, bucket_size)
    assert dense._dense is not None
    loop._dense = None
    seen: list[int] = []
    for i in range(3000):
        if seen and rng.random() < 0.6:  # a near copy: a few bits flipped, or the same
            h = rng.choice(seen[-200:])
            for _ in range(rng.randint(0, distance + 2)):
                h ^= 1 << rng.randrange(64)
        else:
            h = rng.getrandbits(64)
        h = h - (1 << 64) if h >= 1 << 63 else h  # signed, as stored
        for d in range(distance + 1):
            assert dense.find(h, d) == loop.find(h, d)
        if rng.random() < 0.8:
            dense.add(f"k{i}", h)
            loop.add(f"k{i}", h)
            seen.append(h & ((1 << 64) - 1))
    assert dense.find(seen[-1], distance) is not None
