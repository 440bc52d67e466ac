"""Evaluate alert rules over daily metrics, store alerts, and send them."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, func, select, update

from pipeline.config import Config, SpikeRuleConfig
from pipeline.records import as_date, as_utc, utcnow
from pipeline.reputation.detector import DetectorParams, cap_per_day
from pipeline.reputation.explain import explain_spike
from pipeline.reputation.notify import deliver
from pipeline.reputation.report_links import latest_report_link
from pipeline.reputation.spikes import Spike, detect_hourly_spikes, detect_negative_spikes
from pipeline.warehouse.load import upsert
from pipeline.warehouse.schema import alert, brand_metrics_slice, daily_brand_metrics

log = logging.getLogger(__name__)

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
    hour: datetime | None = None


def rule_params(rule: SpikeRuleConfig) -> DetectorParams:
    """Day-based rule fields become hours for hourly rules (the cooldown has its own)."""
    per_day = 24 if rule.freq == "H" else 1
    return DetectorParams.for_freq(
        rule.freq, level_window=rule.baseline_days * per_day,
        min_history=rule.min_history * per_day, min_negative=rule.min_negative,
        min_ratio=rule.min_ratio, threshold=rule.threshold,
        cooldown=rule.cooldown_hours if rule.freq == "H" else rule.cooldown_days,
        share_guard=rule.use_share,
        persistence_k=rule.persistence_k, persistence_m=rule.persistence_m,
    )


def _daily_series(conn: Connection, brand: str, first: date,
                  end: date) -> tuple[list[date], list[int], list[int]]:
    m = daily_brand_metrics.c
    rows = conn.execute(select(m.day, m.negative, m.neutral, m.positive)
                        .where(m.brand == brand, m.day >= first, m.day <= end)).all()
    by_day = {as_date(r.day): r for r in rows}
    if not by_day:
        return [], [], []
    start = min(by_day)
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    # scored mentions only: the share test compares like with like
    totals = [by_day[d].negative + by_day[d].neutral + by_day[d].positive
              if d in by_day else 0 for d in days]
    negatives = [by_day[d].negative if d in by_day else 0 for d in days]
    return days, totals, negatives


def _hourly_series(conn: Connection, brand: str, first: date,
                   end: date) -> tuple[list[datetime], list[int], list[int]]:
    s = brand_metrics_slice.c
    after = datetime.combine(end + timedelta(days=1), time(), UTC)
    rows = conn.execute(
        select(s.period_start, s.negative, s.neutral, s.positive)
        .where(s.brand == brand, s.grain == "hour", s.dimension == "all",
               s.period_start >= datetime.combine(first, time(), UTC), s.period_start < after)
    ).all()
    by_hour = {as_utc(r.period_start): r for r in rows}
    if not by_hour:
        return [], [], []
    hour = datetime.combine(min(by_hour).date(), time(), UTC)
    hours = []
    while hour < after:
        hours.append(hour)
        hour += timedelta(hours=1)
    totals = [by_hour[h].negative + by_hour[h].neutral + by_hour[h].positive
              if h in by_hour else 0 for h in hours]
    negatives = [by_hour[h].negative if h in by_hour else 0 for h in hours]
    return hours, totals, negatives


def evaluate_alerts(
    conn: Connection, config: Config, model: str, version: str, start: date, end: date
) -> list[AlertRecord]:
    """Run every rule for every brand on days in [start, end]; store new alerts."""
    created: list[AlertRecord] = []
    for rule in config.alerts.rules:
        params = rule_params(rule)
        window_days = params.level_window // (24 if rule.freq == "H" else 1)
        history_start = start - timedelta(days=max(HISTORY_DAYS, window_days))
        for brand in config.brands:
            spikes: list[Spike]
            if rule.freq == "H":
                hours, totals, negatives = _hourly_series(conn, brand.name, history_start, end)
                spikes = detect_hourly_spikes(hours, totals, negatives, params) if hours else []
            else:
                days, totals, negatives = _daily_series(conn, brand.name, history_start, end)
                spikes = detect_negative_spikes(days, totals, negatives, params) if days else []
            spikes = [s for s in spikes if s.day >= start]
            spikes = cap_per_day(spikes, rule.max_per_day, time=lambda s: s.day)
            link = latest_report_link(config, brand.name)
            terms = frozenset(t.lstrip("=").lower() for t in [brand.name, *brand.aliases])
            for spike in spikes:
                record = _alert_record(conn, rule, brand.name, spike, model, version, link,
                                       terms)
                upsert(conn, alert, [{
                    "alert_id": record.alert_id, "rule": record.rule, "brand": record.brand,
                    "day": record.day, "severity": record.severity, "status": "open",
                    "value": record.value, "baseline": record.baseline, "score": spike.score,
                    "message": record.message, "details": record.details,
                    "created_at": utcnow(), "notified_at": None, "delivery": None,
                    "freq": rule.freq, "period_start": spike.hour or datetime.combine(
                        spike.day, time(), UTC),
                }])
                created.append(record)
    return created


def _alert_record(conn: Connection, rule: SpikeRuleConfig, brand: str, spike: Spike,
                  model: str, version: str, link: str,
                  brand_terms: frozenset[str]) -> AlertRecord:
    if spike.hour is not None:
        when = f"{spike.hour:%Y-%m-%d %H}:00 UTC"
        alert_id = f"{rule.name}:{brand}:{spike.hour:%Y-%m-%dT%H}"
        message = (f"{brand}: {spike.value} negative mentions in the hour from {when} "
                   f"vs a baseline of {spike.baseline:g}/hour (severity {spike.severity}/10)")
    else:
        alert_id = f"{rule.name}:{brand}:{spike.day:%Y-%m-%d}"
        message = (f"{brand}: {spike.value} negative mentions on {spike.day:%Y-%m-%d} "
                   f"vs a baseline of {spike.baseline:g}/day (severity {spike.severity}/10)")
    return AlertRecord(
        alert_id=alert_id, rule=rule.name, brand=brand, day=spike.day,
        severity=spike.severity, status="open", value=float(spike.value),
        baseline=spike.baseline, message=message, hour=spike.hour,
        details=explain_spike(conn, brand, spike.day, model, version, hour=spike.hour,
                              report_link=link, brand_terms=brand_terms),
    )


def notify_pending(engine: Engine, config: Config) -> dict[str, int]:
    """Send open alerts not yet delivered; failures stay pending for the next run."""
    with engine.connect() as conn:
        newest = conn.execute(select(func.max(daily_brand_metrics.c.day))).scalar()
        pending = conn.execute(
            select(alert).where(alert.c.notified_at.is_(None), alert.c.status == "open")
            .order_by(alert.c.day, alert.c.alert_id)
        ).mappings().all()
    stats = {"sent": 0, "failed": 0, "historical": 0, "capped": 0}
    cutoff = as_date(newest) - timedelta(days=config.alerts.notify_max_age_days) \
        if newest else None
    cap = config.alerts.max_notifications_per_day
    for row in pending:
        log.warning("ALERT %s", row["message"])
        if cutoff is not None and as_date(row["day"]) < cutoff:
            delivery = {"_": f"not sent: older than {config.alerts.notify_max_age_days} days"}
            stats["historical"] += 1
            ok = True
        elif _sent_today(engine, row["brand"], as_date(row["day"])) >= cap:
            delivery = {"_": f"not sent: {cap} notifications for {row['brand']} that day "
                             "already (alerts.max_notifications_per_day)"}
            stats["capped"] += 1
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


def _sent_today(engine: Engine, brand: str, day: date) -> int:
    """Notifications actually delivered (or attempted) for a brand and day."""
    with engine.connect() as conn:
        rows = conn.execute(select(alert.c.delivery).where(
            alert.c.brand == brand, alert.c.day == day, alert.c.notified_at.is_not(None))).all()
    return sum(1 for (delivery,) in rows if delivery and "_" not in delivery)


def _alert_body(row: Any) -> str:
    lines = [row["message"]]
    details = row["details"] or {}
    for item in details.get("top_posts", []):
        lines.append(f"- [{item['source']}] {item['text'][:160]} {item.get('url') or ''}")
    for key, label in (("sources", "sources"), ("communities", "communities")):
        named = ", ".join(f"{s['name']} ({s['negative']})" for s in details.get(key, [])
                          if s.get("name"))
        if named:
            lines.append(f"{label}: {named}")
    grown = ", ".join(f"{p['label']} ({p['negative']} vs {p['expected']:g} expected)"
                      for p in details.get("problems", []))
    if grown:
        lines.append(f"problems that grew: {grown}")
    phrases = ", ".join(p["phrase"] for p in details.get("keyphrases", []))
    if phrases:
        lines.append(f"keyphrases that grew: {phrases}")
    if details.get("report"):
        lines.append(f"report: {details['report']}")
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
