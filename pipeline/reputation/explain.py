"""Why an alert fired: the posts, problems, keyphrases, sources and communities behind it.

The alert window (a day or an hour) is compared with the `BASELINE_DAYS` days before it:
a problem or keyphrase "grew" when it appears among the window's negative mentions more
often than its baseline rate predicts (lift = window count - expected count).
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, and_, desc, func, select

from pipeline.nlp.keyphrases import KEYPHRASE_MODEL
from pipeline.nlp.problems import PROBLEM_MODEL
from pipeline.records import as_utc
from pipeline.reputation.metrics import BY_OFFICIAL, EFFECTIVE_LABEL
from pipeline.warehouse.schema import (
    keyphrase,
    mention,
    post,
    post_problem,
    problem,
    sentiment,
    sentiment_override,
)

EXAMPLE_POSTS = 3
TOP_GROWN = 3
TOP_KEYPHRASES = 5
BASELINE_DAYS = 14


def _negative_mentions(brand: str, start: datetime, end: datetime, model: str,
                       version: str) -> Any:
    """Conditions and joins for the brand's non-duplicate negative mentions in [start, end)."""
    return and_(
        mention.c.brand == brand, post.c.created_at >= start, post.c.created_at < end,
        post.c.duplicate_of.is_(None), EFFECTIVE_LABEL == "negative", ~BY_OFFICIAL,
    ), (mention.join(post, post.c.post_id == mention.c.post_id)
        .outerjoin(sentiment, and_(sentiment.c.post_id == mention.c.post_id,
                                   sentiment.c.model == model, sentiment.c.version == version))
        .outerjoin(sentiment_override, sentiment_override.c.post_id == mention.c.post_id))


def window_of(day: date, hour: datetime | None) -> tuple[datetime, datetime]:
    if hour is not None:
        start = as_utc(hour).astimezone(UTC)
        return start, start + timedelta(hours=1)
    start = datetime.combine(day, time(), UTC)
    return start, start + timedelta(days=1)


def explain_spike(conn: Connection, brand: str, day: date, model: str, version: str,
                  hour: datetime | None = None, report_link: str | None = None,
                  brand_terms: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The explanation stored with an alert (JSON-ready). Keyphrases equal to one of
    `brand_terms` (lowercase: the brand's name and aliases) say nothing and are skipped."""
    start, end = window_of(day, hour)
    base_start = start - timedelta(days=BASELINE_DAYS)
    # the baseline is measured in windows of the alert's length
    windows = (start - base_start) / (end - start)
    where, joined = _negative_mentions(brand, start, end, model, version)
    score = func.coalesce(sentiment.c.negative, 1.0)
    top = conn.execute(
        select(post.c.post_id, post.c.source, post.c.community, post.c.url, post.c.text,
               score.label("negative"))
        .select_from(joined).where(where)
        .order_by(desc(score), post.c.post_id).limit(EXAMPLE_POSTS)
    ).all()
    by: dict[str, list[dict[str, Any]]] = {}
    for column, key in (("source", "sources"), ("community", "communities")):
        col = post.c[column]
        rows = conn.execute(
            select(col, func.count().label("n")).select_from(joined).where(where)
            .group_by(col).order_by(desc("n"), col).limit(3)
        ).all()
        by[key] = [{"name": r[0], "negative": int(r[1])} for r in rows]
    details: dict[str, Any] = {
        "window": {"start": start.isoformat(), "end": end.isoformat()},
        "top_posts": [{"post_id": r.post_id, "url": r.url, "source": r.source,
                       "community": r.community, "text": r.text[:280],
                       "negative": round(float(r.negative), 3)} for r in top],
        **by,
        "problems": _grown_problems(conn, brand, start, end, base_start, windows,
                                    model, version),
        "keyphrases": _grown_keyphrases(conn, brand, start, end, base_start, windows,
                                        model, version, brand_terms | {brand.lower()}),
    }
    if report_link:
        details["report"] = report_link
    return details


def _lifts(now: Counter[str], before: Counter[str], windows: float,
           top: int) -> list[tuple[str, int, float]]:
    grown = []
    for key, count in now.items():
        expected = before.get(key, 0) / windows
        if count >= 2 and count > expected:
            grown.append((key, count, expected))
    grown.sort(key=lambda g: (-(g[1] - g[2]), g[0]))
    return grown[:top]


def _grown_problems(conn: Connection, brand: str, start: datetime, end: datetime,
                    base_start: datetime, windows: float, model: str,
                    version: str) -> list[dict[str, Any]]:
    pm, pv = PROBLEM_MODEL
    where, joined = _negative_mentions(brand, base_start, end, model, version)
    rows = conn.execute(
        select(post_problem.c.problem_id, post.c.created_at)
        .select_from(joined.join(post_problem, and_(
            post_problem.c.post_id == post.c.post_id, post_problem.c.brand == brand,
            post_problem.c.model == pm, post_problem.c.version == pv)))
        .where(where, post_problem.c.problem_id.is_not(None))
    ).all()
    now: Counter[str] = Counter()
    before: Counter[str] = Counter()
    for pid, created in rows:
        (now if as_utc(created) >= start else before)[pid] += 1
    grown = _lifts(now, before, windows, TOP_GROWN)
    labels = dict(conn.execute(select(problem.c.problem_id, problem.c.label).where(
        problem.c.problem_id.in_([g[0] for g in grown]))).all()) if grown else {}
    return [{"problem_id": pid, "label": labels.get(pid, pid), "negative": count,
             "expected": round(expected, 2)} for pid, count, expected in grown]


def _grown_keyphrases(conn: Connection, brand: str, start: datetime, end: datetime,
                      base_start: datetime, windows: float, model: str,
                      version: str, skip: frozenset[str]) -> list[dict[str, Any]]:
    km, kv = KEYPHRASE_MODEL
    where, joined = _negative_mentions(brand, base_start, end, model, version)
    rows = conn.execute(
        select(keyphrase.c.phrases, post.c.created_at)
        .select_from(joined.join(keyphrase, and_(keyphrase.c.post_id == post.c.post_id,
                                                 keyphrase.c.model == km,
                                                 keyphrase.c.version == kv)))
        .where(where).execution_options(yield_per=1000)
    )
    now: Counter[str] = Counter()
    before: Counter[str] = Counter()
    for phrases, created in rows:
        target = now if as_utc(created) >= start else before
        for phrase in {str(p[0]).lower() for p in (phrases or [])} - skip:
            target[phrase] += 1
    return [{"phrase": phrase, "posts": count, "expected": round(expected, 2)}
            for phrase, count, expected in _lifts(now, before, windows, TOP_KEYPHRASES)]
