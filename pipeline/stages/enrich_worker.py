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
"""

from __future__ import annotations

import contextlib
import multiprocessing
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from pipeline.records import Mention, Post, SentimentResult
from pipeline.stages.enrich import Enricher

__all__ = ["EnrichWorker", "Enriched", "Score", "enrich_and_score", "mentioned_posts"]

#: scores the texts of mentioned posts: (texts, langs) -> one result per text
Score = Callable[[list[str], list[str | None]], list[SentimentResult]]


@dataclass(slots=True)
class Enriched:
    """One batch: its posts and mentions, and the sentiment of each mentioned post (in
    the order the posts are first mentioned), or None when nothing scored them."""

    posts: list[Post]
    mentions: list[Mention]
    scores: list[SentimentResult] | None


def mentioned_posts(posts: Sequence[Post], mentions: Sequence[Mention]) -> list[Post]:
    """The posts with a mention, once each, in the order of their first mention."""
    by_id = {p.post_id: p for p in posts}
    return [by_id[pid] for pid in dict.fromkeys(m.post_id for m in mentions)]


def enrich_and_score(enricher: Enricher, raws: Sequence[Mapping[str, Any]],
                     score: Score | None, chunk: int) -> Enriched:
    """`enricher.enrich(raws)`, then `score` over the mentioned posts in chunks of `chunk`."""
    posts, mentions = enricher.enrich(raws)
    if score is None:
        return Enriched(posts, mentions, None)
    mentioned = mentioned_posts(posts, mentions)
    results: list[SentimentResult] = []
    for i in range(0, len(mentioned), chunk):
        part = mentioned[i:i + chunk]
        results.extend(score([p.text for p in part], [p.lang for p in part]))
    return Enriched(posts, mentions, results)


def _serve(conn: Connection, parent_end: Connection, enricher: Enricher,
           score: Score | None, chunk: int) -> None:
    # the fork copied the parent's end of the pipe: without closing it here, a parent
    # that dies (SIGKILL) would never give this end EOF and the worker would wait forever
    parent_end.close()
    while True:
        try:
            raws = conn.recv()
        except EOFError:  # the parent is gone
            return
        if raws is None:
            return
        try:
            conn.send((True, enrich_and_score(enricher, raws, score, chunk)))
        except Exception:  # handed to the caller, raised there
            conn.send((False, traceback.format_exc()))
            return


class EnrichWorker:
    """A forked process enriching (and scoring) submitted batches in order.

    `submit(raws)` queues a batch, `result()` returns the oldest queued batch's
    `Enriched`. Use as a context manager (the process ends on exit)."""

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

    @staticmethod
    def available() -> bool:
        """Fork exists here, and this process may have children (a daemonic one, such
        as a Celery prefork pool worker, may not)."""
        return ("fork" in multiprocessing.get_all_start_methods()
                and not multiprocessing.current_process().daemon)

    def submit(self, raws: Sequence[Mapping[str, Any]]) -> None:
        self._conn.send(list(raws))
        self.in_flight += 1

    def result(self) -> Enriched:
        try:
            ok, payload = self._conn.recv()
        except EOFError:
            raise RuntimeError("the enrich worker ended unexpectedly "
                               f"(exit code {self._proc.exitcode})") from None
        self.in_flight -= 1
        if not ok:
            raise RuntimeError(f"enrich worker failed:\n{payload}")
        result: Enriched = payload
        return result

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
