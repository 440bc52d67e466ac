"""Reddit failures through the collect step: what was read is stored, the cursor moves
only past it, and one thread's 404 skips that thread's comments, not the listing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from pipeline.config import parse_config
from pipeline.stages.base import open_warehouse
from pipeline.stages.collect import collect_source
from pipeline.stages.run import run
from pipeline.warehouse import state
from pipeline.warehouse.schema import raw_post

pytestmark = pytest.mark.usefixtures("reddit_env")

T0 = 1_700_000_000


def t3(id_: str, created: float, sub: str) -> dict[str, Any]:
    return {"kind": "t3", "data": {
        "id": id_, "name": f"t3_{id_}", "title": f"title {id_}", "selftext": "Acme text",
        "author": "alice", "subreddit": sub, "created_utc": created, "score": 1,
        "num_comments": 1, "permalink": f"/r/{sub}/comments/{id_}/t/",
        "url": f"https://www.reddit.com/r/{sub}/comments/{id_}/t/"}}


def listing(*children: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "Listing", "data": {"after": None, "before": None,
                                        "children": list(children)}}


def comment(id_: str, link: str) -> dict[str, Any]:
    return {"kind": "t1", "data": {
        "id": id_, "name": f"t1_{id_}", "parent_id": link, "link_id": link,
        "body": "a comment", "author": "bob", "subreddit": "good", "created_utc": T0 + 5,
        "score": 1, "permalink": f"/r/good/comments/{link[3:]}/t/{id_}/", "replies": ""}}


def setup(tmp_path: Path, base_url: str, **options: Any) -> tuple[Any, Any]:
    config = parse_config({
        "warehouse": {"url": f"sqlite:///{tmp_path / 'w.db'}"},
        "brands": [{"name": "Acme"}],
        "sources": [{"name": "rd", "kind": "reddit",
                     "options": {"base_url": base_url, **options}}],
    }, base_dir=tmp_path)
    return open_warehouse(config), config


def stored(engine: Any) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(select(raw_post.c.external_id)).scalars())


def cursor(engine: Any) -> dict[str, Any]:
    with engine.connect() as conn:
        health = state.read_health(conn, "rd")
    assert health is not None
    return health.cursor


def test_rate_limit_after_a_good_listing_keeps_its_posts(serve: Any, routes: Any,
                                                         reply: Any, tmp_path: Path) -> None:
    table: dict[str, Any] = {
        "GET /r/good/new": reply(200, listing(t3("g2", T0 + 10, "good"), t3("g1", T0, "good"))),
        "GET /r/busy/new": reply(429, {"message": "Too Many Requests"}, {"Retry-After": "40"}),
    }
    server = serve(routes(table))
    engine, config = setup(tmp_path, server.url, subreddits=["good", "busy"],
                           max_rate_limit_wait_s=10)
    outcome = collect_source(engine, config, config.sources[0], "run1")
    assert outcome.status == "failed" and "rate limited" in (outcome.error or "")
    assert outcome.items == 2
    assert stored(engine) == {"t3_g1", "t3_g2"}
    listings = cursor(engine)["listings"]
    assert "new:r/good" in listings and "new:r/busy" not in listings

    # the next run reads the busy listing, and nothing of the good one again
    table["GET /r/busy/new"] = reply(200, listing(t3("b1", T0 + 20, "busy")))
    again = collect_source(engine, config, config.sources[0], "run2", force=True)
    assert again.status == "ok" and again.items == 1
    assert stored(engine) == {"t3_g1", "t3_g2", "t3_b1"}


def test_one_thread_404_skips_its_comments_not_the_listing(serve: Any, routes: Any,
                                                          reply: Any, tmp_path: Path) -> None:
    server = serve(routes({
        "GET /r/good/new": reply(200, listing(t3("a2", T0 + 10, "good"), t3("a1", T0, "good"))),
        "GET /comments/a2": reply(404, {"message": "Not Found", "error": 404}),
        "GET /comments/a1": reply(200, [listing(t3("a1", T0, "good")),
                                        listing(comment("c1", "t3_a1"))]),
    }))
    engine, config = setup(tmp_path, server.url, subreddits=["good"], comments=True)
    outcome = collect_source(engine, config, config.sources[0], "run1")
    assert outcome.status == "ok", outcome.error
    assert stored(engine) == {"t3_a1", "t3_a2", "t1_c1"}
    assert "new:r/good" in cursor(engine)["listings"]


def test_a_source_raising_anything_is_recorded_and_the_run_goes_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Not only SourceError/OSError/ValueError: a TypeError or RecursionError from a
    source is that source's error; the other sources are collected."""
    from pipeline.sources.file import FileSource

    good = tmp_path / "good.jsonl"
    good.write_text('{"id": "1", "text": "Acme rocks", "created_at": "2026-10-01T10:00:00Z"}\n',
                    encoding="utf-8")
    config = parse_config({
        "warehouse": {"url": f"sqlite:///{tmp_path / 'w.db'}"},
        "brands": [{"name": "Acme"}], "analysis": {"profile": "fast"},
        "sources": [{"name": "broken", "kind": "file", "options": {"path": "broken.jsonl"}},
                    {"name": "good", "kind": "file", "options": {"path": "good.jsonl"}}],
    }, base_dir=tmp_path)
    (tmp_path / "broken.jsonl").write_text(good.read_text(encoding="utf-8"), encoding="utf-8")
    real = FileSource.fetch

    def fetch(self: Any, cursor: dict[str, Any]) -> Any:
        if self.name == "broken":
            raise RecursionError("maximum recursion depth exceeded")
        return real(self, cursor)

    monkeypatch.setattr(FileSource, "fetch", fetch)  # a source bug, injected
    engine = open_warehouse(config)
    result = run(engine, config)
    outcomes = {o.source: o for o in result.collect.outcomes}
    assert outcomes["broken"].status == "failed"
    assert outcomes["broken"].error == "RecursionError: maximum recursion depth exceeded"
    assert outcomes["good"].status == "ok" and result.analyze.mentions == 1
    with engine.connect() as conn:
        health = state.read_health(conn, "broken")
    assert health is not None and health.consecutive_failures == 1
