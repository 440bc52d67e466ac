"""Enrich and score the next batches in a second process while this one writes.

Analyze is a chain per batch: enrich (HTML, language, duplicates, pseudonyms, brands)
and sentiment need only the raw rows; writing, intent, keyphrases and problems need the
database. On two cores they can overlap: `EnrichWorker` forks a process that owns the
`Enricher` (its duplicate memory included) and, when given, the scoring function, and
works through the batches in the order they are submitted while the caller writes the
batches it already got back. The worker sees every batch, in order, exactly as the
caller would have, so the results are the same posts, mentions and scores.

Forked, not spawned: the worker starts with the models and the seeded duplicate memory
already in memory (copy-on-write), nothing is pickled but the batches and the results.
It never touches the database. Fork is only used where the platform has it
(`EnrichWorker.available`); callers fall back to enriching in process.

Scoring is shared: each batch is submitted with a `share`, the fraction of its
mentioned posts the worker scores (the first ones); the caller scores the rest
(`score_rest`). `Balance` moves the share by a step per batch towards the process that
waits: when the worker's result was ready before the caller asked, the worker idled and
takes more; when the caller had to wait, it takes more itself. A post's scores do not
depend on the other posts of its chunk, so the split never changes a row.
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from multiprocessing.connection import Connection
from operator import attrgetter
from typing import Any

from pipeline.records import Mention, Post, SentimentResult
from pipeline.stages.enrich import Enricher

__all__ = ["Balance", "EnrichWorker", "Enriched", "Score", "enrich_and_score",
           "mentioned_posts", "score_rest"]

#: scores the texts of mentioned posts: (texts, langs) -> one result per text
Score = Callable[[list[str], list[str | None]], list[SentimentResult]]


@dataclass(slots=True)
class Enriched:
    """One batch: its posts and mentions, and the sentiment of the mentioned posts (in
    the order the posts are first mentioned; the first ones only when the worker scored
    a share of them, see `score_rest`), or None when nothing scored them."""

    posts: list[Post]
    mentions: list[Mention]
    scores: list[SentimentResult] | None


def mentioned_posts(posts: Sequence[Post], mentions: Sequence[Mention]) -> list[Post]:
    """The posts with a mention, once each, in the order of their first mention."""
    by_id = {p.post_id: p for p in posts}
    return [by_id[pid] for pid in dict.fromkeys(m.post_id for m in mentions)]


def _score(score: Score, posts: Sequence[Post], chunk: int) -> list[SentimentResult]:
    results: list[SentimentResult] = []
    for i in range(0, len(posts), chunk):
        part = posts[i:i + chunk]
        results.extend(score([p.text for p in part], [p.lang for p in part]))
    return results


def enrich_and_score(enricher: Enricher, raws: Sequence[Mapping[str, Any]],
                     score: Score | None, chunk: int, share: float = 1.0) -> Enriched:
    """`enricher.enrich(raws)`, then `score` over the first `share` of the mentioned posts
    (all by default) in chunks of `chunk`."""
    posts, mentions = enricher.enrich(raws)
    if score is None:
        return Enriched(posts, mentions, None)
    mentioned = mentioned_posts(posts, mentions)
    upto = min(len(mentioned), math.ceil(share * len(mentioned)))
    return Enriched(posts, mentions, _score(score, mentioned[:upto], chunk))


def score_rest(enriched: Enriched, score: Score, chunk: int) -> list[SentimentResult]:
    """The scores of every mentioned post of `enriched`: the worker's, then `score` over
    the posts it left (its `share` was below 1)."""
    assert enriched.scores is not None
    mentioned = mentioned_posts(enriched.posts, enriched.mentions)
    done = len(enriched.scores)
    if done == len(mentioned):
        return enriched.scores
    return [*enriched.scores, *_score(score, mentioned[done:], chunk)]


class Balance:
    """The worker's share of the scoring, moved by `step` towards the idle process after
    each batch (`update(worker_was_ready)`), within [0, 1]."""

    def __init__(self, share: float = 1.0, step: float = 0.1) -> None:
        self.share, self.step = share, step

    def update(self, worker_was_ready: bool) -> float:
        move = self.step if worker_was_ready else -self.step
        self.share = min(1.0, max(0.0, round(self.share + move, 6)))
        return self.share


_POST_FIELDS = attrgetter(*(f.name for f in fields(Post)))


def _pack(enriched: Enriched) -> tuple[Any, ...]:
    """`enriched` as plain tuples: pickled and unpickled in a fraction of the time of the
    dataclasses (frozen ones unpickle through a Python function per object)."""
    scores = (None if enriched.scores is None
              else [(r.label, r.scores) for r in enriched.scores])
    return ([_POST_FIELDS(p) for p in enriched.posts],
            [(m.post_id, m.brand, m.matched) for m in enriched.mentions], scores)


def _unpack(packed: tuple[Any, ...]) -> Enriched:
    posts, mentions, scores = packed
    return Enriched([Post(*p) for p in posts], [Mention(*m) for m in mentions],
                    None if scores is None else [SentimentResult(*r) for r in scores])


def _serve(conn: Connection, parent_end: Connection, enricher: Enricher,
           score: Score | None, chunk: int) -> None:
    # the fork copied the parent's end of the pipe: without closing it here, a parent
    # that dies (SIGKILL) would never give this end EOF and the worker would wait forever
    parent_end.close()
    while True:
        try:
            job = conn.recv()
        except EOFError:  # the parent is gone
            return
        if job is None:
            return
        raws, share = job
        try:
            conn.send((True, _pack(enrich_and_score(enricher, raws, score, chunk, share))))
        except Exception:  # handed to the caller, raised there
            conn.send((False, traceback.format_exc()))
            return


class EnrichWorker:
    """A forked process enriching (and scoring) submitted batches in order.

    `submit(raws, share)` queues a batch, `result()` returns the oldest queued batch's
    `Enriched`; `was_ready` tells whether it was there before `result()` asked (the
    worker idled). Use as a context manager (the process ends on exit)."""

    def __init__(self, enricher: Enricher, score: Score | None = None,
                 chunk: int = 256) -> None:
        ctx = multiprocessing.get_context("fork")
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(target=_serve,
                                 args=(child, self._conn, enricher, score, chunk),
                                 name="stimmung-enrich", daemon=True)
        self._proc.start()
        child.close()
        self.in_flight = 0
        self.was_ready = False

    @staticmethod
    def available() -> bool:
        """Fork exists here, and this process may have children (a daemonic one, such
        as a Celery prefork pool worker, may not)."""
        return ("fork" in multiprocessing.get_all_start_methods()
                and not multiprocessing.current_process().daemon)

    def submit(self, raws: Sequence[Mapping[str, Any]], share: float = 1.0) -> None:
        """Queue `raws`; the worker scores the first `share` of its mentioned posts."""
        self._conn.send((list(raws), share))
        self.in_flight += 1

    def result(self) -> Enriched:
        self.was_ready = self._conn.poll()
        try:
            ok, payload = self._conn.recv()
        except EOFError:
            raise RuntimeError("the enrich worker ended unexpectedly "
                               f"(exit code {self._proc.exitcode})") from None
        self.in_flight -= 1
        if not ok:
            raise RuntimeError(f"enrich worker failed:\n{payload}")
        return _unpack(payload)

    def close(self) -> None:
        if self._proc.is_alive():
            with contextlib.suppress(OSError):  # the worker may be gone already
                self._conn.send(None)
            self._proc.join(timeout=10)
            if self._proc.is_alive():
                self._proc.terminate()
                self._proc.join()
        self._conn.close()

    def __enter__(self) -> EnrichWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
