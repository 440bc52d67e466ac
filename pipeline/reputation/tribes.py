"""Tribes and chiefs: the communities that talk about a brand, and their opinion leaders.

Counted as in the metrics: a mention counts once per (post, brand); duplicates (cross-posts)
and posts by the brand's official accounts (`official_account`) do not count; a human label
wins over the model's label. Posts without a community are grouped under community "".

**Communities** (`rank_communities`): every (source, community) with at least one brand
mention in [start, end], with the mentions of the previous period of the same length,
growth = (mentions - mentions_prev) / mentions_prev (None when mentions_prev is 0),
sentiment counts, net sentiment, distinct authors and reach (`pipeline.reputation.reach`).
Ranked by

    score = mentions + max(0, mentions - mentions_prev) / 2

volume first, plus half the *absolute* growth as a bonus: a community that went from 4 to
12 mentions (score 16) passes a steady one with 14, but a tiny community tripling from 1
to 3 gains only 1 (relative growth would reward noise). Ties: reach, then name.

**Authors** (`rank_authors`): authors with at least one brand mention in the period, or
a reply to one (not the brand's official accounts), judged on everything they wrote in the
period in the communities where the brand was mentioned (replies often do not name the
brand):

* engagement = the interactions their posts received (`reach.interactions`: score, likes,
  comments, ...);
* centrality = PageRank (networkx, damping 0.85) on the reply graph of their home community
  (where they mention the brand most), divided by the largest PageRank there (0..1). Edges
  go from the replier to the parent's author, weighted by the number of replies, built from
  every non-duplicate post of the community in the period; self-replies, unknown authors
  and the brand's official accounts are left out (influence among customers, not attention
  from the brand). An author outside the graph has centrality 0;
* consistency = active days (days with a post in those communities) / days in the period;
* influence = 100 * (0.4 * P(engagement) + 0.4 * P(centrality) + 0.2 * P(consistency)),
  where P(x) is the percentile rank among the ranked authors: the share of them whose value
  is <= x, and 0 when x is 0. An author first on all three scores 100.

Ranked by influence, then engagement, then mentions, then id. **Chiefs** are the ranked
authors who mention the brand (`AuthorRank.is_chief`); the others are **community experts**
who only answer in the brand's threads without naming it; `rank_authors(role=...)` returns
one kind (percentiles are taken among both, so the two lists share one scale).

Queries stream the period's rows (restricted to the period and to the brand's
communities), never the whole table.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

import networkx as nx
from sqlalchemy import Connection, Select, and_, func, select, tuple_

from pipeline.records import as_date
from pipeline.reputation import reach as reach_of
from pipeline.reputation.metrics import (
    BY_OFFICIAL,
    EFFECTIVE_LABEL,
    counted_mentions,
    net_sentiment,
)
from pipeline.reputation.official import official_author_ids
from pipeline.warehouse.schema import (
    mention,
    post,
    sentiment,
    sentiment_override,
)

__all__ = ["INFLUENCE_WEIGHTS", "AuthorRank", "CommunityRank", "community_score",
           "rank_authors", "rank_communities"]

# influence = 100 * sum(weight * percentile rank) over these components
INFLUENCE_WEIGHTS = {"engagement": 0.4, "centrality": 0.4, "consistency": 0.2}
PAGERANK_ALPHA = 0.85
_STREAM = {"yield_per": 2000}
_LABELS = ("negative", "neutral", "positive")


@dataclass(slots=True)
class CommunityRank:
    source: str
    community: str  # "" when the source gives none
    mentions: int
    mentions_prev: int
    growth: float | None  # (mentions - mentions_prev) / mentions_prev; None when prev is 0
    negative: int
    neutral: int
    positive: int
    net_sentiment: float | None
    authors: int  # distinct (known) authors of the mentions
    reach: float
    score: float  # mentions + max(0, mentions - mentions_prev) / 2


@dataclass(slots=True)
class AuthorRank:
    author_id: str
    source: str
    community: str  # home community: where they mention the brand most
    posts: int  # all their posts in the brand's communities in the period
    mentions: int  # their posts that mention the brand
    engagement: float  # interactions received on those posts
    centrality: float  # 0..1 in the home community
    active_days: int
    consistency: float  # active days / days in the period
    influence: float  # 0..100
    negative: int
    neutral: int
    positive: int
    net_sentiment: float | None
    brand_replies: int = 0  # replies, without the brand's name, to posts that name it

    @property
    def is_chief(self) -> bool:
        """A chief names the brand; the others are community experts who answer in its
        threads without naming it."""
        return self.mentions > 0


def community_score(mentions: int, mentions_prev: int) -> float:
    return mentions + max(0, mentions - mentions_prev) / 2


def _growth(mentions: int, prev: int) -> float | None:
    return None if prev == 0 else (mentions - prev) / prev


def _community(value: str | None) -> str:
    return value or ""


def _engagement(value: Any) -> dict[str, Any] | None:
    return value if isinstance(value, dict) else None


def _mentions_query(brand: str, start: date, end: date, model: str, version: str) -> Select[Any]:
    """The brand's counted mentions in [start, end] (as in the metrics) with their label."""
    return counted_mentions(
        model, version, mention.c.day, post.c.source, post.c.community, post.c.author_id,
        post.c.engagement, EFFECTIVE_LABEL.label("label"),
    ).where(mention.c.brand == brand, mention.c.day >= start, mention.c.day <= end)


def _communities_query(brand: str, start: date, end: date) -> Select[Any]:
    """Distinct (source, community or "") with counted brand mentions in [start, end]."""
    return (
        select(post.c.source, func.coalesce(post.c.community, "").label("community"))
        .select_from(mention)
        .join(post, and_(post.c.post_id == mention.c.post_id, post.c.duplicate_of.is_(None)))
        .where(mention.c.brand == brand, mention.c.day >= start, mention.c.day <= end,
               ~BY_OFFICIAL)
        .distinct()
    )


@dataclass(slots=True)
class _Community:
    mentions: int = 0
    mentions_prev: int = 0
    labels: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_LABELS, 0))
    authors: set[str] = field(default_factory=set)
    reach: float = 0.0


def rank_communities(conn: Connection, brand: str, start: date, end: date, model: str,
                     version: str, limit: int = 10) -> list[CommunityRank]:
    """Communities with brand mentions in [start, end], best `score` first."""
    days = (end - start).days + 1
    prev_start = start - timedelta(days=days)
    found: dict[tuple[str, str], _Community] = defaultdict(_Community)
    query = _mentions_query(brand, prev_start, end, model, version)
    for row in conn.execute(query.execution_options(**_STREAM)):
        c = found[(row.source, _community(row.community))]
        if as_date(row.day) < start:
            c.mentions_prev += 1
            continue
        c.mentions += 1
        if row.label in c.labels:
            c.labels[row.label] += 1
        if row.author_id:
            c.authors.add(row.author_id)
        c.reach += reach_of.reach(_engagement(row.engagement))
    ranked = [
        CommunityRank(
            source=source, community=name, mentions=c.mentions, mentions_prev=c.mentions_prev,
            growth=_growth(c.mentions, c.mentions_prev), negative=c.labels["negative"],
            neutral=c.labels["neutral"], positive=c.labels["positive"],
            net_sentiment=net_sentiment(c.labels["positive"], c.labels["negative"]),
            authors=len(c.authors), reach=round(c.reach, 3),
            score=community_score(c.mentions, c.mentions_prev))
        for (source, name), c in found.items() if c.mentions > 0
    ]
    ranked.sort(key=lambda r: (-r.score, -r.reach, r.source, r.community))
    return ranked[:limit]


@dataclass(slots=True)
class _Author:
    source: str
    posts: int = 0
    mentions: int = 0
    brand_replies: int = 0  # replies (without the brand's name) to a brand mention
    engagement: float = 0.0
    days: set[date] = field(default_factory=set)
    labels: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_LABELS, 0))
    # brand mentions and replies to them, and posts, per community: the home community
    by_community: dict[str, list[int]] = field(default_factory=dict)


def _percentile_ranks(values: dict[str, float]) -> dict[str, float]:
    """Share of the values <= each value (0 for a value of 0)."""
    ordered = sorted(values.values())
    n = len(ordered)
    return {key: 0.0 if value <= 0 else bisect.bisect_right(ordered, value) / n
            for key, value in values.items()}


def _centralities(edges: dict[tuple[str, str], float]) -> dict[str, float]:
    """PageRank of a weighted reply graph, divided by its maximum (0..1)."""
    if not edges:
        return {}
    graph = nx.DiGraph()
    graph.add_weighted_edges_from((u, v, w) for (u, v), w in edges.items())
    ranks: dict[str, float] = nx.pagerank(graph, alpha=PAGERANK_ALPHA, weight="weight",
                                          max_iter=500)
    top = max(ranks.values())
    return {node: (rank / top if top > 0 else 0.0) for node, rank in ranks.items()}


def rank_authors(conn: Connection, brand: str, start: date, end: date, model: str,
                 version: str, limit: int = 10,
                 role: Literal["all", "chiefs", "experts"] = "all") -> list[AuthorRank]:
    """Authors in the brand's conversation in [start, end], most influential first: those
    who mention the brand, and those who reply to a post that does (the helpful regular
    who answers questions about the brand without naming it)."""
    official = official_author_ids(conn, brand)
    # an IN (not a join): SQLite then walks the period's posts once (ix_post_day)
    in_communities = tuple_(post.c.source, func.coalesce(post.c.community, "")).in_(
        _communities_query(brand, start, end))
    parent = post.alias("parent")
    parent_mention = mention.alias("parent_mention")
    query = (
        select(post.c.author_id, post.c.source, post.c.community, post.c.day,
               post.c.engagement, parent.c.author_id.label("parent_author"),
               mention.c.post_id.label("mention_id"), EFFECTIVE_LABEL.label("label"),
               parent_mention.c.post_id.label("parent_mention_id"))
        .select_from(post)
        .outerjoin(parent, parent.c.post_id == post.c.parent_post_id)
        .outerjoin(parent_mention, and_(parent_mention.c.post_id == post.c.parent_post_id,
                                        parent_mention.c.brand == brand))
        .outerjoin(mention, and_(mention.c.post_id == post.c.post_id, mention.c.brand == brand))
        .outerjoin(sentiment, and_(sentiment.c.post_id == mention.c.post_id,
                                   sentiment.c.model == model, sentiment.c.version == version))
        .outerjoin(sentiment_override, sentiment_override.c.post_id == mention.c.post_id)
        .where(post.c.day >= start, post.c.day <= end, post.c.duplicate_of.is_(None),
               in_communities)
    )
    authors: dict[str, _Author] = {}
    edges: dict[tuple[str, str], dict[tuple[str, str], float]] = defaultdict(
        lambda: defaultdict(float))
    for row in conn.execute(query.execution_options(**_STREAM)):
        author_id, parent_author = row.author_id, row.parent_author
        if author_id is None or author_id in official:
            continue
        key = (row.source, _community(row.community))
        if parent_author and parent_author != author_id and parent_author not in official:
            edges[key][(author_id, parent_author)] += 1.0
        a = authors.get(author_id)
        if a is None:
            a = authors[author_id] = _Author(source=row.source)
        a.posts += 1
        a.engagement += reach_of.interactions(_engagement(row.engagement))
        a.days.add(as_date(row.day))
        counts = a.by_community.setdefault(key[1], [0, 0])
        counts[1] += 1
        if row.mention_id is not None:
            a.mentions += 1
            counts[0] += 1
            if row.label in a.labels:
                a.labels[row.label] += 1
        elif row.parent_mention_id is not None:
            a.brand_replies += 1
            counts[0] += 1
    candidates = {k: a for k, a in authors.items() if a.mentions or a.brand_replies}
    ranked = _rank(candidates, edges, (end - start).days + 1)
    if role != "all":
        ranked = [a for a in ranked if a.is_chief == (role == "chiefs")]
    return ranked[:limit]


def _home(a: _Author) -> str:
    """The community where the author mentions the brand most (then: posts most, name)."""
    return min(a.by_community, key=lambda c: (-a.by_community[c][0], -a.by_community[c][1], c))


def _rank(authors: dict[str, _Author],
          edges: dict[tuple[str, str], dict[tuple[str, str], float]],
          period_days: int) -> list[AuthorRank]:
    homes = {k: _home(a) for k, a in authors.items()}
    needed = {(a.source, homes[k]) for k, a in authors.items()}
    central = {c: _centralities(edges.get(c, {})) for c in needed}
    centrality = {k: central[(a.source, homes[k])].get(k, 0.0) for k, a in authors.items()}
    engagement = {k: a.engagement for k, a in authors.items()}
    consistency = {k: len(a.days) / period_days for k, a in authors.items()}
    pct = {name: _percentile_ranks(values) for name, values in
           (("engagement", engagement), ("centrality", centrality),
            ("consistency", consistency))}
    ranked = []
    for k, a in authors.items():
        influence = 100 * sum(w * pct[name][k] for name, w in INFLUENCE_WEIGHTS.items())
        ranked.append(AuthorRank(
            author_id=k, source=a.source, community=homes[k], posts=a.posts,
            mentions=a.mentions, engagement=round(a.engagement, 3),
            centrality=round(centrality[k], 4), active_days=len(a.days),
            consistency=round(consistency[k], 4), influence=round(influence, 1),
            negative=a.labels["negative"], neutral=a.labels["neutral"],
            positive=a.labels["positive"],
            net_sentiment=net_sentiment(a.labels["positive"], a.labels["negative"]),
            brand_replies=a.brand_replies))
    ranked.sort(key=lambda r: (-r.influence, -r.engagement, -r.mentions, r.author_id))
    return ranked

