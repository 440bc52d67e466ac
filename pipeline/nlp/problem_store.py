"""Warehouse tables and read/write functions for intent, keyphrases and problems.

Every row carries the model name and version that produced it; keys are post x model
version (intent, keyphrase), post x brand x model version (post_problem) and problem id.
Writes go through `pipeline.warehouse.load.upsert`, so re-running a batch is safe.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Connection, and_, func, select

from pipeline.nlp.intent import INTENT_MODEL, classify_intents
from pipeline.nlp.keyphrases import KEYPHRASE_MODEL, extract_keyphrases
from pipeline.nlp.problem_labels import common_words, describe, translator_of
from pipeline.nlp.problems import (
    DEFAULT_ENCODER,
    MAX_PENDING,
    PROBLEM_MODEL,
    Problem,
    ProblemModel,
    ProblemPost,
    UpdateResult,
    decode_centroid,
    encode_centroid,
    problem_model,
)
from pipeline.nlp.sentiment.base import TextFeatures
from pipeline.nlp.vectors import TextEncoder, load_text_encoder
from pipeline.records import as_date
from pipeline.timing import timed
from pipeline.warehouse.load import upsert
from pipeline.warehouse.schema import intent, keyphrase, post_problem, problem, problem_merge

log = logging.getLogger(__name__)

TABLES = (intent, keyphrase, problem, post_problem, problem_merge)
#: problems without a new post for this many days are not offered to new posts
ACTIVE_DAYS = 90


def _now() -> datetime:
    return datetime.now(UTC)



# ----------------------------------------------------------------------------- writes


def save_intents(conn: Connection, post_ids: Sequence[str], labels: Sequence[str],
                 model: tuple[str, str] = INTENT_MODEL) -> int:
    """Intent labels under `model` (name, version: see `intent_head.intent_identity`)."""
    now = _now()
    m, v = model
    rows = [{"post_id": p, "model": m, "version": v, "label": lab, "scored_at": now}
            for p, lab in zip(post_ids, labels, strict=True)]
    return upsert(conn, intent, rows, update=["label", "scored_at"])


def save_keyphrases(conn: Connection, post_ids: Sequence[str],
                    phrases: Sequence[Sequence[tuple[str, float]]]) -> int:
    now = _now()
    m, v = KEYPHRASE_MODEL
    rows = [{"post_id": p, "model": m, "version": v,
             "phrases": [[k, s] for k, s in ph], "extracted_at": now}
            for p, ph in zip(post_ids, phrases, strict=True)]
    return upsert(conn, keyphrase, rows, update=["phrases", "extracted_at"])


def _problem_row(p: Problem, version: str, now: datetime) -> dict[str, Any]:
    return {"problem_id": p.problem_id, "brand": p.brand, "model": PROBLEM_MODEL[0],
            "version": version, "label": p.label, "size": p.size, "status": p.status,
            "merged_into": p.merged_into, "centroid": encode_centroid(p.centroid),
            "terms": p.terms, "examples": p.examples, "first_day": p.first_day,
            "last_day": p.last_day, "updated_at": now}


def save_update(conn: Connection, brand: str, result: UpdateResult,
                negative: Mapping[str, bool], days: Mapping[str, date],
                version: str = PROBLEM_MODEL[1]) -> None:
    """Write one `ProblemModel.update` result (problems, assignments, merges)."""
    now = _now()
    m = PROBLEM_MODEL[0]
    upsert(conn, problem, [_problem_row(p, version, now) for p in result.changed],
           update=["label", "size", "status", "merged_into", "centroid", "terms", "examples",
                   "first_day", "last_day", "updated_at"])
    rows = [{"post_id": a.post_id, "brand": brand, "model": m, "version": version,
             "problem_id": a.problem_id, "similarity": round(a.similarity, 4),
             "negative": bool(negative.get(a.post_id, False)),
             "day": days[a.post_id], "assigned_at": now}
            for a in result.assignments if a.post_id in days]
    # pending rows may later get a problem: update problem_id and similarity only then
    upsert(conn, post_problem, rows, update=["problem_id", "similarity", "assigned_at"])
    upsert(conn, problem_merge, [
        {"from_id": mg.from_id, "into_id": mg.into_id, "brand": brand, "model": m,
         "version": version, "similarity": mg.similarity, "day": mg.day, "merged_at": now}
        for mg in result.merges])


# ----------------------------------------------------------------------------- reads


def load_problems(conn: Connection, brand: str, version: str = PROBLEM_MODEL[1], *,
                  active_since: date | None = None, dim: int | None = None) -> list[Problem]:
    """Problems of `brand` for one model version; with `active_since`, only the active
    ones with a post on or after that day (what the online model needs: bounded by the
    window, not by the history)."""
    q = select(problem).where(and_(problem.c.brand == brand,
                                   problem.c.model == PROBLEM_MODEL[0],
                                   problem.c.version == version))
    if active_since is not None:
        q = q.where(problem.c.status == "active", problem.c.last_day >= active_since)
    out: list[Problem] = []
    for r in conn.execute(q).mappings():
        centroid = decode_centroid(r["centroid"])
        if centroid is None or (dim is not None and centroid.shape[0] != dim):
            if active_since is not None:
                continue  # unusable for assignment (another vector format)
            centroid = np.zeros(dim or 1, dtype=np.float32)
        out.append(Problem(r["problem_id"], r["brand"], centroid, int(r["size"]),
                           dict(r["terms"] or {}), list(r["examples"] or []),
                           as_date(r["first_day"]), as_date(r["last_day"]), r["status"],
                           r["merged_into"]))
    return out


def load_pending(conn: Connection, brand: str, since: date, version: str = PROBLEM_MODEL[1],
                 limit: int = MAX_PENDING) -> list[ProblemPost]:
    """The newest `limit` pending posts of a brand (no problem yet) since `since`, with
    their text and stored keyphrases (so nothing is extracted again)."""
    from pipeline.warehouse.schema import post

    km, kv = KEYPHRASE_MODEL
    q = (select(post_problem.c.post_id, post.c.text, post.c.lang, post_problem.c.day,
                keyphrase.c.phrases)
         .join(post, post.c.post_id == post_problem.c.post_id)
         .outerjoin(keyphrase, and_(keyphrase.c.post_id == post_problem.c.post_id,
                                    keyphrase.c.model == km, keyphrase.c.version == kv))
         .where(and_(post_problem.c.brand == brand, post_problem.c.model == PROBLEM_MODEL[0],
                     post_problem.c.version == version, post_problem.c.problem_id.is_(None),
                     post_problem.c.day >= since))
         .order_by(post_problem.c.day.desc(), post_problem.c.post_id.desc())
         .limit(limit))
    return [ProblemPost(r.post_id, r.text, r.lang, as_date(r.day),
                        [(str(k), float(w)) for k, w in r.phrases[:3]]
                        if r.phrases is not None else None)
            for r in conn.execute(q)][::-1]


def _known_posts(conn: Connection, brand: str, post_ids: Sequence[str],
                 version: str = PROBLEM_MODEL[1]) -> set[str]:
    m = PROBLEM_MODEL[0]
    known: set[str] = set()
    ids = list(post_ids)
    for i in range(0, len(ids), 500):
        q = select(post_problem.c.post_id).where(and_(
            post_problem.c.brand == brand, post_problem.c.model == m,
            post_problem.c.version == version, post_problem.c.post_id.in_(ids[i:i + 500])))
        known.update(r[0] for r in conn.execute(q))
    return known


class ProblemSession:
    """The problem models of one analyze run: loaded once per brand (active problems of
    the last `ACTIVE_DAYS` days and the capped pending pool), then kept in memory across
    batches; every batch's changes are written as they happen."""

    def __init__(self, encoder: TextEncoder | str = DEFAULT_ENCODER,
                 pending_days: int = 30, *, warn_stale: bool = True) -> None:
        self.encoder = load_text_encoder(encoder) if isinstance(encoder, str) else encoder
        self.version = problem_model(self.encoder)[1]
        self.pending_days = pending_days
        self.warn_stale = warn_stale  # warn per brand about history not rebuilt
        self._models: dict[str, ProblemModel] = {}

    def model(self, conn: Connection, brand: str, day: date) -> ProblemModel:
        model = self._models.get(brand)
        if model is None:
            problems = load_problems(conn, brand, self.version,
                                     active_since=day - timedelta(days=ACTIVE_DAYS),
                                     dim=self.encoder.dim)
            pending = load_pending(conn, brand, day - timedelta(days=self.pending_days),
                                   self.version)
            model = ProblemModel(brand, problems, pending, encoder=self.encoder,
                                 pending_days=self.pending_days)
            self._models[brand] = model
            if self.warn_stale and (stale := stale_problems_warning(conn, brand,
                                                                    version=self.version)):
                log.warning(stale)
        return model


def update_problems(conn: Connection, brand: str, posts: Sequence[ProblemPost],
                    negative: Mapping[str, bool] | None = None,
                    pending_days: int = 30, *,
                    session: ProblemSession | None = None) -> UpdateResult:
    """Assign new complaint/negative posts of `brand` to problems and store the result.

    Posts that already have a row for this model version are skipped (re-run safe).
    """
    session = session or ProblemSession(pending_days=pending_days)
    known = _known_posts(conn, brand, [p.post_id for p in posts], session.version)
    fresh = [p for p in posts if p.post_id not in known]
    if not fresh:
        return UpdateResult()
    model = session.model(conn, brand, max(p.day for p in fresh))
    days = {p.post_id: p.day for p in model.pending}  # pending posts may found a problem
    days.update({p.post_id: p.day for p in fresh})
    result = model.update(fresh)
    save_update(conn, brand, result, negative or {}, days, session.version)
    return result


def analyze_problems(conn: Connection, posts: Sequence[Mapping[str, Any]], *,
                     session: ProblemSession | None = None,
                     features: TextFeatures | None = None,
                     intent_model: tuple[str, str] = INTENT_MODEL) -> dict[str, int]:
    """The analyze-step hook for one batch of posts.

    Each post mapping needs `post_id`, `text`, `lang`, `day` (date), `brands` (the
    mentioned brand names) and `sentiment` (negative | neutral | positive | None).
    Stores intent and keyphrases for every post and updates the problems of each brand
    with the posts that are complaints or negative. Pass one `session` for all batches
    of a run, so problem state is loaded once. `features` (one row per post, from the
    sentiment backend) let the intent head decide the posts it has vectors for; the labels
    are stored under `intent_model` (`intent_head.intent_identity` of that backend).
    """
    if not posts:
        return {"intent": 0, "keyphrase": 0, "problem_posts": 0, "created": 0, "merges": 0}
    session = session or ProblemSession()
    ids = [str(p["post_id"]) for p in posts]
    texts = [str(p.get("text") or "") for p in posts]
    langs = [p.get("lang") for p in posts]
    with timed("analyze.problems.intent"):
        intents = classify_intents(texts, langs, features)
    with timed("analyze.problems.keyphrases"):
        kps = extract_keyphrases(texts, langs, top_k=5)
    save_intents(conn, ids, intents, intent_model)
    save_keyphrases(conn, ids, kps)
    by_brand: dict[str, list[ProblemPost]] = {}
    negative: dict[str, bool] = {}
    for p, it, kp in zip(posts, intents, kps, strict=True):
        neg = p.get("sentiment") == "negative"
        if not (neg or it == "complaint"):
            continue
        negative[str(p["post_id"])] = neg
        for b in p.get("brands") or ():
            by_brand.setdefault(b, []).append(ProblemPost(
                str(p["post_id"]), str(p.get("text") or ""), p.get("lang"),
                as_date(p["day"]), [(k, s) for k, s in kp[:3]]))
    created = merges = n = 0
    with timed("analyze.problems.cluster"):
        for brand in sorted(by_brand):
            res = update_problems(conn, brand, by_brand[brand], negative, session=session)
            created += len(res.created)
            merges += len(res.merges)
            n += len(by_brand[brand])
    return {"intent": len(ids), "keyphrase": len(ids), "problem_posts": n,
            "created": created, "merges": merges}


REBUILD_COMMAND = "stimmung problems --rebuild"


def unrebuilt_history(conn: Connection, brand: str, since: date | None = None,
                      version: str = PROBLEM_MODEL[1]) -> dict[str, int]:
    """Per older problem model version: the posts of `brand` it clustered (on or after
    `since`) before the first day `version` has any: history that `REBUILD_COMMAND` would
    bring under the current version (empty when there is none)."""
    m = PROBLEM_MODEL[0]
    first = conn.execute(select(func.min(post_problem.c.day)).where(and_(
        post_problem.c.brand == brand, post_problem.c.model == m,
        post_problem.c.version == version))).scalar()
    q = (select(post_problem.c.version, func.count())
         .where(post_problem.c.brand == brand, post_problem.c.model == m,
                post_problem.c.version != version)
         .group_by(post_problem.c.version))
    if first is not None:
        q = q.where(post_problem.c.day < first)
    if since is not None:
        q = q.where(post_problem.c.day >= since)
    return {str(v): int(n) for v, n in conn.execute(q).all() if n}


def stale_problems_warning(conn: Connection, brand: str, since: date | None = None,
                           version: str = PROBLEM_MODEL[1]) -> str | None:
    """A one-line warning when problems of `brand` (on or after `since`) were found only
    under an older problem model version, with the command that rebuilds them."""
    older = unrebuilt_history(conn, brand, since, version)
    if not older:
        return None
    return (f"{sum(older.values())} complaint/negative post(s) of {brand} were clustered "
            f"into problems only under an older problem model ({', '.join(sorted(older))}), "
            f"not under the current one ({version}), so reports leave them out: run "
            f"`{REBUILD_COMMAND}` (or `stimmung rescore`) to rebuild problems from history")


# ----------------------------------------------------------------------------- trends


def _encoder_of(version: str) -> TextEncoder | None:
    """The default encoder when `version` is its problem model (to rank examples by their
    cosine to the centroid), else None (the stored similarities rank them)."""
    encoder = load_text_encoder(DEFAULT_ENCODER)
    return encoder if problem_model(encoder)[1] == version else None


def problem_trends(conn: Connection, brand: str, end: date, since_days: int = 14,
                   baseline_days: int = 28, recent_days: int = 7,
                   version: str = PROBLEM_MODEL[1],
                   lang: str | None = None) -> list[dict[str, Any]]:
    """Per active problem of `brand`: daily counts, emerging score, share negative, and
    the label and examples a report in `lang` shows (`problem_labels.describe`)."""
    from pipeline.nlp.emerging import emerging_score  # scipy.stats: only when reading
    m, v = PROBLEM_MODEL[0], version
    problems = {p.problem_id: p for p in load_problems(conn, brand, version)}

    def resolve(pid: str) -> str:
        seen: set[str] = set()
        while problems.get(pid) and problems[pid].merged_into and pid not in seen:
            seen.add(pid)
            pid = str(problems[pid].merged_into)
        return pid

    start = end - timedelta(days=max(since_days, recent_days + baseline_days) - 1)
    q = select(post_problem.c.problem_id, post_problem.c.day, post_problem.c.negative).where(
        and_(post_problem.c.brand == brand, post_problem.c.model == m,
             post_problem.c.version == v, post_problem.c.problem_id.is_not(None),
             post_problem.c.day >= start, post_problem.c.day <= end))
    n_days = (end - start).days + 1
    encoder = _encoder_of(version)
    common = common_words([p for p in problems.values() if p.status == "active"])
    series: dict[str, list[int]] = {}
    neg: dict[str, int] = {}
    for r in conn.execute(q):
        pid = resolve(r.problem_id)
        s = series.setdefault(pid, [0] * n_days)
        s[(as_date(r.day) - start).days] += 1
        neg[pid] = neg.get(pid, 0) + int(bool(r.negative))
    out: list[dict[str, Any]] = []
    for pid, s in series.items():
        p = problems.get(pid)
        if p is None or p.last_day < end - timedelta(days=since_days - 1):
            continue
        score = emerging_score(s, recent_days=recent_days,
                                              baseline_days=baseline_days)
        shown = describe(p, lang, encoder, common=common, translate=translator_of(encoder))
        out.append({"problem_id": pid, "label": shown.label, "daily": s, "score": score,
                    "recent": score.recent, "before": score.baseline,
                    "share_negative": neg.get(pid, 0) / max(sum(s), 1),
                    "examples": [e["text"] for e in shown.examples]})
    out.sort(key=lambda r: (-r["score"].score, -r["recent"], r["problem_id"]))
    return out
