"""Read what the report shows from the warehouse."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Connection, and_, desc, func, select

from pipeline.config import Config
from pipeline.records import as_date, utcnow
from pipeline.report.data import (
    AlertSummary,
    DayPoint,
    Kpis,
    PostExample,
    ReportData,
    ShareOfVoice,
)
from pipeline.reputation.metrics import net_sentiment, share_of_voice
from pipeline.warehouse.schema import alert, daily_brand_metrics, mention, post, sentiment

MOST_NEGATIVE = 10


def _totals(conn: Connection, brand: str, start: date, end: date) -> tuple[int, int, int]:
    m = daily_brand_metrics.c
    row = conn.execute(
        select(func.coalesce(func.sum(m.volume), 0), func.coalesce(func.sum(m.negative), 0),
               func.coalesce(func.sum(m.positive), 0))
        .where(m.brand == brand, m.day >= start, m.day <= end)
    ).one()
    return int(row[0]), int(row[1]), int(row[2])


def build_report_data(conn: Connection, config: Config, brand_name: str, start: date, end: date,
                      model: str, version: str) -> ReportData:
    brand = config.brand(brand_name)
    m = daily_brand_metrics.c
    rows = conn.execute(
        select(daily_brand_metrics).where(m.brand == brand.name, m.day >= start, m.day <= end)
        .order_by(m.day)
    ).mappings().all()
    by_day = {as_date(r["day"]): r for r in rows}
    daily = []
    day = start
    while day <= end:
        r = by_day.get(day)
        daily.append(DayPoint(
            day=day, volume=int(r["volume"]) if r else 0, negative=int(r["negative"]) if r else 0,
            neutral=int(r["neutral"]) if r else 0, positive=int(r["positive"]) if r else 0,
            net_sentiment=r["net_sentiment"] if r else None,
            share_of_voice=r["share_of_voice"] if r else None,
        ))
        day += timedelta(days=1)

    span = (end - start).days + 1
    prev_start, prev_end = start - timedelta(days=span), start - timedelta(days=1)
    volume, negative, positive = _totals(conn, brand.name, start, end)
    volume_prev, negative_prev, positive_prev = _totals(conn, brand.name, prev_start, prev_end)
    rivals = {c: _totals(conn, c, start, end)[0] for c in brand.competitors}
    kpis = Kpis(
        volume=volume, volume_prev=volume_prev,
        net_sentiment=net_sentiment(positive, negative),
        net_sentiment_prev=net_sentiment(positive_prev, negative_prev),
        negative_share=negative / volume if volume else None,
        share_of_voice=share_of_voice(volume, rivals.values()) if brand.competitors else None,
    )
    total_voice = volume + sum(rivals.values())
    sov = [ShareOfVoice(b, n, n / total_voice if total_voice else 0.0)
           for b, n in [(brand.name, volume), *rivals.items()]] if brand.competitors else []

    negative_posts = conn.execute(
        select(post.c.post_id, post.c.created_at, post.c.source, post.c.community, post.c.url,
               post.c.lang, post.c.title, post.c.text, sentiment.c.negative)
        .select_from(mention)
        .join(post, and_(post.c.post_id == mention.c.post_id, post.c.duplicate_of.is_(None)))
        .join(sentiment, and_(sentiment.c.post_id == mention.c.post_id,
                              sentiment.c.model == model, sentiment.c.version == version))
        .where(mention.c.brand == brand.name, mention.c.day >= start, mention.c.day <= end)
        .order_by(desc(sentiment.c.negative), post.c.post_id)
        .limit(MOST_NEGATIVE)
    ).all()
    alerts = conn.execute(
        select(alert).where(alert.c.brand == brand.name, alert.c.day >= start,
                            alert.c.day <= end).order_by(alert.c.day)
    ).mappings().all()
    return ReportData(
        brand=brand.name, competitors=list(brand.competitors), period_start=start,
        period_end=end, generated_at=utcnow(), kpis=kpis, daily=daily, share_of_voice=sov,
        most_negative=[PostExample(
            post_id=r.post_id, created_at=r.created_at, source=r.source, community=r.community,
            url=r.url, lang=r.lang, title=r.title, text=r.text,
            negative_score=float(r.negative)) for r in negative_posts],
        alerts=[AlertSummary(as_date(a["day"]), a["rule"], int(a["severity"]), a["message"])
                for a in alerts],
        model=f"{model} {version}",
    )
