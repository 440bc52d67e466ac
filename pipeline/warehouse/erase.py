"""Delete posts and every copy of them: derived rows, quotes in problems and alerts,
authors left without posts; the days they counted in are marked for re-aggregation."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, delete, exists, select, update

from pipeline.records import as_date
from pipeline.warehouse import state
from pipeline.warehouse.schema import (
    alert,
    author,
    intent,
    keyphrase,
    mention,
    post,
    post_problem,
    problem,
    raw_post,
    sentiment,
    sentiment_override,
)

CHUNK = 500
_DERIVED = (sentiment, sentiment_override, intent, keyphrase, post_problem, mention, post,
            raw_post)


def delete_posts(conn: Connection, ids: Sequence[str]) -> set[date]:
    """Delete `ids` (raw and derived) in the caller's transaction; returns the days whose
    metrics counted them (marked dirty, so the next run recomputes them)."""
    days: set[date] = set()
    for i in range(0, len(ids), CHUNK):
        chunk = list(ids[i:i + CHUNK])
        days |= {as_date(d) for d in conn.execute(
            select(mention.c.day).where(mention.c.post_id.in_(chunk)).distinct()).scalars()}
        for table in _DERIVED:
            conn.execute(delete(table).where(table.c.post_id.in_(chunk)))
        # duplicates that pointed at an erased post become originals
        conn.execute(update(post).where(post.c.duplicate_of.in_(chunk))
                     .values(duplicate_of=None))
    gone = set(ids)
    if gone:
        _drop_problem_examples(conn, gone)
        _drop_alert_quotes(conn, gone)
    delete_orphan_authors(conn)
    state.mark_dirty(conn, days)
    return days


def delete_orphan_authors(conn: Connection) -> int:
    """Authors (pseudonyms) with no post left."""
    result = conn.execute(delete(author).where(
        ~exists().where(post.c.author_id == author.c.author_id)))
    return int(result.rowcount or 0)


def _drop_problem_examples(conn: Connection, gone: set[str]) -> None:
    for row in conn.execute(select(problem.c.problem_id, problem.c.examples)).all():
        examples = row.examples or []
        kept = [e for e in examples if e.get("post_id") not in gone]
        if len(kept) != len(examples):
            conn.execute(update(problem).where(problem.c.problem_id == row.problem_id)
                         .values(examples=kept))


def _drop_alert_quotes(conn: Connection, gone: set[str]) -> None:
    """Alerts quote their top posts (text and link) in `details`: drop the erased ones."""
    for row in conn.execute(select(alert.c.alert_id, alert.c.details)).all():
        details: dict[str, Any] = dict(row.details or {})
        quoted = details.get("top_posts") or []
        kept = [p for p in quoted if not (isinstance(p, dict) and p.get("post_id") in gone)]
        if len(kept) != len(quoted):
            details["top_posts"] = kept
            details["erased_posts"] = int(details.get("erased_posts") or 0) + \
                len(quoted) - len(kept)
            conn.execute(update(alert).where(alert.c.alert_id == row.alert_id)
                         .values(details=details))
