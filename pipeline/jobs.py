"""The end-to-end steps (collect, analyze, aggregate, alert, report) that CLI and DAGs call.

Every step is idempotent: writes are keyed (source + external id, post × brand,
post × model version, brand × day), so re-running an interval never duplicates rows.
"""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, func, select, tuple_

from pipeline.config import Config, SourceConfig
from pipeline.enrich import Enricher, build_enricher
from pipeline.nlp.problem_store import ProblemSession, analyze_problems
from pipeline.nlp.profiles import resolve_profile
from pipeline.nlp.sentiment import load_backend
from pipeline.nlp.sentiment.base import SentimentBackend
from pipeline.progress import announce_total
from pipeline.records import Mention, Post, RawPost, as_date, post_key, utcnow
from pipeline.redact import redact
from pipeline.reputation.alerts import AlertRecord, evaluate_alerts, notify_pending
from pipeline.reputation.metrics import compute_daily_metrics, mention_day_range
from pipeline.reputation.official import sync_official_accounts
from pipeline.sources.base import PartialFailure, SourceError, build_source
from pipeline.text.pseudonym import Pseudonymiser
from pipeline.timing import timed
from pipeline.warehouse import state
from pipeline.warehouse.db import current_revision, make_engine, migrate
from pipeline.warehouse.erase import delete_posts
from pipeline.warehouse.load import upsert
from pipeline.warehouse.schema import (
    author,
    brand,
    community,
    mention,
    official_account,
    post,
    raw_post,
    sentiment,
    sentiment_override,
)
from pipeline.warehouse.views import apply_views, missing_views

log = logging.getLogger(__name__)

Progress = Callable[[str, int], None]
NEAR_DUP_WINDOW_DAYS = 30
NEAR_DUP_SEED_LIMIT = 200_000


def no_progress(_stage: str, _n: int) -> None:
    return None


def open_warehouse(config: Config, *, refresh_views: bool = False) -> Engine:
    """Connect and migrate to the newest schema; (re)create the BI views when the schema
    moved, a view is missing, or `refresh_views` is set."""
    engine = make_engine(config.warehouse_url())
    before = current_revision(engine)
    migrate(engine)
    if refresh_views or before != current_revision(engine) or missing_views(engine):
        apply_views(engine)
    return engine


# --------------------------------------------------------------------------- collect


@dataclass(slots=True)
class SourceOutcome:
    source: str
    status: str  # ok | failed | skipped
    items: int = 0
    error: str | None = None
    duration_s: float = 0.0


@dataclass(slots=True)
class CollectResult:
    outcomes: list[SourceOutcome] = field(default_factory=list)

    @property
    def items(self) -> int:
        return sum(o.items for o in self.outcomes)

    @property
    def failed(self) -> list[SourceOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]


def _raw_row(p: RawPost) -> dict[str, Any]:
    return {
        "post_id": p.post_id, "source": p.source, "external_id": p.external_id, "url": p.url,
        "author": p.author, "community": p.community, "title": p.title, "body": p.body,
        "created_at": p.created_at, "parent_id": p.parent_id, "engagement": p.engagement,
        "payload": p.payload, "fetched_at": p.fetched_at,
    }


def collect_source(
    engine: Engine, config: Config, source_config: SourceConfig, run_id: str,
    *, force: bool = False, progress: Progress = no_progress,
) -> SourceOutcome:
    """Fetch one source into `raw_post`; the cursor advances only with what was loaded."""
    name, kind = source_config.name, source_config.kind
    with engine.connect() as conn:
        health = state.read_health(conn, name)
    skip = health.skip_reason(utcnow()) if health and not force else None
    if not source_config.enabled:
        skip = "disabled in the config"
    if skip:
        with engine.begin() as conn:
            state.record_skip(conn, run_id, name, skip)
        log.info("source %s skipped: %s", name, skip)
        return SourceOutcome(name, "skipped", error=skip)
    cursor: dict[str, Any] = dict(health.cursor) if health else {}
    stored = copy.deepcopy(cursor)  # the cursor as of the last batch that was loaded
    started = utcnow()
    t0 = time.perf_counter()
    items = 0
    pending: list[RawPost] = []

    def flush(*, advance: bool) -> None:
        """Store the pending posts; move the cursor with them only when it covers exactly
        them (a source that failed midway may have moved it further)."""
        nonlocal stored, items
        if not pending and not advance:
            return
        with engine.begin() as conn:
            upsert(conn, raw_post, [_raw_row(p) for p in pending])
            if advance:
                state.save_cursor(conn, name, kind, cursor)
        if advance:
            stored = copy.deepcopy(cursor)
        items += len(pending)
        progress(f"collect {name}", len(pending))
        pending.clear()

    try:
        source = build_source(name, kind, source_config.options, config.source_context())
        try:
            try:
                for item in source.fetch(cursor):
                    pending.append(item)
                    if len(pending) >= config.warehouse.batch_size:
                        flush(advance=True)
            except PartialFailure:
                flush(advance=True)
                raise
            except Exception:
                _flush_what_was_read(flush, name)
                raise
            if pending:
                flush(advance=True)
        finally:
            source.close()
    except Exception as exc:  # any failure of one source is that source's recorded error
        error = source_error_message(exc)
        log.debug("source %s failed", name, exc_info=True)
        with engine.begin() as conn:
            health = state.record_failure(conn, run_id, name, kind, started, items, error,
                                          stored)
        log.error("source %s failed after %d posts: %s", name, items, error)
        return SourceOutcome(name, "failed", items, error, time.perf_counter() - t0)
    with engine.begin() as conn:
        state.record_success(conn, run_id, name, kind, started, items, cursor)
    return SourceOutcome(name, "ok", items, None, time.perf_counter() - t0)


def _flush_what_was_read(flush: Callable[..., None], name: str) -> None:
    """After a source failed: keep the posts it yielded (the cursor stays where it was,
    so the next run reads them again and the keyed upsert makes that harmless)."""
    try:
        flush(advance=False)
    except Exception:  # the source's own error is the one to report
        log.warning("source %s: the posts read before the failure could not be stored",
                    name, exc_info=True)


def source_error_message(exc: BaseException) -> str:
    """One line for a source's failure, with credentials and tokens in URLs redacted."""
    text = str(exc) if isinstance(exc, SourceError) else f"{type(exc).__name__}: {exc}"
    return redact(" ".join(text.split()) or type(exc).__name__)


def collect(
    engine: Engine, config: Config, run_id: str, *, sources: Sequence[str] | None = None,
    force: bool = False, progress: Progress = no_progress,
) -> CollectResult:
    """Fetch every (or the named) source; one failing source never stops the others."""
    chosen = [config.source(n) for n in sources] if sources else config.sources
    result = CollectResult()
    for source_config in chosen:
        result.outcomes.append(
            collect_source(engine, config, source_config, run_id, force=force, progress=progress)
        )
    return result


# --------------------------------------------------------------------------- analyze


@dataclass(slots=True)
class AnalyzeResult:
    posts: int = 0
    mentions: int = 0
    duplicates: int = 0
    scored: int = 0
    first_day: date | None = None
    last_day: date | None = None

    def touch(self, day: date) -> None:
        self.first_day = day if self.first_day is None else min(self.first_day, day)
        self.last_day = day if self.last_day is None else max(self.last_day, day)


def sync_brands(engine: Engine, config: Config) -> None:
    from pipeline.text.query import brand_query

    now = utcnow()
    with engine.begin() as conn:
        upsert(conn, brand, [{
            "name": b.name, "query": str(brand_query(b.name, b.aliases, b.query)),
            "competitors": list(b.competitors), "updated_at": now,
        } for b in config.brands], update=["query", "competitors", "updated_at"])


def sync_official(engine: Engine, config: Config) -> set[tuple[str, str]]:
    """Store the pseudonyms of the brands' official accounts; (brand, author id) pairs."""
    pseudonymiser = Pseudonymiser.from_env(config.privacy.pseudonym_key_env)
    with engine.begin() as conn:
        sync_official_accounts(conn, config, pseudonymiser)
        rows = conn.execute(select(official_account.c.brand, official_account.c.author_id))
        return {(r.brand, r.author_id) for r in rows}


def _load_recent_hashes(engine: Engine, enricher: Enricher) -> None:
    """Seed the duplicate check with the newest originals of the last 30 days (at most
    `NEAR_DUP_SEED_LIMIT`, read once per run, oldest first)."""
    since = (utcnow() - timedelta(days=NEAR_DUP_WINDOW_DAYS)).date()
    with engine.connect() as conn:
        newest = conn.execute(select(func.max(post.c.day))).scalar()
        if newest is not None:
            since = min(since, as_date(newest) - timedelta(days=NEAR_DUP_WINDOW_DAYS))
        rows = conn.execute(
            select(post.c.post_id, post.c.content_hash, post.c.simhash)
            .where(post.c.day >= since, post.c.duplicate_of.is_(None))
            .order_by(post.c.day.desc()).limit(NEAR_DUP_SEED_LIMIT)
        ).all()
    for row in reversed(rows):
        enricher.remember(row.post_id, row.content_hash, row.simhash)


def analyze(
    engine: Engine, config: Config, *, backend: SentimentBackend | None = None,
    progress: Progress = no_progress,
) -> AnalyzeResult:
    """Clean, enrich, match and score every raw post that has no `post` row yet.

    BLAS runs on one thread here: the matrices per batch are small, and on a busy
    machine multi-threaded BLAS spins (measured: 111 ms against 18 ms per product)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        return _analyze(engine, config, backend=backend, progress=progress)


def _analyze(engine: Engine, config: Config, *, backend: SentimentBackend | None,
             progress: Progress) -> AnalyzeResult:
    sync_brands(engine, config)
    official = sync_official(engine, config)
    backend = backend or load_backend(config.sentiment_model())
    enricher = build_enricher(config)
    with timed("analyze.dedup_seed"):
        _load_recent_hashes(engine, enricher)
    problems = ProblemSession(resolve_profile(config).text_encoder)
    with engine.connect() as conn:
        announce_total(progress, "analyze", int(conn.execute(
            select(func.count()).select_from(raw_post)
            .outerjoin(post, post.c.post_id == raw_post.c.post_id)
            .where(post.c.post_id.is_(None))).scalar() or 0))
    result = AnalyzeResult()
    last: tuple[Any, str] | None = None
    size = config.warehouse.batch_size
    while True:
        query = (
            select(raw_post)
            .outerjoin(post, post.c.post_id == raw_post.c.post_id)
            .where(post.c.post_id.is_(None))
            .order_by(raw_post.c.created_at, raw_post.c.post_id)
            .limit(size)
        )
        if last is not None:
            query = query.where(tuple_(raw_post.c.created_at, raw_post.c.post_id) > last)
        with engine.connect() as conn:
            raws = [dict(r) for r in conn.execute(query).mappings()]
        if not raws:
            break
        last = (raws[-1]["created_at"], raws[-1]["post_id"])
        _analyze_batch(engine, raws, enricher, backend, config, result, official, problems)
        progress("analyze", len(raws))
    return result


def _analyze_batch(engine: Engine, raws: list[dict[str, Any]], enricher: Enricher,
                   backend: SentimentBackend, config: Config, result: AnalyzeResult,
                   official: set[tuple[str, str]], problems: ProblemSession) -> None:
    with timed("analyze.enrich"):
        posts, mentions = enricher.enrich(raws)
    now = utcnow()
    by_id = {p.post_id: p for p in posts}
    mentioned = [by_id[pid] for pid in dict.fromkeys(m.post_id for m in mentions)]
    scores = []
    bs = config.sentiment.batch_size
    with timed("analyze.sentiment"):
        for i in range(0, len(mentioned), bs):
            chunk = mentioned[i:i + bs]
            predictions = backend.predict([p.text for p in chunk], [p.lang for p in chunk])
            for p, pred in zip(chunk, predictions, strict=True):
                scores.append({
                    "post_id": p.post_id, "model": backend.name, "version": backend.version,
                    "label": pred.label, "negative": pred.scores["negative"],
                    "neutral": pred.scores["neutral"], "positive": pred.scores["positive"],
                    "scored_at": now,
                })
    with timed("analyze.write"), engine.begin() as conn:
        _write_batch(conn, posts, mentions, scores, by_id, now)
        # intent, keyphrases and customer problems of the mentioned posts (cross-posts
        # left out so a problem's volume counts each post once; the brand's own
        # accounts are not its customers)
        labels = {row["post_id"]: row["label"] for row in scores}
        brands: dict[str, list[str]] = {}
        for m in mentions:
            if (m.brand, by_id[m.post_id].author_id) not in official:
                brands.setdefault(m.post_id, []).append(m.brand)
        with timed("analyze.problems"):
            analyze_problems(conn, [{
                "post_id": p.post_id, "text": p.text, "lang": p.lang,
                "day": p.created_at.date(), "brands": brands[p.post_id],
                "sentiment": labels.get(p.post_id),
            } for p in mentioned if p.duplicate_of is None and p.post_id in brands],
                session=problems)
    result.posts += len(posts)
    result.mentions += len(mentions)
    result.duplicates += sum(1 for p in posts if p.duplicate_of)
    result.scored += len(scores)
    for m in mentions:
        result.touch(by_id[m.post_id].created_at.date())


def _write_batch(conn: Any, posts: list[Post], mentions: list[Mention],
                 scores: list[dict[str, Any]], by_id: dict[str, Post], now: datetime) -> None:
    """Dimensions, posts, mentions and scores of one batch (bulk upserts)."""
    with timed("analyze.load"):
        upsert(conn, author, [{"author_id": p.author_id, "source": p.source,
                               "first_seen_at": p.created_at}
                              for p in posts if p.author_id])
        upsert(conn, community, [{"community_id": post_key(p.source, p.community),
                                  "source": p.source, "name": p.community,
                                  "first_seen_at": p.created_at}
                                 for p in posts if p.community])
        upsert(conn, post, [{
            "post_id": p.post_id, "source": p.source, "external_id": p.external_id,
            "url": p.url, "author_id": p.author_id, "community": p.community, "title": p.title,
            "text": p.text, "lang": p.lang, "created_at": p.created_at,
            "day": p.created_at.date(), "engagement": p.engagement,
            "parent_post_id": p.parent_post_id, "content_hash": p.content_hash,
            "simhash": p.simhash, "duplicate_of": p.duplicate_of, "processed_at": now,
        } for p in posts])
        upsert(conn, mention, [{"post_id": m.post_id, "brand": m.brand,
                                "day": by_id[m.post_id].created_at.date(),
                                "matched": list(m.matched)} for m in mentions])
        upsert(conn, sentiment, scores)
        state.mark_dirty(conn, {by_id[m.post_id].created_at.date() for m in mentions})


# --------------------------------------------------------------------------- rescore


def rescore(engine: Engine, config: Config, *, model: str | None = None,
            since: date | None = None, progress: Progress = no_progress) -> int:
    """Score mentioned posts with a model (side by side with other versions)."""
    backend = load_backend(model or config.sentiment_model())
    size = config.sentiment.batch_size
    done = 0
    last = ""
    while True:
        query = (select(post.c.post_id, post.c.text, post.c.lang)
                 .where(post.c.post_id.in_(select(mention.c.post_id)), post.c.post_id > last)
                 .order_by(post.c.post_id).limit(size))
        if since:
            query = query.where(post.c.day >= since)
        with engine.connect() as conn:
            rows = conn.execute(query).all()
        if not rows:
            return done
        last = rows[-1].post_id
        predictions = backend.predict([r.text for r in rows], [r.lang for r in rows])
        now = utcnow()
        with engine.begin() as conn:
            upsert(conn, sentiment, [{
                "post_id": r.post_id, "model": backend.name, "version": backend.version,
                "label": p.label, "negative": p.scores["negative"],
                "neutral": p.scores["neutral"], "positive": p.scores["positive"],
                "scored_at": now,
            } for r, p in zip(rows, predictions, strict=True)],
                update=["label", "negative", "neutral", "positive", "scored_at"])
        done += len(rows)
        progress("rescore", len(rows))


def set_label(engine: Engine, post_id: str, label: str, note: str | None = None) -> None:
    """A human label; it wins over model labels in metrics and survives re-scoring."""
    with engine.begin() as conn:
        exists = conn.execute(select(post.c.post_id).where(post.c.post_id == post_id)).first()
        if exists is None:
            raise LookupError(f"no post with id {post_id!r}")
        upsert(conn, sentiment_override, [{"post_id": post_id, "label": label, "note": note,
                                           "created_at": utcnow()}],
               update=["label", "note", "created_at"])


# --------------------------------------------------------------------------- aggregate + alert


def aggregate(engine: Engine, config: Config, start: date, end: date,
              *, backend: SentimentBackend | None = None) -> int:
    """Recompute brand metrics for [start, end] with the configured model (and forget
    those days' dirty marks made before, whoever calls: CLI run or an Airflow task)."""
    name, version = model_identity(config, backend)
    sync_official(engine, config)
    started = utcnow()
    with engine.begin() as conn:
        rows = compute_daily_metrics(conn, config, name, version, start, end)
        state.clear_dirty_range(conn, "aggregate", start, end, marked_before=started)
    return rows


def model_identity(config: Config, backend: SentimentBackend | None = None) -> tuple[str, str]:
    backend = backend or load_backend(config.sentiment_model())
    return backend.name, backend.version


def alert(engine: Engine, config: Config, start: date, end: date,
          *, backend: SentimentBackend | None = None) -> list[AlertRecord]:
    """Evaluate alert rules on [start, end], store alerts and send the pending ones."""
    name, version = model_identity(config, backend)
    started = utcnow()
    with engine.begin() as conn:
        created = evaluate_alerts(conn, config, name, version, start, end)
        state.clear_dirty_range(conn, "alert", start, end, marked_before=started)
    notify_pending(engine, config)
    return created


# --------------------------------------------------------------------------- run


@dataclass(slots=True)
class RunResult:
    run_id: str
    collect: CollectResult
    analyze: AnalyzeResult
    metric_rows: int
    alerts: list[AlertRecord]


def run(engine: Engine, config: Config, *, progress: Progress = no_progress,
        sources: Sequence[str] | None = None, force: bool = False,
        profile: str | None = None) -> RunResult:
    """collect → analyze → aggregate → alert, recording the run.

    `profile` (accurate | fast) overrides `analysis.profile` for this run."""
    config = config.with_profile(profile)
    run_id = state.start_run(engine, "run")
    status = "failed"
    try:
        with timed("collect"):
            collected = collect(engine, config, run_id, sources=sources, force=force,
                                progress=progress)
        with timed("model_load"):
            backend = load_backend(config.sentiment_model())
        with timed("analyze"):
            analyzed = analyze(engine, config, backend=backend, progress=progress)
        # every day that received posts since the last pass, in this run or one that
        # crashed before its aggregate (dirty days, recorded with the posts)
        with timed("aggregate"):
            rows = aggregate_dirty(engine, config, backend=backend, progress=progress)
        with timed("alert"):
            alerts = alert_dirty(engine, config, backend=backend, progress=progress)
        status = "partial" if collected.failed else "ok"
        return RunResult(run_id, collected, analyzed, rows, alerts)
    finally:
        state.finish_run(engine, run_id, status, {})


def aggregate_dirty(engine: Engine, config: Config,
                    *, backend: SentimentBackend | None = None,
                    progress: Progress = no_progress) -> int:
    """Recompute the metrics of every day that received (or lost) posts since the last
    pass, whichever run loaded them: a crash between analyze and aggregate heals here."""
    with engine.connect() as conn:
        todo = state.dirty_days(conn, "aggregate")
    ranges = list(todo.ranges())
    announce_total(progress, "aggregate (days)", sum((e - s).days + 1 for s, e in ranges))
    rows = 0
    for start, end in ranges:
        rows += aggregate(engine, config, start, end, backend=backend)
        progress("aggregate (days)", (end - start).days + 1)
    with engine.begin() as conn:
        state.clear_dirty(conn, todo)
    return rows


def alert_dirty(engine: Engine, config: Config,
                *, backend: SentimentBackend | None = None,
                progress: Progress = no_progress) -> list[AlertRecord]:
    """Evaluate the alert rules on every day aggregated since the last alert pass, then
    send what is pending."""
    with engine.connect() as conn:
        todo = state.dirty_days(conn, "alert")
    name, version = model_identity(config, backend)
    created: list[AlertRecord] = []
    ranges = list(todo.ranges())
    announce_total(progress, "alert (days)", sum((e - s).days + 1 for s, e in ranges))
    for start, end in ranges:
        with engine.begin() as conn:
            created += evaluate_alerts(conn, config, name, version, start, end)
        progress("alert (days)", (end - start).days + 1)
    with engine.begin() as conn:
        state.clear_dirty(conn, todo)
    notify_pending(engine, config)
    return created


def data_range(engine: Engine) -> tuple[date, date] | None:
    with engine.connect() as conn:
        return mention_day_range(conn)


# --------------------------------------------------------------------------- privacy


def erase_author(engine: Engine, config: Config, source: str, handle: str) -> int:
    """Delete every post (raw and derived) of one author of one source, with every copy:
    quotes in alerts and problems, the author row; the days it counted in re-aggregate."""
    pseudonym = Pseudonymiser.from_env(config.privacy.pseudonym_key_env).pseudonymise(
        source, handle)
    with engine.begin() as conn:
        ids = set(conn.execute(select(raw_post.c.post_id).where(
            raw_post.c.source == source, raw_post.c.author == handle)).scalars())
        if pseudonym:
            ids |= set(conn.execute(select(post.c.post_id).where(
                post.c.author_id == pseudonym)).scalars())
        delete_posts(conn, sorted(ids))
        if pseudonym:
            conn.execute(delete(author).where(author.c.author_id == pseudonym))
    return len(ids)


def apply_retention(engine: Engine, days: int) -> int:
    """Delete posts (raw and derived, quotes included) created more than `days` days ago,
    and the authors left without posts."""
    cutoff = utcnow() - timedelta(days=days)
    with engine.begin() as conn:
        ids = sorted(conn.execute(select(raw_post.c.post_id)
                                  .where(raw_post.c.created_at < cutoff)).scalars())
        delete_posts(conn, ids)
    return len(ids)


__all__ = [
    "AnalyzeResult", "CollectResult", "RunResult", "aggregate", "aggregate_dirty", "alert",
    "alert_dirty", "analyze", "apply_retention", "collect", "collect_source", "data_range",
    "erase_author", "open_warehouse", "rescore", "run", "set_label",
]
