"""Deleting posts for privacy: one author's posts on request, and posts past the
retention period; every copy goes (raw and derived rows, quotes in alerts and problems)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine, delete, select

from pipeline.config import Config
from pipeline.records import utcnow
from pipeline.text.pseudonym import Pseudonymiser
from pipeline.warehouse.erase import delete_posts
from pipeline.warehouse.schema import author, post, raw_post


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
