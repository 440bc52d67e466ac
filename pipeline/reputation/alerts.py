"""Evaluate alert rules over daily metrics, store alerts, and send them."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, and_, desc, func, select, update

from pipeline.config import Config, SpikeRuleConfig
from pipeline.records import as_date, utcnow
from pipeline.reputation.detector import DetectorParams, cap_per_day
from pipeline.reputation.notify import deliver
from pipeline.reputation.spikes import Spike, detect_negative_spikes
from pipeline.warehouse.load import upsert
from pipeline.warehouse.schema import alert, daily_brand_metrics, mention, post, sentiment

log = logging.getLogger(__name__)

EXAMPLE_POSTS = 3
# six weeks of seasonality plus the noise history: the same verdicts as a continuous run
HISTORY_DAYS = 56


@dataclass(slots=True)
class AlertRecord:
    alert_id: str
    rule: str
    brand: str
    day: date
    severity: int
    status: str
    value: float
    baseline: float
    message: str
    details: dict[str, Any]
    notified_at: Any = None


def rule_params(rule: SpikeRuleConfig) -> DetectorParams:
    return DetectorParams.for_freq(
        "D", level_window=rule.baseline_days, min_history=rule.min_history,
        min_negative=rule.min_negative, min_ratio=rule.min_ratio, threshold=rule.threshold,
        cooldown=rule.cooldown_days, share_guard=rule.use_share,
        persistence_k=rule.persistence_k, persistence_m=rule.persistence_m,
    )


def evaluate_alerts(
    conn: Connection, config: Config, model: str, version: str, start: date, end: date
) -> list[AlertRecord]:
    """Run every rule for every brand on days in [start, end]; store new alerts."""
    created: list[AlertRecord] = []
    for rule in config.alerts.rules:
        params = rule_params(rule)
        history_start = start - timedelta(days=max(HISTORY_DAYS, params.level_window))
        m = daily_brand_metrics.c
        for brand in config.brands:
            rows = conn.execute(
                select(m.day, m.negative, m.neutral, m.positive)
                .where(m.brand == brand.name, m.day >= history_start, m.day <= end)
                .order_by(m.day)
            ).all()
            if not rows:
                continue
            by_day = {as_date(r.day): r for r in rows}
            first = min(by_day)
            days = [first + timedelta(days=i) for i in range((end - first).days + 1)]
            negatives = [by_day[d].negative if d in by_day else 0 for d in days]
            # scored mentions only: the share test compares like with like
            totals = [by_day[d].negative + by_day[d].neutral + by_day[d].positive
                      if d in by_day else 0 for d in days]
            spikes = [s for s in detect_negative_spikes(days, totals, negatives, params)
                      if s.day >= start]
            spikes = cap_per_day(spikes, rule.max_per_day, time=lambda s: s.day)
            for spike in spikes:
                record = _alert_record(conn, rule.name, brand.name, spike, model, version)
                upsert(conn, alert, [{
                    "alert_id": record.alert_id, "rule": record.rule, "brand": record.brand,
                    "day": record.day, "severity": record.severity, "status": "open",
                    "value": record.value, "baseline": record.baseline, "score": spike.score,
                    "message": record.message, "details": record.details,
                    "created_at": utcnow(), "notified_at": None, "delivery": None,
                }])
                created.append(record)
    return created


def _alert_record(conn: Connection, rule: str, brand: str, spike: Spike,
                  model: str, version: str) -> AlertRecord:
    message = (f"{brand}: {spike.value} negative mentions on {spike.day:%Y-%m-%d} "
               f"vs a baseline of {spike.baseline:g}/day (severity {spike.severity}/10)")
    return AlertRecord(
        alert_id=f"{rule}:{brand}:{spike.day:%Y-%m-%d}", rule=rule, brand=brand, day=spike.day,
        severity=spike.severity, status="open", value=float(spike.value),
        baseline=spike.baseline, message=message,
        details=explain_spike(conn, brand, spike.day, model, version),
    )


def explain_spike(conn: Connection, brand: str, day: date, model: str,
                  version: str) -> dict[str, Any]:
    """The posts, sources and communities behind a day's negative mentions."""
    negative = and_(
        mention.c.brand == brand, mention.c.day == day,
        sentiment.c.model == model, sentiment.c.version == version,
        sentiment.c.label == "negative", post.c.duplicate_of.is_(None),
    )
    base = (select(post.c.post_id, post.c.source, post.c.community, post.c.url,
                   post.c.text, sentiment.c.negative)
            .select_from(mention)
            .join(post, post.c.post_id == mention.c.post_id)
            .join(sentiment, sentiment.c.post_id == mention.c.post_id)
            .where(negative))
    top = conn.execute(base.order_by(desc(sentiment.c.negative), post.c.post_id)
                       .limit(EXAMPLE_POSTS)).all()
    by = {}
    for column in ("source", "community"):
        col = post.c[column]
        rows = conn.execute(
            select(col, func.count().label("n")).select_from(mention)
            .join(post, post.c.post_id == mention.c.post_id)
            .join(sentiment, sentiment.c.post_id == mention.c.post_id)
            .where(negative).group_by(col).order_by(desc("n"), col).limit(3)
        ).all()
        by[column + "s"] = [{"name": r[0], "negative": int(r[1])} for r in rows]
    return {
        "top_posts": [{"post_id": r.post_id, "url": r.url, "source": r.source,
                       "text": r.text[:280], "negative": round(float(r.negative), 3)}
                      for r in top],
        **by,
    }


def notify_pending(engine: Engine, config: Config) -> dict[str, int]:
    """Send open alerts not yet delivered; failures stay pending for the next run."""
    with engine.connect() as conn:
        newest = conn.execute(select(func.max(daily_brand_metrics.c.day))).scalar()
        pending = conn.execute(
            select(alert).where(alert.c.notified_at.is_(None), alert.c.status == "open")
            .order_by(alert.c.day, alert.c.alert_id)
        ).mappings().all()
    stats = {"sent": 0, "failed": 0, "historical": 0}
    cutoff = as_date(newest) - timedelta(days=config.alerts.notify_max_age_days) \
        if newest else None
    for row in pending:
        log.warning("ALERT %s", row["message"])
        if cutoff is not None and as_date(row["day"]) < cutoff:
            delivery = {"_": f"not sent: older than {config.alerts.notify_max_age_days} days"}
            stats["historical"] += 1
            ok = True
        else:
            delivery = deliver(config.notifications, title=f"stimmung alert: {row['brand']}",
                               body=_alert_body(row))
            ok = all(v == "ok" for v in delivery.values())
            stats["sent" if ok else "failed"] += 1
        with engine.begin() as conn:
            conn.execute(update(alert).where(alert.c.alert_id == row["alert_id"]).values(
                delivery=delivery, notified_at=utcnow() if ok else None
            ))
    return stats


def _alert_body(row: Any) -> str:
    lines = [row["message"]]
    details = row["details"] or {}
    for item in details.get("top_posts", []):
        lines.append(f"- [{item['source']}] {item['text'][:160]} {item.get('url') or ''}")
    sources = ", ".join(f"{s['name']} ({s['negative']})" for s in details.get("sources", []))
    if sources:
        lines.append(f"sources: {sources}")
    return "\n".join(lines)


def list_alerts(conn: Connection, brand: str | None = None,
                since: date | None = None) -> list[dict[str, Any]]:
    query = select(alert).order_by(alert.c.day, alert.c.alert_id)
    if brand:
        query = query.where(alert.c.brand == brand)
    if since:
        query = query.where(alert.c.day >= since)
    return [dict(r) for r in conn.execute(query).mappings()]



ALERT_STATUSES = ("open", "acknowledged", "resolved")


def set_alert_status(conn: Connection, alert_id: str, status: str) -> None:
    """Move an alert through its lifecycle: open → acknowledged → resolved."""
    if status not in ALERT_STATUSES:
        raise ValueError(f"status {status!r} is not one of {', '.join(ALERT_STATUSES)}")
    result = conn.execute(update(alert).where(alert.c.alert_id == alert_id)
                          .values(status=status))
    if not result.rowcount:
        raise LookupError(f"no alert with id {alert_id!r} (see `stimmung alerts`)")
