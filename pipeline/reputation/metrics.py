"""Daily brand metrics: volume, sentiment mix, net sentiment, share of voice.

A mention counts once per (post, brand); near/exact duplicates (cross-posts) do not
count. A human label (`sentiment_override`) wins over the model's label.
net sentiment = (positive - negative) / (positive + negative), None when both are 0.
share of voice = brand volume / (brand volume + volumes of its configured competitors).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Connection, and_, case, func, select

from pipeline.config import Config
from pipeline.records import as_date, utcnow
from pipeline.warehouse.load import upsert
from pipeline.warehouse.schema import (
    daily_brand_metrics,
    mention,
    post,
    sentiment,
    sentiment_override,
)


@dataclass(slots=True)
class DayCounts:
    volume: int = 0
    negative: int = 0
    neutral: int = 0
    positive: int = 0

    @property
    def unscored(self) -> int:
        return self.volume - self.negative - self.neutral - self.positive


def net_sentiment(positive: int, negative: int) -> float | None:
    total = positive + negative
    return None if total == 0 else (positive - negative) / total


def share_of_voice(own: int, competitors: Iterable[int]) -> float | None:
    total = own + sum(competitors)
    return None if total == 0 else own / total


# the human label if there is one, else the model's label
EFFECTIVE_LABEL = func.coalesce(sentiment_override.c.label, sentiment.c.label)


def count_mentions(
    conn: Connection, model: str, version: str, start: date, end: date
) -> dict[tuple[str, date], DayCounts]:
    label = EFFECTIVE_LABEL
    query = (
        select(
            mention.c.brand,
            mention.c.day,
            func.count().label("volume"),
            func.sum(case((label == "negative", 1), else_=0)).label("negative"),
            func.sum(case((label == "neutral", 1), else_=0)).label("neutral"),
            func.sum(case((label == "positive", 1), else_=0)).label("positive"),
        )
        .select_from(mention)
        .join(post, and_(post.c.post_id == mention.c.post_id, post.c.duplicate_of.is_(None)))
        .outerjoin(sentiment, and_(
            sentiment.c.post_id == mention.c.post_id,
            sentiment.c.model == model,
            sentiment.c.version == version,
        ))
        .outerjoin(sentiment_override, sentiment_override.c.post_id == mention.c.post_id)
        .where(mention.c.day >= start, mention.c.day <= end)
        .group_by(mention.c.brand, mention.c.day)
    )
    result: dict[tuple[str, date], DayCounts] = {}
    for row in conn.execute(query):
        result[(row.brand, as_date(row.day))] = DayCounts(
            int(row.volume), int(row.negative or 0), int(row.neutral or 0), int(row.positive or 0)
        )
    return result


def compute_daily_metrics(
    conn: Connection, config: Config, model: str, version: str, start: date, end: date
) -> int:
    """(Re)compute and upsert metrics for every brand and day in [start, end]."""
    counts = count_mentions(conn, model, version, start, end)
    now = utcnow()
    rows = []
    day = start
    while day <= end:
        for brand in config.brands:
            own = counts.get((brand.name, day), DayCounts())
            rivals = [counts.get((c, day), DayCounts()).volume for c in brand.competitors]
            rows.append({
                "brand": brand.name, "day": day, "model": model, "version": version,
                "volume": own.volume, "negative": own.negative, "neutral": own.neutral,
                "positive": own.positive, "unscored": own.unscored,
                "net_sentiment": net_sentiment(own.positive, own.negative),
                "share_of_voice": share_of_voice(own.volume, rivals) if brand.competitors
                else None,
                "computed_at": now,
            })
        day += timedelta(days=1)
    columns = [c.name for c in daily_brand_metrics.columns if c.name not in ("brand", "day")]
    upsert(conn, daily_brand_metrics, rows, update=columns)
    return len(rows)


def mention_day_range(conn: Connection) -> tuple[date, date] | None:
    row = conn.execute(select(func.min(mention.c.day), func.max(mention.c.day))).first()
    if row is None or row[0] is None:
        return None
    return as_date(row[0]), as_date(row[1])

