"""Read what the report shows from the warehouse."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

from sqlalchemy import Connection, and_, desc, func, select

from pipeline.config import BrandConfig, Config
from pipeline.nlp.intent_head import configured_intent_identity
from pipeline.nlp.keyphrases import KEYPHRASE_MODEL
from pipeline.nlp.problem_store import problem_trends, stale_problems_warning
from pipeline.nlp.problems import PROBLEM_MODEL
from pipeline.records import as_date, as_utc, utcnow
from pipeline.redact import redact
from pipeline.report.data import (
    AlertSummary,
    BrandKpis,
    ChiefRow,
    CommunityRow,
    Coverage,
    DataState,
    DayPoint,
    Idea,
    Kpis,
    PostExample,
    ProblemSummary,
    QueueItem,
    ReportData,
    ShareOfVoice,
    SourceHealth,
    SourcePeriod,
)
from pipeline.report.i18n import LANGUAGES, main_language
from pipeline.reputation import reach as reach_of
from pipeline.reputation.metrics import (
    BY_OFFICIAL,
    counted_mentions,
    net_sentiment,
    share_of_voice,
)
from pipeline.reputation.response_queue import response_queue
from pipeline.reputation.score import reputation
from pipeline.reputation.tribes import rank_authors, rank_communities
from pipeline.warehouse.schema import (
    alert,
    daily_brand_metrics,
    intent,
    mention,
    post,
    sentiment,
    sentiment_override,
    source_run,
    source_state,
)

log = logging.getLogger(__name__)

MOST_NEGATIVE = 10
IDEAS = 8
PROBLEMS = 8
PROBLEM_DAYS = 35  # the days problem_trends reads (7 recent + 28 baseline)
TRIBES = 10
EXPERTS = 5
QUEUE = 10


class _Totals:
    """Sums of daily metrics over a period."""

    def __init__(self, row: Any) -> None:
        self.volume, self.negative, self.positive = int(row[0]), int(row[1]), int(row[2])
        self.reach, self.rep_sum, self.rep_weight = float(row[3]), float(row[4]), float(row[5])

    def reputation(self, prior: float) -> float | None:
        return reputation(self.rep_sum, self.rep_weight, prior)


def _totals(conn: Connection, brand: str, start: date, end: date) -> _Totals:
    m = daily_brand_metrics.c
    sums = [func.coalesce(func.sum(c), 0) for c in
            (m.volume, m.negative, m.positive, m.reach, m.rep_sum, m.rep_weight)]
    return _Totals(conn.execute(
        select(*sums).where(m.brand == brand, m.day >= start, m.day <= end)).one())


def _daily(conn: Connection, brand: str, start: date, end: date, prior: float,
           trend_days: int) -> list[DayPoint]:
    m = daily_brand_metrics.c
    first = start - timedelta(days=trend_days - 1)
    rows = conn.execute(select(daily_brand_metrics).where(
        m.brand == brand, m.day >= first, m.day <= end)).mappings().all()
    by_day = {as_date(r["day"]): r for r in rows}
    daily = []
    day = start
    while day <= end:
        r = by_day.get(day)
        window = [by_day[d] for d in (day - timedelta(days=i) for i in range(trend_days))
                  if d in by_day]
        rep_sum = sum(float(w["rep_sum"] or 0) for w in window)
        rep_weight = sum(float(w["rep_weight"] or 0) for w in window)
        daily.append(DayPoint(
            day=day, volume=int(r["volume"]) if r else 0, negative=int(r["negative"]) if r else 0,
            neutral=int(r["neutral"]) if r else 0, positive=int(r["positive"]) if r else 0,
            net_sentiment=r["net_sentiment"] if r else None,
            share_of_voice=r["share_of_voice"] if r else None,
            reputation=reputation(rep_sum, rep_weight, prior),
            reach=float(r["reach"] or 0) if r else 0.0,
        ))
        day += timedelta(days=1)
    return daily


def _share(a: int, b: int) -> float | None:
    return a / b if b else None


def _kpis(conn: Connection, brand: BrandConfig, start: date, end: date,
          prior: float) -> tuple[Kpis, list[BrandKpis], list[ShareOfVoice]]:
    span = (end - start).days + 1
    prev_start, prev_end = start - timedelta(days=span), start - timedelta(days=1)
    now = _totals(conn, brand.name, start, end)
    before = _totals(conn, brand.name, prev_start, prev_end)
    rivals = {c: _totals(conn, c, start, end) for c in brand.competitors}
    rivals_prev = {c: _totals(conn, c, prev_start, prev_end).volume for c in brand.competitors}
    has_rivals = bool(brand.competitors)
    kpis = Kpis(
        volume=now.volume, volume_prev=before.volume,
        net_sentiment=net_sentiment(now.positive, now.negative),
        net_sentiment_prev=net_sentiment(before.positive, before.negative),
        negative_share=_share(now.negative, now.volume),
        share_of_voice=share_of_voice(now.volume, [t.volume for t in rivals.values()])
        if has_rivals else None,
        negative_share_prev=_share(before.negative, before.volume),
        share_of_voice_prev=share_of_voice(before.volume, rivals_prev.values())
        if has_rivals else None,
        reputation=now.reputation(prior), reputation_prev=before.reputation(prior),
        reach=now.reach, reach_prev=before.reach,
        positive=now.positive, negative=now.negative,
        positive_prev=before.positive, negative_prev=before.negative,
    )
    total_voice = now.volume + sum(t.volume for t in rivals.values())
    compared = [
        BrandKpis(brand=name, is_self=name == brand.name, mentions=t.volume,
                  net_sentiment=net_sentiment(t.positive, t.negative),
                  reputation=t.reputation(prior), negative_share=_share(t.negative, t.volume),
                  share_of_voice=_share(t.volume, total_voice),
                  positive=t.positive, negative=t.negative)
        for name, t in [(brand.name, now), *rivals.items()]
    ] if has_rivals else []
    sov = [ShareOfVoice(b.brand, b.mentions, b.share_of_voice or 0.0) for b in compared]
    return kpis, compared, sov


def _most_negative(conn: Connection, brand: str, start: date, end: date, model: str,
                   version: str) -> list[PostExample]:
    rows = conn.execute(
        select(post.c.post_id, post.c.created_at, post.c.source, post.c.community, post.c.url,
               post.c.lang, post.c.title, post.c.text, sentiment.c.negative)
        .select_from(mention)
        .join(post, and_(post.c.post_id == mention.c.post_id, post.c.duplicate_of.is_(None)))
        .join(sentiment, and_(sentiment.c.post_id == mention.c.post_id,
                              sentiment.c.model == model, sentiment.c.version == version))
        .where(mention.c.brand == brand, mention.c.day >= start, mention.c.day <= end,
               ~BY_OFFICIAL)
        .order_by(desc(sentiment.c.negative), post.c.post_id)
        .limit(MOST_NEGATIVE)
    ).all()
    return [PostExample(post_id=r.post_id, created_at=as_utc(r.created_at), source=r.source,
                        community=r.community, url=r.url, lang=r.lang, title=r.title,
                        text=r.text, negative_score=float(r.negative)) for r in rows]


def _ideas(conn: Connection, brand: str, start: date, end: date,
           intent_model: tuple[str, str]) -> list[Idea]:
    im, iv = intent_model
    rows = conn.execute(
        select(post.c.post_id, post.c.created_at, post.c.source, post.c.community, post.c.url,
               post.c.lang, post.c.text, post.c.engagement)
        .select_from(mention)
        .join(post, and_(post.c.post_id == mention.c.post_id, post.c.duplicate_of.is_(None)))
        .join(intent, and_(intent.c.post_id == mention.c.post_id, intent.c.model == im,
                           intent.c.version == iv, intent.c.label == "suggestion"))
        .where(mention.c.brand == brand, mention.c.day >= start, mention.c.day <= end,
               ~BY_OFFICIAL)
    ).all()
    ideas = [Idea(post_id=r.post_id, created_at=as_utc(r.created_at), source=r.source,
                  community=r.community, url=r.url, lang=r.lang, text=r.text,
                  reach=reach_of.reach(r.engagement if isinstance(r.engagement, dict) else None))
             for r in rows]
    ideas.sort(key=lambda i: (-i.reach, -i.created_at.timestamp(), i.post_id))
    return ideas[:IDEAS]


def _problems(conn: Connection, brand: str, end: date, lang: str) -> list[ProblemSummary]:
    out = []
    trends = problem_trends(conn, brand, end, lang=lang)
    if (stale := stale_problems_warning(conn, brand, end - timedelta(days=PROBLEM_DAYS - 1))):
        log.warning(stale)
    for t in trends[:PROBLEMS]:
        score = t["score"]
        out.append(ProblemSummary(
            problem_id=t["problem_id"], label=t["label"], recent=int(t["recent"]),
            before=int(t["before"]), emerging_score=float(score.score),
            emerging=bool(score.emerging), share_negative=float(t["share_negative"]),
            daily=[int(x) for x in t["daily"]], examples=[str(e) for e in t["examples"]],
        ))
    return out


def _alerts(conn: Connection, brand: str, start: date, end: date) -> list[AlertSummary]:
    rows = conn.execute(
        select(alert).where(alert.c.brand == brand, alert.c.day >= start, alert.c.day <= end)
        .order_by(alert.c.day, alert.c.period_start, alert.c.alert_id)
    ).mappings().all()
    return [AlertSummary(
        as_date(a["day"]), a["rule"], int(a["severity"]), a["message"],
        alert_id=a["alert_id"], status=a["status"],
        hour=as_utc(a["period_start"]) if a["freq"] == "H" and a["period_start"] else None,
        value=float(a["value"]), baseline=float(a["baseline"]),
        details=dict(a["details"] or {}),
    ) for a in rows]


def _sources(conn: Connection) -> list[SourceHealth]:
    return [SourceHealth(
        source=r.source, kind=r.kind, status=r.status,
        last_success_at=as_utc(r.last_success_at) if r.last_success_at else None,
        last_items=r.last_items, consecutive_failures=int(r.consecutive_failures or 0),
        last_error=redact(r.last_error) if r.last_error else None,
    ) for r in conn.execute(select(source_state).order_by(source_state.c.source))]


def _data_state(conn: Connection, config: Config, brand: str, start: date, end: date,
                model: str, version: str) -> DataState:
    """Per source what it delivered in [start, end] (posts by their date, runs by their
    start), and on how many days the brand had mentions."""
    states = {r.source: r for r in conn.execute(select(source_state))}
    configured = {s.name: s for s in config.sources}
    posts = {r.source: (int(r.posts), int(r.days)) for r in conn.execute(
        select(post.c.source, func.count().label("posts"),
               func.count(post.c.day.distinct()).label("days"))
        .where(post.c.day >= start, post.c.day <= end).group_by(post.c.source))}
    mentions: Counter[str] = Counter()
    mention_days: set[date] = set()
    for source, day in conn.execute(
            counted_mentions(model, version, post.c.source, mention.c.day)
            .where(mention.c.brand == brand, mention.c.day >= start, mention.c.day <= end)
            .execution_options(yield_per=2000)):
        mentions[source] += 1
        mention_days.add(as_date(day))
    first = datetime.combine(start, time(), UTC)
    after = datetime.combine(end + timedelta(days=1), time(), UTC)
    runs: dict[str, list[Any]] = {}
    for r in conn.execute(select(source_run.c.source, source_run.c.status, source_run.c.error)
                          .where(source_run.c.started_at >= first,
                                 source_run.c.started_at < after)
                          .order_by(source_run.c.started_at)):
        runs.setdefault(r.source, []).append(r)
    any_days = conn.execute(select(func.count(post.c.day.distinct())).where(
        post.c.day >= start, post.c.day <= end)).scalar_one()
    sources = []
    for name in sorted(set(configured) | set(states)):
        state, cfg_source = states.get(name), configured.get(name)
        own_runs = runs.get(name, [])
        failed = [r for r in own_runs if r.status == "failed"]
        last_error = failed[-1].error if failed else None
        if state is not None and state.status != "ok" and state.last_error:
            last_error = state.last_error
        sources.append(SourcePeriod(
            source=name,
            kind=cfg_source.kind if cfg_source is not None else state.kind,  # type: ignore[union-attr]
            enabled=bool(cfg_source.enabled) if cfg_source is not None else False,
            status=state.status if state is not None else "never",
            posts=posts.get(name, (0, 0))[0], mentions=mentions[name],
            days_with_posts=posts.get(name, (0, 0))[1], runs=len(own_runs),
            failed_runs=len(failed), last_error=redact(last_error) if last_error else None))
    return DataState(days=(end - start).days + 1, days_with_mentions=len(mention_days),
                     days_with_posts=int(any_days or 0), sources=sources)


def _coverage(conn: Connection, brand: str, start: date, end: date, model: str,
              version: str) -> Coverage:
    rows = conn.execute(
        counted_mentions(model, version, post.c.lang, sentiment.c.label,
                         sentiment_override.c.label.label("human"))
        .where(mention.c.brand == brand, mention.c.day >= start, mention.c.day <= end)
        .execution_options(yield_per=2000)
    )
    langs: Counter[str] = Counter()
    total = scored = human = 0
    for lang, label, human_label in rows:
        total += 1
        scored += label is not None
        human += human_label is not None
        langs[lang or "?"] += 1
    return Coverage(mentions=total, scored=scored, human_labels=human,
                    by_lang=dict(langs.most_common()))


R = TypeVar("R")


def _as(cls: type[R], source: Any, **override: Any) -> R:
    """The report's copy of a ranking row: the fields `cls` has, taken by name."""
    values = {f.name: getattr(source, f.name) for f in fields(cls)}  # type: ignore[arg-type]
    return cls(**{**values, **override})


def build_report_data(conn: Connection, config: Config, brand_name: str, start: date, end: date,
                      model: str, version: str) -> ReportData:
    brand = config.brand(brand_name)
    prior = config.reputation.prior_weight
    intent_model = configured_intent_identity(config)  # the intents stored beside `model`
    kpis, compared, sov = _kpis(conn, brand, start, end, prior)
    now = min(utcnow(), datetime.combine(end + timedelta(days=1), time(), UTC))
    communities = rank_communities(conn, brand.name, start, end, model, version, limit=TRIBES)
    chiefs = rank_authors(conn, brand.name, start, end, model, version, limit=TRIBES,
                          role="chiefs")
    experts = rank_authors(conn, brand.name, start, end, model, version, limit=EXPERTS,
                           role="experts")
    coverage = _coverage(conn, brand.name, start, end, model, version)
    language = config.report.language or main_language(
        coverage.by_lang, fallback=next((c for c in brand.languages if c in LANGUAGES), "en"))
    queue = response_queue(conn, brand, now, model, version, *intent_model,
                           max_age_days=config.reputation.response_queue_days, limit=QUEUE)
    return ReportData(
        brand=brand.name, competitors=list(brand.competitors), period_start=start,
        period_end=end, generated_at=utcnow(), kpis=kpis,
        daily=_daily(conn, brand.name, start, end, prior, config.reputation.trend_days),
        share_of_voice=sov,
        most_negative=_most_negative(conn, brand.name, start, end, model, version),
        alerts=_alerts(conn, brand.name, start, end),
        model=f"{model} {version}",
        competitor_kpis=compared,
        problems=_problems(conn, brand.name, end, language),
        ideas=_ideas(conn, brand.name, start, end, intent_model),
        communities=[_as(CommunityRow, c) for c in communities],
        chiefs=[_as(ChiefRow, a) for a in chiefs],
        experts=[_as(ChiefRow, a) for a in experts],
        response_queue=[_as(QueueItem, q, created_at=as_utc(q.created_at)) for q in queue],
        sources=_sources(conn),
        coverage=coverage,
        data_state=_data_state(conn, config, brand.name, start, end, model, version),
        language=language, timezone=config.report.timezone,
        models={"sentiment": f"{model} {version}", "intent": " ".join(intent_model),
                "keyphrases": " ".join(KEYPHRASE_MODEL), "problems": " ".join(PROBLEM_MODEL)},
        reputation_prior=prior, trend_days=config.reputation.trend_days,
    )
