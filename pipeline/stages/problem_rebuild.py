"""Rebuild customer problems from stored history under the current problem model.

The problem model's version names its encoder and word table, so a warehouse analysed
under an older version keeps its problems there, and reports (which read the current
version only) show none. `rebuild_problems` feeds the stored customer mentions again,
oldest day first, through the same online model the analyze step runs
(`problem_store.update_problems`), side by side with the older version's rows:

* the posts are those analyze clusters: mentioned by a customer (not one of the brand's
  own accounts), not a cross-post, and negative under the configured sentiment model or
  a complaint under its intent labels (the rules decide where no intent row is stored);
* streamed in keyset pages of (day, post id, brand), never all in memory;
* idempotent: a post that already has a row under the current version is skipped, so a
  second run (or a run after an interrupted one) changes nothing it finished;
* reads text, language, day and stored labels only, never authors (the own-accounts test
  compares pseudonymous ids inside the database).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Engine, and_, select, tuple_

from pipeline.nlp.intent import classify_intents
from pipeline.nlp.intent_head import intent_identity
from pipeline.nlp.keyphrases import KEYPHRASE_MODEL
from pipeline.nlp.problem_store import ProblemSession, update_problems
from pipeline.nlp.problems import ProblemPost
from pipeline.nlp.profiles import resolve_profile
from pipeline.reputation.metrics import BY_OFFICIAL
from pipeline.stages.progress import Progress, no_progress
from pipeline.warehouse.schema import intent, keyphrase, mention, post, sentiment

__all__ = ["RebuildResult", "rebuild_problems"]

PAGE = 2000  # mentions read per page


@dataclass(slots=True)
class RebuildResult:
    version: str  # the problem model version rebuilt
    mentions: int = 0  # customer mentions read
    clustered: int = 0  # of them negative or complaints: fed to the problem model
    new: int = 0  # of those, without a row under this version before (the rest: skipped)
    created: int = 0  # problems created
    merges: int = 0
    unscored: int = 0  # mentions without a sentiment label of the configured model


def rebuild_problems(engine: Engine, config: Any, *, backend: Any = None,
                     since: date | None = None, progress: Progress = no_progress,
                     page: int = PAGE) -> RebuildResult:
    """Cluster the stored customer mentions (from `since`, default all history) into
    problems under the current problem model; see the module doc."""
    from pipeline.nlp.sentiment import load_backend

    backend = backend or load_backend(config.sentiment_model())
    im, iv = intent_identity(backend)
    km, kv = KEYPHRASE_MODEL
    session = ProblemSession(resolve_profile(config).text_encoder, warn_stale=False)
    result = RebuildResult(session.version)
    query = (
        select(mention.c.post_id, mention.c.brand, post.c.day, post.c.text, post.c.lang,
               sentiment.c.label.label("sentiment"), intent.c.label.label("intent"),
               keyphrase.c.phrases)
        .select_from(mention)
        .join(post, and_(post.c.post_id == mention.c.post_id, post.c.duplicate_of.is_(None)))
        .outerjoin(sentiment, and_(sentiment.c.post_id == mention.c.post_id,
                                   sentiment.c.model == backend.name,
                                   sentiment.c.version == backend.version))
        .outerjoin(intent, and_(intent.c.post_id == mention.c.post_id, intent.c.model == im,
                                intent.c.version == iv))
        .outerjoin(keyphrase, and_(keyphrase.c.post_id == mention.c.post_id,
                                   keyphrase.c.model == km, keyphrase.c.version == kv))
        .where(~BY_OFFICIAL)
        .order_by(post.c.day, mention.c.post_id, mention.c.brand)
        .limit(page)
    )
    if since is not None:
        query = query.where(post.c.day >= since)
    last: tuple[date, str, str] | None = None
    held: list[Any] = []  # the newest day's rows of a page: its day may go on
    while True:
        q = query if last is None else query.where(
            tuple_(post.c.day, mention.c.post_id, mention.c.brand) > tuple_(*last))
        with engine.connect() as conn:
            rows = list(conn.execute(q).all())
        if rows:
            last = (rows[-1].day, rows[-1].post_id, rows[-1].brand)
            progress("problems", len(rows))
        ended = len(rows) < page
        rows = held + rows
        # one model update per day (as the demo bench replays), whatever the page size:
        # the newest day's rows wait for the next page, unless that day fills the page
        done = len(rows)
        if not ended:
            done = next((i for i in range(len(rows) - 1, 0, -1)
                         if rows[i - 1].day != rows[-1].day), len(rows))
        for day_rows in _by_day(rows[:done]):
            _rebuild_day(engine, day_rows, session, result)
        held = rows[done:]
        if ended:
            return result


def _by_day(rows: Sequence[Any]) -> list[list[Any]]:
    out: list[list[Any]] = []
    for r in rows:
        if out and out[-1][0].day == r.day:
            out[-1].append(r)
        else:
            out.append([r])
    return out


def _rebuild_day(engine: Engine, rows: Sequence[Any], session: ProblemSession,
                  result: RebuildResult) -> None:
    result.mentions += len(rows)
    result.unscored += sum(1 for r in rows if r.sentiment is None)
    # no stored intent under the configured system: the rules decide (as analyze would
    # for a post the intent head has no vector of)
    missing = [r for r in rows if r.intent is None]
    ruled = dict(zip((r.post_id for r in missing), classify_intents(
        [r.text for r in missing], [r.lang for r in missing]), strict=True)) if missing else {}
    by_brand: dict[str, list[ProblemPost]] = defaultdict(list)
    negative: dict[str, bool] = {}
    for r in rows:
        label = r.intent if r.intent is not None else ruled[r.post_id]
        neg = r.sentiment == "negative"
        if not (neg or label == "complaint"):
            continue
        negative[r.post_id] = neg
        phrases = ([(str(k), float(w)) for k, w in r.phrases[:3]]
                   if r.phrases is not None else None)
        by_brand[r.brand].append(ProblemPost(r.post_id, r.text, r.lang, r.day, phrases))
    with engine.begin() as conn:
        for brand in sorted(by_brand):
            res = update_problems(conn, brand, by_brand[brand], negative, session=session)
            result.clustered += len(by_brand[brand])
            result.new += len({a.post_id for a in res.assignments}
                              & {p.post_id for p in by_brand[brand]})
            result.created += len(res.created)
            result.merges += len(res.merges)
