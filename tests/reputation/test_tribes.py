"""Tribes and chiefs: communities and opinion leaders, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from pipeline.reputation.tribes import community_score, rank_authors, rank_communities
from pipeline.warehouse.db import make_engine, migrate
from pipeline.warehouse.load import upsert
from pipeline.warehouse.schema import (
    mention,
    official_account,
    post,
    sentiment,
    sentiment_override,
)

D0 = date(2026, 10, 1)
END = D0 + timedelta(days=6)  # a 7-day period; the previous one is D0-7 .. D0-1
OFF = "a_official"


class _Data:
    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []
        self.mentions: list[tuple[str, str]] = []
        self.labels: dict[str, str] = {}

    def add(self, pid: str, author: str | None, day: date, *, community: str | None = "espresso",
            source: str = "reddit", parent: str | None = None, brand: str | None = "Acme",
            engagement: dict[str, Any] | None = None, dup: str | None = None,
            label: str | None = None) -> None:
        at = datetime.combine(day, time(12), tzinfo=UTC)
        self.posts.append({
            "post_id": pid, "source": source, "external_id": pid, "url": None,
            "author_id": author, "community": community, "title": None, "text": pid,
            "lang": "en", "created_at": at, "day": day, "engagement": engagement or {},
            "parent_post_id": parent, "content_hash": pid, "simhash": 0, "duplicate_of": dup,
            "processed_at": at})
        if brand:
            self.mentions.append((pid, brand))
        if label:
            self.labels[pid] = label

    def load(self, engine: Engine) -> None:
        day = {p["post_id"]: p["day"] for p in self.posts}
        with engine.begin() as conn:
            upsert(conn, post, self.posts)
            upsert(conn, mention, [{"post_id": pid, "brand": b, "day": day[pid], "matched": []}
                                   for pid, b in self.mentions])
            upsert(conn, sentiment, [{"post_id": pid, "model": "m", "version": "1", "label": lab,
                                      "negative": 0.3, "neutral": 0.3, "positive": 0.4,
                                      "scored_at": datetime(2026, 10, 9, tzinfo=UTC)}
                                     for pid, lab in self.labels.items()])


def _espresso() -> _Data:
    """X gets the most replies, Y the most likes, Z posts on the most days, V is at home in tea."""
    d = _Data()
    d.add("x1", "a_X", D0, engagement={"score": 1}, label="positive")
    d.add("xs1", "a_X", D0, parent="x1", brand=None)  # self-replies: no edges
    d.add("xs2", "a_X", D0, parent="xs1", brand=None)
    d.add("y1", "a_Y", D0, engagement={"score": 100, "comments": 2}, label="positive")
    for who in ("A", "B", "C", "D"):  # replies without the brand name still count
        d.add(f"r{who}", f"a_{who}", D0, parent="x1", brand=None)
    d.add("rAy", "a_A", D0, parent="y1", brand=None)
    d.add("z1", "a_Z", D0, parent="x1", label="neutral")
    d.add("z2", "a_Z", D0 + timedelta(days=2), engagement={"score": 3}, label="positive")
    d.add("z3", "a_Z", D0 + timedelta(days=4))  # not scored
    # replies to Z that must not count: the brand's official account, duplicates, and
    # replies before the period
    for i in range(3):
        d.add(f"off{i}", OFF, D0 + timedelta(days=2), parent="z2")
        d.add(f"dup{i}", f"a_W{i}", D0 + timedelta(days=2), parent="z2", dup="y1")
    # the most replied-to post is the official account's: it stays out of the graph
    d.add("offroot", OFF, D0, brand=None)
    for i in range(6):
        d.add(f"ro{i}", f"a_R{i}", D0, parent="offroot", brand=None)
    d.add("zp", "a_Z", D0 - timedelta(days=3), brand=None)
    for who in ("A", "B", "C"):
        d.add(f"p{who}", f"a_{who}", D0 - timedelta(days=2), parent="zp", brand=None)
    # V mentions the brand once here and twice in tea
    d.add("v1", "a_V", D0 + timedelta(days=1))
    d.add("v2", "a_V", D0 + timedelta(days=1), community="tea", engagement={"likes": 5})
    d.add("v3", "a_V", D0 + timedelta(days=1), community="tea")
    # the previous period of espresso: 2 mentions
    d.add("e1", "a_E", D0 - timedelta(days=3))
    d.add("e2", "a_E", D0 - timedelta(days=5))
    # another brand in the same community, and a post outside the brand's communities
    d.add("o1", "a_X", D0, brand="Other", community="elsewhere")
    d.add("far", "a_Y", D0, brand=None, community="elsewhere", engagement={"score": 1000})
    return d


@pytest.fixture
def engine(warehouse_url: str) -> Engine:
    engine = make_engine(warehouse_url)
    migrate(engine)
    with engine.begin() as conn:
        upsert(conn, official_account, [{"brand": "Acme", "source": "reddit", "author_id": OFF,
                                         "updated_at": datetime(2026, 10, 9, tzinfo=UTC)}])
    return engine


def test_rank_communities_volume_first_with_a_growth_bonus(engine: Engine) -> None:
    d = _espresso()
    for i in range(7):  # coffee: steady 7 mentions, more than espresso's 6
        d.add(f"g{i}", "a_G", D0 + timedelta(days=i), community="coffee")
        d.add(f"gp{i}", "a_G", D0 - timedelta(days=i + 1), community="coffee")
    d.add("gdup", "a_H", D0, community="coffee", dup="g0")
    d.add("ghost", "a_G", D0 - timedelta(days=8), community="old")  # before both periods
    d.add("nocomm", None, D0, community=None, source="feed")
    d.load(engine)
    with engine.begin() as conn:  # a human label wins
        upsert(conn, sentiment_override, [{"post_id": "y1", "label": "negative", "note": None,
                                           "created_at": datetime(2026, 10, 9, tzinfo=UTC)}])
    with engine.connect() as conn:
        ranked = rank_communities(conn, "Acme", D0, END, "m", "1")
        top2 = rank_communities(conn, "Acme", D0, END, "m", "1", limit=2)
    assert [(r.source, r.community, r.mentions, r.mentions_prev, r.score) for r in ranked] == [
        ("reddit", "espresso", 6, 2, 8.0),  # 6 + (6 - 2) / 2
        ("reddit", "coffee", 7, 7, 7.0),
        ("reddit", "tea", 2, 0, 3.0),
        ("feed", "", 1, 0, 1.5),
    ]
    assert [r.community for r in top2] == ["espresso", "coffee"]
    espresso, coffee, tea, _ = ranked
    assert espresso.growth == pytest.approx(2.0)
    assert coffee.growth == 0.0 and tea.growth is None
    # x1 positive, y1 negative (human label), z1 neutral, z2 positive, z3 and v1 unscored
    assert (espresso.negative, espresso.neutral, espresso.positive) == (1, 1, 2)
    assert espresso.net_sentiment == pytest.approx(1 / 3)
    assert espresso.authors == 4  # X, Y, Z, V; the official account is not counted
    assert espresso.reach == pytest.approx(2 + 103 + 1 + 4 + 1 + 1)
    assert coffee.authors == 1 and coffee.net_sentiment is None


def test_community_score() -> None:
    assert community_score(12, 4) == 16.0
    assert community_score(14, 14) == 14.0
    assert community_score(3, 1) == 4.0  # tripling a tiny community adds little
    assert community_score(5, 20) == 5.0  # shrinking is no penalty beyond the volume


def test_rank_authors_combines_engagement_centrality_and_consistency(engine: Engine) -> None:
    d = _espresso()
    d.load(engine)
    with engine.connect() as conn:
        ranked = rank_authors(conn, "Acme", D0, END, "m", "1")
        top1 = rank_authors(conn, "Acme", D0, END, "m", "1", limit=1)
    by_id = {r.author_id: r for r in ranked}
    # authors in the brand's conversation: who mention it (X, Y, Z, V) and who reply to a
    # mention without naming the brand (A-D); not the official account, not the R's
    # (they reply to the official account's post, which names no brand), not the W's
    # (their only posts are duplicates), not E (previous period only)
    assert set(by_id) == {"a_X", "a_Y", "a_Z", "a_V", "a_A", "a_B", "a_C", "a_D"}
    x, y, z, v, a = (by_id[f"a_{k}"] for k in "XYZVA")
    # X receives the most replies: the highest PageRank; Y one reply, Z none in the period
    assert x.centrality == 1.0
    assert 0 < z.centrality < y.centrality < 1.0
    assert a.centrality == z.centrality  # both only reply
    assert v.centrality == 0.0  # home community tea has no replies
    # Y gets the most interactions ("far" is outside the brand's communities)
    assert (x.engagement, y.engagement, z.engagement, v.engagement) == (1.0, 102.0, 3.0, 5.0)
    assert (x.posts, x.mentions, y.posts, z.posts, v.posts, v.mentions) == (3, 1, 1, 3, 3, 3)
    assert (a.posts, a.mentions, a.engagement, a.net_sentiment) == (2, 0, 0.0, None)
    assert (z.active_days, z.consistency) == (3, pytest.approx(3 / 7, abs=1e-4))
    assert (x.community, v.community, z.source) == ("espresso", "tea", "reddit")
    # percentile ranks among the 8: engagement A-D 0, X 5/8, Z 6/8, V 7/8, Y 1;
    # centrality V 0, Z and A-D 6/8, Y 7/8, X 1; consistency Z 1, everyone else 7/8
    assert x.influence == pytest.approx(100 * (0.4 * 5 / 8 + 0.4 * 1.0 + 0.2 * 7 / 8))
    assert y.influence == pytest.approx(100 * (0.4 * 1.0 + 0.4 * 7 / 8 + 0.2 * 7 / 8))
    assert z.influence == pytest.approx(100 * (0.4 * 6 / 8 + 0.4 * 6 / 8 + 0.2 * 1.0))
    assert v.influence == pytest.approx(100 * (0.4 * 7 / 8 + 0.2 * 7 / 8))
    assert a.influence == pytest.approx(100 * (0.4 * 6 / 8 + 0.2 * 7 / 8))
    assert [r.author_id for r in ranked] == [
        "a_Y", "a_X", "a_Z", "a_V", "a_A", "a_B", "a_C", "a_D"]
    assert [r.author_id for r in top1] == ["a_Y"]
    # their sentiment towards the brand
    assert (z.negative, z.neutral, z.positive, z.net_sentiment) == (0, 1, 1, 1.0)
    assert (v.negative, v.neutral, v.positive, v.net_sentiment) == (0, 0, 0, None)


def test_rank_authors_without_replies_or_mentions(engine: Engine) -> None:
    d = _Data()
    d.add("solo", "a_S", D0, engagement={"score": 2}, label="negative")
    d.add("anon", None, D0)
    d.add("off", OFF, D0)
    d.load(engine)
    with engine.connect() as conn:
        ranked = rank_authors(conn, "Acme", D0, END, "m", "1")
        nothing = rank_authors(conn, "Acme", END + timedelta(days=1),
                               END + timedelta(days=7), "m", "1")
        nobody = rank_communities(conn, "Nobody", D0, END, "m", "1")
    assert [(r.author_id, r.centrality, r.net_sentiment) for r in ranked] == [
        ("a_S", 0.0, -1.0)]
    assert ranked[0].influence == pytest.approx(100 * (0.4 * 1.0 + 0.2 * 1.0))
    assert nothing == [] and nobody == []
