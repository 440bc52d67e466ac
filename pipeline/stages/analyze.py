"""Step 2, analyze: every raw post without a `post` row cleaned and enriched
(`pipeline.stages.enrich`), matched to brands, scored for sentiment, loaded, and its
intent, keyphrases and customer problems found (`pipeline.nlp`).

Writes are keyed (post, post × brand, post × model version), so re-running never
duplicates rows. `rescore` and `set_label` change the scores of analysed posts."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Engine, func, select, tuple_

from pipeline.config import Config
from pipeline.nlp.intent import INTENT_MODEL, classify_intents
from pipeline.nlp.intent_head import intent_identity, wants_features
from pipeline.nlp.problem_store import ProblemSession, analyze_problems, save_intents
from pipeline.nlp.profiles import resolve_profile
from pipeline.nlp.sentiment import load_backend
from pipeline.nlp.sentiment.base import FeatureBackend, SentimentBackend, TextFeatures
from pipeline.records import Mention, Post, SentimentResult, as_date, post_key, utcnow
from pipeline.stages.base import sync_official
from pipeline.stages.enrich import Enricher, build_enricher
from pipeline.stages.enrich_worker import (
    Balance,
    Enriched,
    EnrichWorker,
    enrich_and_score,
    mentioned_posts,
    score_rest,
)
from pipeline.stages.progress import Progress, announce_total, no_progress
from pipeline.timing import timed
from pipeline.warehouse import state
from pipeline.warehouse.load import upsert
from pipeline.warehouse.schema import (
    author,
    brand,
    community,
    mention,
    post,
    raw_post,
    sentiment,
    sentiment_override,
)

NEAR_DUP_WINDOW_DAYS = 30
NEAR_DUP_SEED_LIMIT = 200_000


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
    with engine.connect() as conn:
        pending = int(conn.execute(
            select(func.count()).select_from(raw_post)
            .outerjoin(post, post.c.post_id == raw_post.c.post_id)
            .where(post.c.post_id.is_(None))).scalar() or 0)
    announce_total(progress, "analyze", pending)
    if not pending:  # nothing new: no model, memory or worker is set up for nothing
        return AnalyzeResult()
    backend = backend or load_backend(config.sentiment_model())
    enricher = build_enricher(config)
    with timed("analyze.dedup_seed"):
        _load_recent_hashes(engine, enricher)
    intent_model = intent_identity(backend)
    with _long_lived_frozen() as freeze:
        return _analyze_batches(engine, config, backend, enricher, official, intent_model,
                                progress, freeze, pending)


@contextmanager
def _long_lived_frozen() -> Iterator[Callable[[], None]]:
    """Keep the models, tables and seeded memories loaded so far (and, with the yielded
    function, those loaded later) out of the cyclic garbage collector's passes while the
    batches run: it otherwise walks all of them again and again (measured at 100k posts:
    GC time in the main process -36%), and a forked worker's collections would copy
    their pages. Unfrozen afterwards; left alone when the caller froze objects itself."""
    if gc.get_freeze_count():
        yield lambda: None
        return
    gc.freeze()
    try:
        yield gc.freeze
    finally:
        gc.unfreeze()


def _analyze_batches(engine: Engine, config: Config, backend: SentimentBackend,
                     enricher: Enricher, official: set[tuple[str, str]],
                     intent_model: tuple[str, str], progress: Progress,
                     freeze: Callable[[], None], pending: int) -> AnalyzeResult:
    result = AnalyzeResult()
    batches = _raw_batches(engine, config.warehouse.batch_size)
    # one batch has nothing to overlap: forking a worker for it costs more than it saves
    if (pending <= config.warehouse.batch_size
            or not (config.analysis.enrich_worker and EnrichWorker.available())):
        # the problem encoder loads when a batch first has posts for the problem stage
        problems = LazyProblems(config, freeze)
        for raws in batches:
            _analyze_batch(engine, raws, enricher, backend, config, result, official,
                           problems, intent_model)
            progress("analyze", len(raws))
        return result
    # a second process enriches (and, for a forkable backend without intent features,
    # scores a share of) batch i + 1 while this one writes batch i (and scores the rest)
    forkable = getattr(backend, "forkable", False) and intent_model == INTENT_MODEL
    balance = Balance()
    with EnrichWorker(enricher, backend.predict if forkable else None,
                      config.sentiment.batch_size) as worker:
        ahead = next(batches, None)
        if ahead is not None:
            worker.submit(ahead, balance.share)
        # the problem encoder loads here while the worker enriches the first batch (and
        # the worker, forked before, never holds it)
        problems = LazyProblems(config, freeze)
        problems.get()
        while ahead is not None:
            raws, ahead = ahead, next(batches, None)
            with timed("analyze.enrich"):
                enriched = worker.result()
            if ahead is not None:
                worker.submit(ahead, balance.update(worker.was_ready) if forkable else 1.0)
            _analyze_batch(engine, raws, enricher, backend, config, result, official,
                           problems, intent_model, enriched)
            progress("analyze", len(raws))
    return result


#: the `raw_post` columns enrich reads (not `payload`: the source's whole item, often the
#: text again, costs a JSON decode per post and a copy to the enrich worker for nothing)
RAW_COLUMNS = ("post_id", "source", "external_id", "url", "author", "community", "title",
               "body", "created_at", "parent_id", "engagement")


class LazyProblems:
    """The run's `ProblemSession`, made (its text encoder loaded) on first `get`; what is
    loaded then is frozen out of the GC's passes as well (`_long_lived_frozen`)."""

    def __init__(self, config: Config, freeze: Callable[[], None]) -> None:
        self._config, self._freeze = config, freeze
        self._session: ProblemSession | None = None

    @property
    def loaded(self) -> bool:
        return self._session is not None

    def get(self) -> ProblemSession:
        if self._session is None:
            with timed("analyze.problem_encoder_load"):
                self._session = ProblemSession(resolve_profile(self._config).text_encoder)
            self._freeze()
        return self._session


def _raw_batches(engine: Engine, size: int) -> Iterator[list[dict[str, Any]]]:
    """The raw posts without a `post` row, in (created_at, post_id) order, `size` at a
    time (keyset pagination: a batch read ahead is not read again)."""
    last: tuple[Any, str] | None = None
    columns = [raw_post.c[name] for name in RAW_COLUMNS]
    while True:
        query = (
            select(*columns)
            .outerjoin(post, post.c.post_id == raw_post.c.post_id)
            .where(post.c.post_id.is_(None))
            .order_by(raw_post.c.created_at, raw_post.c.post_id)
            .limit(size)
        )
        if last is not None:
            query = query.where(tuple_(raw_post.c.created_at, raw_post.c.post_id) > last)
        with engine.connect() as conn:  # all(): one fetchall, not a fetch per row
            raws = [dict(zip(RAW_COLUMNS, r, strict=True)) for r in conn.execute(query).all()]
        if not raws:
            return
        last = (raws[-1]["created_at"], raws[-1]["post_id"])
        yield raws


def _analyze_batch(engine: Engine, raws: list[dict[str, Any]], enricher: Enricher,
                   backend: SentimentBackend, config: Config, result: AnalyzeResult,
                   official: set[tuple[str, str]], problems: LazyProblems,
                   intent_model: tuple[str, str] = INTENT_MODEL,
                   enriched: Enriched | None = None) -> None:
    if enriched is None:
        with timed("analyze.enrich"):
            enriched = enrich_and_score(enricher, raws, None, config.sentiment.batch_size)
    posts, mentions = enriched.posts, enriched.mentions
    now = utcnow()
    by_id = {p.post_id: p for p in posts}
    mentioned = mentioned_posts(posts, mentions)
    # intent, keyphrases and customer problems of the mentioned posts (cross-posts left
    # out so a problem's volume counts each post once; the brand's own accounts are not
    # its customers)
    brands: dict[str, list[str]] = {}
    for m in mentions:
        if (m.brand, by_id[m.post_id].author_id) not in official:
            brands.setdefault(m.post_id, []).append(m.brand)
    customer = [p for p in mentioned if p.duplicate_of is None and p.post_id in brands]
    # the intent head's vectors come from the sentiment backend's encoder: of the posts
    # it encodes anyway, and of those the rules flag (accurate profile only)
    use_head = intent_model != INTENT_MODEL
    wanted: set[str] = set()
    if use_head and config.analysis.encode_for_intent:
        wanted = {p.post_id for p, w in zip(customer, wants_features(
            [p.text for p in customer], [p.lang for p in customer]), strict=True) if w}
    vectors: dict[str, np.ndarray] = {}
    scores = []
    bs = config.sentiment.batch_size
    with timed("analyze.sentiment"):
        scored = (None if enriched.scores is None
                  else score_rest(enriched, backend.predict, bs))
        for i in range(0, len(mentioned), bs):
            chunk = mentioned[i:i + bs]
            predictions = (scored[i:i + bs] if scored is not None
                           else _predict(backend, chunk, wanted if use_head else None,
                                         brands, vectors))
            for p, pred in zip(chunk, predictions, strict=True):
                scores.append({
                    "post_id": p.post_id, "model": backend.name, "version": backend.version,
                    "label": pred.label, "negative": pred.scores["negative"],
                    "neutral": pred.scores["neutral"], "positive": pred.scores["positive"],
                    "scored_at": now,
                })
    with timed("analyze.write"), engine.begin() as conn:
        _write_batch(conn, posts, mentions, scores, by_id, now)
        labels = {row["post_id"]: row["label"] for row in scores}
        with timed("analyze.problems"):
            analyze_problems(conn, [{
                "post_id": p.post_id, "text": p.text, "lang": p.lang,
                "day": p.created_at.date(), "brands": brands[p.post_id],
                "sentiment": labels.get(p.post_id),
            } for p in customer], session=problems.get() if customer else None,
                features=_features(backend, [p.post_id for p in customer], vectors)
                if use_head else None,
                intent_model=intent_model)
    result.posts += len(posts)
    result.mentions += len(mentions)
    result.duplicates += sum(1 for p in posts if p.duplicate_of)
    result.scored += len(scores)
    for m in mentions:
        result.touch(by_id[m.post_id].created_at.date())


def _predict(backend: SentimentBackend, chunk: list[Post], wanted: set[str] | None,
             keep: Mapping[str, Any], vectors: dict[str, np.ndarray]) -> list[SentimentResult]:
    """Sentiment of `chunk`; with `wanted` (a `FeatureBackend` whose vectors the intent
    head reads), also the vectors of the posts in `keep` the backend encoded (for
    sentiment, or because they are in `wanted`) into `vectors`."""
    texts, langs = [p.text for p in chunk], [p.lang for p in chunk]
    if wanted is None or not isinstance(backend, FeatureBackend):
        return backend.predict(texts, langs)
    predictions, feats = backend.predict_with_features(
        texts, langs, [p.post_id in wanted for p in chunk])
    for j in np.flatnonzero(feats.encoded).tolist():
        if chunk[j].post_id in keep:
            vectors[chunk[j].post_id] = feats.rows[j]
    return predictions


def _features(backend: SentimentBackend, post_ids: list[str],
              vectors: Mapping[str, np.ndarray]) -> TextFeatures | None:
    """`vectors` as `TextFeatures` of `post_ids` (zero rows where a post has none)."""
    kind = getattr(backend, "feature_kind", None)
    if kind is None or not vectors:
        return None
    dim = len(next(iter(vectors.values())))
    rows = np.zeros((len(post_ids), dim), dtype=np.float32)
    encoded = np.zeros(len(post_ids), dtype=bool)
    for i, pid in enumerate(post_ids):
        if pid in vectors:
            rows[i], encoded[i] = vectors[pid], True
    return TextFeatures(str(kind), rows, encoded)


def _write_batch(conn: Any, posts: list[Post], mentions: list[Mention],
                 scores: list[dict[str, Any]], by_id: dict[str, Post], now: datetime) -> None:
    """Dimensions, posts, mentions and scores of one batch (bulk upserts)."""
    with timed("analyze.load"):
        upsert(conn, author, [{"author_id": p.author_id, "source": p.source,
                               "first_seen_at": p.created_at}
                              for p in posts if p.author_id])
        # one row per (source, community), the batch's last post's time (as upsert keeps
        # the last row of a key), the key hashed once
        seen: dict[tuple[str, str], datetime] = {}
        for p in posts:
            if p.community:
                seen[(p.source, p.community)] = p.created_at
        upsert(conn, community, [{"community_id": post_key(src, name), "source": src,
                                  "name": name, "first_seen_at": at}
                                 for (src, name), at in seen.items()])
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
    """Score mentioned posts with a model (side by side with other versions).

    When the model hands out the vectors the intent head reads (the accurate profile's),
    the original posts' intents are written again under that system's version as well
    (`intent_identity`), so reports on the new model find their questions, complaints and
    ideas in the history too."""
    backend = load_backend(model or config.sentiment_model())
    intent_model = intent_identity(backend)
    size = config.sentiment.batch_size
    done = 0
    last = ""
    while True:
        query = (select(post.c.post_id, post.c.text, post.c.lang, post.c.duplicate_of)
                 .where(post.c.post_id.in_(select(mention.c.post_id)), post.c.post_id > last)
                 .order_by(post.c.post_id).limit(size))
        if since:
            query = query.where(post.c.day >= since)
        with engine.connect() as conn:
            rows = conn.execute(query).all()
        if not rows:
            return done
        last = rows[-1].post_id
        originals = [r for r in rows if r.duplicate_of is None]
        features: TextFeatures | None = None
        if intent_model != INTENT_MODEL and isinstance(backend, FeatureBackend):
            wanted = {r.post_id for r, w in zip(originals, wants_features(
                [r.text for r in originals], [r.lang for r in originals]), strict=True)
                if w} if config.analysis.encode_for_intent else set()
            predictions, feats = backend.predict_with_features(
                [r.text for r in rows], [r.lang for r in rows],
                [r.post_id in wanted for r in rows])
            keep = np.array([r.duplicate_of is None for r in rows], dtype=bool)
            features = TextFeatures(feats.kind, feats.rows[keep], feats.encoded[keep])
        else:
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
            if features is not None:
                save_intents(conn, [r.post_id for r in originals], classify_intents(
                    [r.text for r in originals], [r.lang for r in originals], features),
                    intent_model)
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
