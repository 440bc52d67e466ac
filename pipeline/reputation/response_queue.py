"""The response queue: questions and complaints about a brand that its official accounts
have not answered yet, most urgent first.

The definition lives in the BI view `v_response_queue` (`sql/views/60_v_response_queue.sql`),
so BI tools and the report share it: a brand mention whose intent is `question` or
`complaint`, not a duplicate, not written by one of the brand's official accounts
(`official_account`, see `pipeline.reputation.official`), and answered when an official
account of the brand replied anywhere in the thread below it (directly or deeper down).

`response_queue` reads the view as of `now`: posts created in the `max_age_days` before
`now` with no official reply written up to `now`, for the given intent model version and
with the effective sentiment label of the given sentiment model (a human label wins). Each
post is ranked by

    priority = ln(1 + reach) + ln(1 + age_hours) / 2

reach (`pipeline.reputation.reach.reach`) leads: a post 100x wider read gains 4.6, while
waiting 2 days instead of 2 hours gains 1.4, so among posts of similar reach the one
waiting longest comes first; after `max_age_days` a post leaves the queue.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Date,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    func,
    or_,
    select,
)

from pipeline.config import BrandConfig
from pipeline.records import as_utc
from pipeline.reputation import reach as reach_of
from pipeline.reputation.official import sync_official_accounts
from pipeline.warehouse.schema import TS, Json, sentiment, sentiment_override

__all__ = ["OpenPost", "priority", "response_queue", "sync_official_accounts",
           "v_response_queue"]

# the view, typed (a separate MetaData: views are created from sql/views, not by create_all)
v_response_queue = Table(
    "v_response_queue",
    MetaData(),
    Column("brand", String(200)),
    Column("post_id", String(24)),
    Column("source", String(200)),
    Column("community", Text),
    Column("url", Text),
    Column("title", Text),
    Column("text", Text),
    Column("lang", String(8)),
    Column("created_at", TS),
    Column("day", Date),
    Column("engagement", Json),
    Column("intent", String(16)),
    Column("intent_model", String(200)),
    Column("intent_version", String(64)),
    Column("label", String(8)),
    Column("answered", Integer),
    Column("first_answer_at", TS),
)


@dataclass(slots=True)
class OpenPost:
    post_id: str
    source: str
    community: str | None
    url: str | None
    title: str | None
    text: str
    lang: str | None
    created_at: datetime
    intent: str  # question | complaint
    sentiment: str | None  # effective label; None when not scored by the model
    reach: float
    age_hours: float
    priority: float


def priority(reach: float, age_hours: float) -> float:
    """ln(1 + reach) + ln(1 + age_hours) / 2."""
    return math.log1p(max(reach, 0.0)) + math.log1p(max(age_hours, 0.0)) / 2


def response_queue(conn: Connection, brand: BrandConfig | str, now: datetime, model: str,
                   version: str, intent_model: str, intent_version: str, *,
                   max_age_days: int = 14, limit: int = 20) -> list[OpenPost]:
    """The brand's unanswered questions and complaints as of `now`, highest priority first."""
    name = brand.name if isinstance(brand, BrandConfig) else brand
    now = as_utc(now).astimezone(UTC)
    since = now - timedelta(days=max_age_days)
    v = v_response_queue
    query = (
        select(v.c.post_id, v.c.source, v.c.community, v.c.url, v.c.title, v.c.text,
               v.c.lang, v.c.created_at, v.c.engagement, v.c.intent,
               func.coalesce(sentiment_override.c.label, sentiment.c.label).label("label"))
        .select_from(v)
        .outerjoin(sentiment, and_(sentiment.c.post_id == v.c.post_id,
                                   sentiment.c.model == model, sentiment.c.version == version))
        .outerjoin(sentiment_override, sentiment_override.c.post_id == v.c.post_id)
        .where(v.c.brand == name, v.c.intent_model == intent_model,
               v.c.intent_version == intent_version,
               v.c.created_at >= since, v.c.created_at <= now,
               or_(v.c.first_answer_at.is_(None), v.c.first_answer_at > now))
    )

    def items() -> Iterator[OpenPost]:
        for row in conn.execute(query.execution_options(yield_per=1000)):
            created = as_utc(row.created_at)
            engagement: Any = row.engagement if isinstance(row.engagement, dict) else None
            reach = reach_of.reach(engagement)
            age = max((now - created).total_seconds() / 3600, 0.0)
            yield OpenPost(
                post_id=row.post_id, source=row.source, community=row.community, url=row.url,
                title=row.title, text=row.text, lang=row.lang, created_at=created,
                intent=row.intent, sentiment=row.label, reach=round(reach, 3),
                age_hours=round(age, 2), priority=round(priority(reach, age), 4))

    # the `limit` best (O(limit) memory): highest priority, then oldest, then post id
    return heapq.nsmallest(max(limit, 0), items(),
                           key=lambda p: (-p.priority, -p.age_hours, p.post_id))
