"""Brand metrics per day, per hour, and per day and source / community / language.

A mention counts once per (post, brand); near/exact duplicates (cross-posts) and posts
by the brand's own official accounts do not count. A human label (`sentiment_override`)
wins over the model's label.
net sentiment = (positive - negative) / (positive + negative), None when both are 0.
share of voice = brand volume / (brand volume + volumes of its configured competitors).
reach = sum of `pipeline.reputation.reach.reach` over the mentions.
reputation: see `pipeline.reputation.score`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, Select, and_, delete, exists, func, select

from pipeline.config import Config
from pipeline.records import as_date, as_utc, utcnow
from pipeline.reputation import reach as reach_of
from pipeline.reputation.score import SIGN, reputation
from pipeline.warehouse.load import upsert
from pipeline.warehouse.schema import (
    brand_metrics_slice,
    daily_brand_metrics,
    mention,
    official_account,
    post,
    sentiment,
    sentiment_override,
)

DIMENSIONS = ("source", "community", "lang")


@dataclass(slots=True)
class DayCounts:
    volume: int = 0
    negative: int = 0
    neutral: int = 0
    positive: int = 0
    reach: float = 0.0
    rep_sum: float = 0.0
    rep_weight: float = 0.0

    @property
    def unscored(self) -> int:
        return self.volume - self.negative - self.neutral - self.positive

    def add(self, label: str | None, engagement: dict[str, float] | None) -> None:
        self.volume += 1
        self.reach += reach_of.reach(engagement)
        if label in SIGN:
            setattr(self, label, getattr(self, label) + 1)
            w = reach_of.weight(engagement)
            self.rep_sum += w * SIGN[label]
            self.rep_weight += w

    def figures(self, prior_weight: float) -> dict[str, float | int | None]:
        return {
            "volume": self.volume, "negative": self.negative, "neutral": self.neutral,
            "positive": self.positive, "unscored": self.unscored,
            "net_sentiment": net_sentiment(self.positive, self.negative),
            "reach": round(self.reach, 3), "rep_sum": round(self.rep_sum, 6),
            "rep_weight": round(self.rep_weight, 6),
            "reputation": reputation(self.rep_sum, self.rep_weight, prior_weight),
        }


def net_sentiment(positive: int, negative: int) -> float | None:
    total = positive + negative
    return None if total == 0 else (positive - negative) / total


def share_of_voice(own: int, competitors: Iterable[int]) -> float | None:
    total = own + sum(competitors)
    return None if total == 0 else own / total


# the human label if there is one, else the model's label
EFFECTIVE_LABEL = func.coalesce(sentiment_override.c.label, sentiment.c.label)
# a mention written by one of the brand's own accounts (they never count)
BY_OFFICIAL = exists().where(official_account.c.brand == mention.c.brand,
                             official_account.c.author_id == post.c.author_id)


def counted_mentions(model: str, version: str, *columns: Any) -> Select[Any]:
    """`select(*columns)` over the mentions that count: joined to their post (duplicates
    left out), the model's score and the human label (`EFFECTIVE_LABEL` is usable), and
    without the brands' own accounts. Add the brand / day conditions."""
    return (
        select(*columns)
        .select_from(mention)
        .join(post, and_(post.c.post_id == mention.c.post_id, post.c.duplicate_of.is_(None)))
        .outerjoin(sentiment, and_(
            sentiment.c.post_id == mention.c.post_id,
            sentiment.c.model == model,
            sentiment.c.version == version,
        ))
        .outerjoin(sentiment_override, sentiment_override.c.post_id == mention.c.post_id)
        .where(~BY_OFFICIAL)
    )


@dataclass(slots=True)
class MentionCounts:
    """One pass over the mentions of a period, counted per grain and dimension."""

    daily: dict[tuple[str, date], DayCounts]
    hourly: dict[tuple[str, datetime], DayCounts]
    slices: dict[tuple[str, date, str, str], DayCounts]


def count_mentions(conn: Connection, model: str, version: str, start: date,
                   end: date) -> MentionCounts:
    query = counted_mentions(
        model, version, mention.c.brand, mention.c.day, post.c.created_at, post.c.source,
        post.c.community, post.c.lang, post.c.engagement, EFFECTIVE_LABEL.label("label"),
    ).where(mention.c.day >= start, mention.c.day <= end)
    counts = MentionCounts(defaultdict(DayCounts), defaultdict(DayCounts), defaultdict(DayCounts))
    for row in conn.execute(query.execution_options(yield_per=2000)):
        day = as_date(row.day)
        engagement = row.engagement if isinstance(row.engagement, dict) else None
        counts.daily[(row.brand, day)].add(row.label, engagement)
        hour = as_utc(row.created_at).replace(minute=0, second=0, microsecond=0)
        counts.hourly[(row.brand, hour)].add(row.label, engagement)
        for dimension in DIMENSIONS:
            value = getattr(row, dimension) or ""
            counts.slices[(row.brand, day, dimension, value[:300])].add(row.label, engagement)
    return counts


def compute_daily_metrics(
    conn: Connection, config: Config, model: str, version: str, start: date, end: date
) -> int:
    """(Re)compute metrics for every brand and day in [start, end]: the daily table, and
    the hourly and per-source/community/language slices (replaced for the period)."""
    counts = count_mentions(conn, model, version, start, end)
    prior = config.reputation.prior_weight
    now = utcnow()
    rows = []
    day = start
    while day <= end:
        for brand in config.brands:
            own = counts.daily.get((brand.name, day), DayCounts())
            rivals = [counts.daily.get((c, day), DayCounts()).volume for c in brand.competitors]
            rows.append({
                "brand": brand.name, "day": day, "model": model, "version": version,
                **own.figures(prior),
                "share_of_voice": share_of_voice(own.volume, rivals) if brand.competitors
                else None,
                "computed_at": now,
            })
        day += timedelta(days=1)
    columns = [c.name for c in daily_brand_metrics.columns if c.name not in ("brand", "day")]
    upsert(conn, daily_brand_metrics, rows, update=columns)

    first = datetime.combine(start, time(), UTC)
    after = datetime.combine(end + timedelta(days=1), time(), UTC)
    brands = [b.name for b in config.brands]
    s = brand_metrics_slice.c
    conn.execute(delete(brand_metrics_slice).where(
        s.brand.in_(brands), s.period_start >= first, s.period_start < after))
    base = {"model": model, "version": version, "computed_at": now}
    rivals_of = {b.name: b.competitors for b in config.brands}

    def sov(table: dict[Any, DayCounts], key: tuple[Any, ...]) -> float | None:
        """Share of voice in the same slice: the same key with each competitor's name."""
        rivals = rivals_of[key[0]]
        if not rivals:
            return None
        return share_of_voice(table[key].volume, [
            table[(r, *key[1:])].volume for r in rivals if (r, *key[1:]) in table])

    slice_rows = [
        {"brand": key[0], "grain": "hour", "period_start": key[1], "dimension": "all",
         "value": "", **base, **c.figures(prior), "share_of_voice": sov(counts.hourly, key)}
        for key, c in sorted(counts.hourly.items()) if key[0] in rivals_of
    ] + [
        {"brand": key[0], "grain": "day", "period_start": datetime.combine(key[1], time(), UTC),
         "dimension": key[2], "value": key[3], **base, **c.figures(prior),
         "share_of_voice": sov(counts.slices, key)}
        for key, c in sorted(counts.slices.items()) if key[0] in rivals_of
    ]
    upsert(conn, brand_metrics_slice, slice_rows,
           update=[c.name for c in brand_metrics_slice.columns if not c.primary_key])
    return len(rows)


def mention_day_range(conn: Connection) -> tuple[date, date] | None:
    row = conn.execute(select(func.min(mention.c.day), func.max(mention.c.day))).first()
    if row is None or row[0] is None:
        return None
    return as_date(row[0]), as_date(row[1])

