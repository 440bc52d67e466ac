"""`generate_corpus`: the top-level posts, then their reply threads."""

from __future__ import annotations

from datetime import date

from pipeline.demo.corpus.posts import DEFAULT_END, DemoPost, TopLevelPosts
from pipeline.demo.corpus.threads import ReplyThreads


def generate_corpus(end: date = DEFAULT_END, days: int = 60, seed: int = 7, *,
                    threads: bool = True) -> list[DemoPost]:
    """The demo corpus for the `days` days ending at `end`, sorted by time; deterministic.

    `threads=False` leaves out the replies (and the answered flags of the gold labels).
    """
    posts = TopLevelPosts(end, days, seed).run()
    return ReplyThreads(end, seed).add(posts) if threads else posts
