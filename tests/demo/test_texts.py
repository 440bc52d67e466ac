"""The demo corpus's YAML texts: complete in both languages, only known slots, and the
posts draw every line from them."""

from __future__ import annotations

from string import Formatter

import pytest

from pipeline.demo.corpus import BRUEHWERK, KAFFEEKRAFT, VELORA, generate_corpus
from pipeline.demo.corpus.posts import _TOPIC_WEIGHTS
from pipeline.demo.corpus.tables import (
    AGENTS,
    BRANDS,
    CHANNELS,
    CHIEFS,
    COMPETITORS,
    DOMAIN_TEXTS,
    DOMAINS,
    FORUM,
    HANDLES,
    ID_PREFIX,
    LANGS,
    SURFACES,
    TEXTS_DIR,
    DomainTexts,
)
from pipeline.demo.corpus.threads import _REPLY_KINDS

POST_SLOTS = {"b", "c", "p", "n", "city", "e", "v", "price", "km"}
TITLE_SLOTS = POST_SLOTS | {"B", "tt"}
OFFICIAL_SLOTS = {"b", "agent", "id", "n", "city"}
REPLY_SLOTS = {"n", "city"}
KINDS = {"neg", "neu", "pos", "q", "sug"}


def _slots(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name is not None}


def _all_slots(texts: object) -> set[str]:
    if isinstance(texts, str):
        return _slots(texts)
    if isinstance(texts, dict):
        return set().union(*(_all_slots(v) for v in texts.values()))
    if isinstance(texts, list | tuple):
        return set().union(*(_all_slots(v) for v in texts))
    return set()


def test_every_file_is_read() -> None:
    files = {p.relative_to(TEXTS_DIR).as_posix() for p in TEXTS_DIR.rglob("*.yaml")}
    expected = {"brands.yaml", "community.yaml"} | {
        f"{folder}/{lang}.yaml" for folder in (*DOMAINS, "forum") for lang in LANGS}
    assert files == expected


def test_brands_and_channels_fit_together() -> None:
    assert list(BRANDS) == [KAFFEEKRAFT, BRUEHWERK, VELORA]
    assert set(SURFACES) == set(BRANDS)
    assert {b["domain"] for b in BRANDS.values()} <= set(DOMAINS)
    assert all(c in BRANDS for rivals in COMPETITORS.values() for c in rivals)
    assert set(ID_PREFIX) == set(CHANNELS)
    assert AGENTS and HANDLES["first"] and HANDLES["second"] and CHIEFS


@pytest.mark.parametrize("domain", DOMAINS)
def test_both_languages_have_the_same_topics_and_kinds(domain: str) -> None:
    de, en = DOMAIN_TEXTS[domain]["de"], DOMAIN_TEXTS[domain]["en"]
    assert {t for t, _ in _TOPIC_WEIGHTS[domain]} == set(de.topics) == set(en.topics)
    for topic in de.topics:
        assert set(de.topics[topic]) == set(en.topics[topic]) == KINDS, topic
        assert all(de.topics[topic].values()) and all(en.topics[topic].values()), topic
    assert set(de.chief_tips) == set(en.chief_tips) and "*" in de.chief_tips
    assert set(de.comparison) == set(en.comparison)
    assert de.news and en.news and de.id_kind and en.id_kind


def test_the_coffee_texts_carry_comparison_spike_and_emerging_problem() -> None:
    for lang in LANGS:
        coffee: DomainTexts = DOMAIN_TEXTS["coffee"][lang]
        assert set(coffee.comparison) == {"neg", "neu", "pos"}
        assert set(coffee.spike) == {"neg", "q"}
        assert set(coffee.emerging) == {"keyphrases", "neg", "q"}


def test_forum_texts_match_across_languages_and_cover_every_reply_kind() -> None:
    de, en = FORUM["de"], FORUM["en"]
    for name in ("frames", "title_frames", "topic_titles", "official", "chief_frame",
                 "replies", "tails"):
        assert set(getattr(de, name)) == set(getattr(en, name)), name
    kinds = {kind for options in _REPLY_KINDS.values() for kind, _ in options}
    assert kinds <= set(de.replies)
    sentiments = {s for lang in LANGS for rows in FORUM[lang].replies.values() for _, s in rows}
    assert sentiments <= {"negative", "neutral", "positive"}
    assert {s for lang in LANGS for _, s, _ in FORUM[lang].noise} <= sentiments


@pytest.mark.parametrize("lang", LANGS)
def test_templates_use_only_known_slots(lang: str) -> None:
    for domain in DOMAINS:
        texts = DOMAIN_TEXTS[domain][lang]
        assert _all_slots([texts.topics, texts.news, texts.comparison, texts.spike,
                           texts.emerging]) <= POST_SLOTS, domain
        assert _all_slots(texts.chief_tips) <= REPLY_SLOTS, domain
    forum = FORUM[lang]
    assert _all_slots([forum.frames, [t for t, _, _ in forum.noise]]) <= POST_SLOTS
    assert _all_slots(forum.title_frames) <= TITLE_SLOTS
    assert _all_slots(forum.official) <= OFFICIAL_SLOTS
    assert _all_slots([forum.chief_frame, forum.tails,
                       [t for rows in forum.replies.values() for t, _ in rows]]) <= REPLY_SLOTS


def test_posts_fill_every_slot() -> None:
    leftovers = [p.external_id for p in generate_corpus(days=20)
                 if _slots(p.title) or _slots(p.body)]
    assert leftovers == []
