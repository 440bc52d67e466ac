"""Reddit source: the real praw client against recorded and project-made responses."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

import pytest

from pipeline.sources.base import SourceContext, SourceError, build_source
from pipeline.sources.reddit import RedditSource, brand_query, comment_to_post

pytestmark = pytest.mark.usefixtures("reddit_env")

T0 = 1_700_000_000  # 2023-11-14T22:13:20Z


def make_source(base_url: str, **options: Any) -> RedditSource:
    context = SourceContext(
        brand_terms=(("Acme", ("ACME Corp",)),),
        user_agent="stimmung/0.1 (test; contact: test@example.org)",
        timeout_s=5,
    )
    source = build_source("reddit-test", "reddit", {"base_url": base_url, **options}, context)
    assert isinstance(source, RedditSource)
    source.waits = []  # type: ignore[attr-defined]
    source.sleep = source.waits.append  # type: ignore[attr-defined]
    return source


def drain(source: RedditSource, state: dict[str, Any]) -> tuple[list[Any], Exception | None]:
    """All posts a run yields, and the error it ended with (if any)."""
    posts: list[Any] = []
    try:
        for post in source.fetch(state):
            posts.append(post)
    except SourceError as exc:
        return posts, exc
    return posts, None


def t3(id_: str, created: float, sub: str = "brand", author: str | None = "alice",
       selftext: str = "text", num_comments: int = 0) -> dict[str, Any]:
    return {"kind": "t3", "data": {
        "id": id_, "name": f"t3_{id_}", "title": f"title {id_}", "selftext": selftext,
        "author": author if author is not None else "[deleted]", "subreddit": sub,
        "created_utc": created, "score": 5, "num_comments": num_comments,
        "upvote_ratio": 0.9, "permalink": f"/r/{sub}/comments/{id_}/t/",
        "url": f"https://www.reddit.com/r/{sub}/comments/{id_}/t/",
    }}


def t1(id_: str, parent: str, link: str, body: str = "comment", author: str = "bob",
       replies: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"kind": "t1", "data": {
        "id": id_, "name": f"t1_{id_}", "parent_id": parent, "link_id": link, "body": body,
        "author": author, "subreddit": "brand", "created_utc": T0 + 50, "score": 2,
        "permalink": f"/r/brand/comments/{link[3:]}/t/{id_}/",
        "replies": {"kind": "Listing", "data": {"after": None, "children": replies}}
        if replies else "",
    }}


def listing(*children: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "Listing", "data": {"after": None, "before": None,
                                        "children": list(children)}}


# -- recorded responses (../shared) ------------------------------------------------------

@pytest.mark.shared
def test_new_listing_from_cassette_then_nothing_new(cassette_server: Any) -> None:
    server, replay = cassette_server("TestSubredditListings.test_new")
    source = make_source(server.url, subreddits=["askreddit"], limit=100)
    state: dict[str, Any] = {}
    posts, error = drain(source, state)
    assert error is None and replay.unmatched == []
    assert len(posts) == 100
    assert all(p.external_id.startswith("t3_") for p in posts)
    assert len({p.external_id for p in posts}) == 100
    assert {p.community for p in posts} == {"r/AskReddit"}
    first = posts[0]
    assert first.url.startswith("https://www.reddit.com/r/AskReddit/comments/")
    assert first.created_at.tzinfo is UTC and first.created_at.year == 2016
    assert set(first.engagement) >= {"score", "comments"}
    json.dumps([p.payload for p in posts])  # JSON-safe
    assert first.payload["subreddit"] == "AskReddit" and first.payload["name"] == first.external_id
    assert len(state["listings"]["new:r/askreddit"]["seen"]) == 100
    again, error = drain(source, state)
    assert again == [] and error is None


@pytest.mark.shared
def test_search_from_cassette(cassette_server: Any) -> None:
    server, replay = cassette_server("TestSubreddit.test_search")
    source = make_source(server.url, search=["praw oauth search"], search_sort="relevance")
    posts, error = drain(source, {})
    assert error is None and replay.unmatched == []
    assert posts and all(p.external_id.startswith("t3_") for p in posts)
    search = [r for r in server.requests if r.path.startswith("/r/all/search")]
    assert search[0].arg("q") == "praw oauth search"
    assert all(p.community and p.community.startswith("r/") for p in posts)


@pytest.mark.shared
def test_comments_expand_more_from_cassette(cassette_server: Any) -> None:
    server, replay = cassette_server("TestMore.test_comments")
    counts = {}
    for limit in (0, 1):
        source = make_source(server.url, subreddits=["x"], max_more_comments=limit)
        submission = source.reddit().submission("3hahrw")
        comments = list(source.comment_posts("test", submission))
        counts[limit] = len(comments)
        assert all(c.external_id.startswith("t1_") for c in comments)
        assert all(c.parent_id and c.parent_id[:3] in {"t1_", "t3_"} for c in comments)
    assert replay.unmatched == []
    assert server.paths("POST").count("/api/morechildren/") == 1
    assert counts[1] > counts[0] > 0


@pytest.mark.shared
def test_deleted_comment_from_cassette(cassette_server: Any) -> None:
    server, _ = cassette_server("TestComment.test_refresh__deleted_comment")
    source = make_source(server.url, subreddits=["x"])
    comment = next(iter(source.reddit().info(fullnames=["t1_d7ltvl0"])))
    post = comment_to_post(comment, "reddit-test")
    assert post.external_id == "t1_d7ltvl0"
    assert post.author is None
    assert post.body == "" and post.payload["body_removed"] == "[deleted]"
    assert post.parent_id and post.parent_id.startswith("t")
    json.dumps(post.payload)


# -- project-made responses (always run) ----------------------------------------------

def thread(sub_id: str) -> list[dict[str, Any]]:
    """A submission page: the submission, a comment tree with a `more` and a deleted user."""
    link = f"t3_{sub_id}"
    more = {"kind": "more", "data": {"count": 1, "name": f"t1_{sub_id}m", "id": f"{sub_id}m",
                                     "parent_id": f"t1_{sub_id}c1", "depth": 1,
                                     "children": [f"{sub_id}c3"]}}
    tree = listing(
        t1(f"{sub_id}c1", link, link, "top comment", replies=[
            t1(f"{sub_id}c2", f"t1_{sub_id}c1", link, "[removed]", author="[deleted]"), more,
        ]),
    )
    return [listing(t3(sub_id, T0, num_comments=3)), tree]


def morechildren(reply: Any) -> Any:
    """A /api/morechildren handler that expands each `more` into one reply."""

    def handler(request: Any) -> Any:
        return reply(200, {"json": {"errors": [], "data": {"things": [expand(request)]}}})

    return handler


def expand(request: Any) -> dict[str, Any]:
    child = request.form["children"][0]
    link = request.form["link_id"][0]
    return t1(child, f"t1_{link[3:]}c1", link, "expanded reply")


def test_incremental_with_comment_tree(serve: Any, routes: Any, reply: Any) -> None:
    table: dict[str, Any] = {
        "GET /r/brand/new": reply(200, listing(t3("b2", T0 + 10), t3("b1", T0, num_comments=3))),
        "GET /comments/b1": reply(200, thread("b1")),
        "GET /comments/b2": reply(200, thread("b2")),
        "POST /api/morechildren": morechildren(reply),
    }
    server = serve(routes(table))
    source = make_source(server.url, subreddits=["r/brand"], comments=True, max_more_comments=5)
    state: dict[str, Any] = {}
    posts, error = drain(source, state)
    assert error is None
    ids = [p.external_id for p in posts]
    assert ids[:1] == ["t3_b2"] and "t3_b1" in ids
    assert {"t1_b1c1", "t1_b1c2", "t1_b1c3"} <= set(ids)
    by_id = {p.external_id: p for p in posts}
    removed = by_id["t1_b1c2"]
    assert removed.author is None and removed.body == ""
    assert removed.payload["body_removed"] == "[removed]"
    assert removed.parent_id == "t1_b1c1" and by_id["t1_b1c1"].parent_id == "t3_b1"
    assert by_id["t1_b1c3"].body == "expanded reply"
    submission = by_id["t3_b1"]
    assert submission.community == "r/brand" and submission.author == "alice"
    assert submission.engagement == {"score": 5.0, "comments": 3.0, "upvote_ratio": 0.9}
    assert submission.created_at == datetime.fromtimestamp(T0, UTC)
    assert submission.url == "https://www.reddit.com/r/brand/comments/b1/t/"
    assert server.paths("POST").count("/api/morechildren/") == 2

    comment_calls = len([p for p in server.paths() if p.startswith("/comments/")])
    again, error = drain(source, state)
    assert again == [] and error is None
    assert len([p for p in server.paths() if p.startswith("/comments/")]) == comment_calls

    table["GET /r/brand/new"] = reply(200, listing(t3("b3", T0 + 20), t3("b2", T0 + 10)))
    table["GET /comments/b3"] = reply(200, thread("b3"))
    source.options.comments = False
    third, error = drain(source, state)
    assert [p.external_id for p in third] == ["t3_b3"] and error is None
    source.close()
    assert source._reddit is None


def test_429_retry_after_is_honoured(serve: Any, routes: Any, reply: Any) -> None:
    server = serve(routes({"GET /r/brand/new": [
        reply(429, {"message": "Too Many Requests"}, {"Retry-After": "7"}),
        reply(429, {"message": "Too Many Requests"}, {"x-ratelimit-reset": "3"}),
        reply(200, listing(t3("a1", T0))),
    ]}))
    source = make_source(server.url, subreddits=["brand"])
    posts, error = drain(source, {})
    assert error is None and [p.external_id for p in posts] == ["t3_a1"]
    assert source.waits == [7.0, 3.0]  # type: ignore[attr-defined]


def test_429_without_a_wait_header_backs_off_exponentially(serve: Any, routes: Any,
                                                            reply: Any) -> None:
    busy = reply(429, {"message": "Too Many Requests"})
    server = serve(routes({"GET /r/brand/new": [busy, busy, busy, busy, busy,
                                                reply(200, listing(t3("a1", T0)))]}))
    source = make_source(server.url, subreddits=["brand"])
    posts, error = drain(source, {})
    assert error is None and [p.external_id for p in posts] == ["t3_a1"]
    assert source.waits == [5.0, 10.0, 20.0, 40.0, 60.0]  # type: ignore[attr-defined]


def test_429_beyond_budget_keeps_finished_listings(serve: Any, routes: Any, reply: Any) -> None:
    server = serve(routes({
        "GET /r/good/new": reply(200, listing(t3("g1", T0, sub="good"))),
        "GET /r/busy/new": reply(429, {"message": "Too Many Requests"}, {"Retry-After": "40"}),
    }))
    source = make_source(server.url, subreddits=["good", "busy"], max_rate_limit_wait_s=100)
    state: dict[str, Any] = {}
    posts, error = drain(source, state)
    assert [p.external_id for p in posts] == ["t3_g1"]
    assert error is not None and "rate limited" in str(error) and "giving up" in str(error)
    assert "new:r/busy" in str(error)
    assert source.waits == [40.0, 40.0]  # type: ignore[attr-defined]
    assert "new:r/good" in state["listings"] and "new:r/busy" not in state["listings"]


def test_429_with_zero_retry_after_is_bounded(serve: Any, routes: Any, reply: Any) -> None:
    server = serve(routes({"GET /r/brand/new": reply(429, {}, {"Retry-After": "0"})}))
    source = make_source(server.url, subreddits=["brand"])
    posts, error = drain(source, {})
    assert posts == [] and error is not None and "giving up" in str(error)
    assert source.waits == [1.0] * 10  # type: ignore[attr-defined]
    assert server.paths("GET").count("/r/brand/new") == 11


def test_500_is_retried_then_reported(serve: Any, routes: Any, reply: Any) -> None:
    server = serve(routes({"GET /r/brand/new": reply(500, {"message": "boom"})}))
    source = make_source(server.url, subreddits=["brand"])
    posts, error = drain(source, {})
    assert posts == [] and error is not None
    assert "server error" in str(error) and "HTTP 500" in str(error)
    assert server.paths("GET").count("/r/brand/new") == 3  # praw retries twice


def test_bad_credentials(serve: Any, routes: Any, reply: Any,
                         caplog: pytest.LogCaptureFixture) -> None:
    server = serve(routes({"POST /api/v1/access_token": reply(401, {"message": "Unauthorized"})}))
    source = make_source(server.url, subreddits=["brand"])
    with caplog.at_level(logging.DEBUG):
        posts, error = drain(source, {})
    assert posts == [] and error is not None
    assert "rejected the credentials" in str(error)
    assert "STIMMUNG_REDDIT_CLIENT_ID" in str(error)
    assert "test-client-secret-do-not-log" not in str(error) + caplog.text


def test_forbidden_listing_does_not_stop_the_others(serve: Any, routes: Any,
                                                     reply: Any) -> None:
    server = serve(routes({
        "GET /r/private/new": reply(403, {"reason": "private", "message": "Forbidden"}),
        "GET /r/banned/new": reply(404, {"reason": "banned", "message": "Not Found"}),
        "GET /r/nosuch/new": reply(302, b"", {"Location": "/subreddits/search?q=nosuch"}),
        "GET /r/open/new": reply(200, listing(t3("o1", T0, sub="open"))),
    }))
    source = make_source(server.url, subreddits=["private", "banned", "nosuch", "open"])
    state: dict[str, Any] = {}
    posts, error = drain(source, state)
    assert [p.external_id for p in posts] == ["t3_o1"]
    assert error is not None and "3 of 4 listings failed" in str(error)
    message = str(error)
    assert "forbidden" in message and "not found" in message and "does not exist" in message
    assert list(state["listings"]) == ["new:r/open"]


def test_empty_listing(serve: Any, routes: Any, reply: Any) -> None:
    server = serve(routes({"GET /r/quiet/new": reply(200, listing())}))
    source = make_source(server.url, subreddits=["quiet"])
    state: dict[str, Any] = {}
    posts, error = drain(source, state)
    assert posts == [] and error is None
    assert state["listings"]["new:r/quiet"] == {"newest": 0.0, "seen": []}


def test_search_brands_builds_one_query_per_brand(serve: Any, routes: Any, reply: Any) -> None:
    server = serve(routes({"GET /r/gadgets+tech/search": reply(200, listing(t3("s1", T0)))}))
    source = make_source(server.url, search_brands=True, search_subreddits=["gadgets", "r/tech"])
    posts, error = drain(source, {})
    assert error is None and [p.external_id for p in posts] == ["t3_s1"]
    searches = [r for r in server.requests if "search" in r.path]
    assert searches[0].arg("q") == '"Acme" OR "ACME Corp"'
    assert searches[0].arg("sort") == "new"
    assert brand_query("A", ("A", "B \"x\"")) == '"A" OR "B x"'


def test_post_in_two_listings_is_yielded_once(serve: Any, routes: Any, reply: Any) -> None:
    server = serve(routes({
        "GET /r/brand/new": reply(200, listing(t3("d1", T0), t3("d0", T0 - 5))),
        "GET /r/all/search": reply(200, listing(t3("d1", T0), t3("x1", T0 - 9, sub="other"))),
    }))
    source = make_source(server.url, subreddits=["brand"], search=["acme"])
    state: dict[str, Any] = {}
    posts, error = drain(source, state)
    assert error is None and [p.external_id for p in posts] == ["t3_d1", "t3_d0", "t3_x1"]
    assert [p.community for p in posts] == ["r/brand", "r/brand", "r/other"]
    assert state["listings"]["search:acme@all"]["seen"] == ["t3_d1", "t3_x1"]


def test_script_app_password_is_never_logged(serve: Any, routes: Any, reply: Any,
                                             monkeypatch: pytest.MonkeyPatch,
                                             caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("STIMMUNG_REDDIT_USERNAME", "bot")
    monkeypatch.setenv("STIMMUNG_REDDIT_PASSWORD", "hunter2-password")
    server = serve(routes({"GET /r/brand/new": reply(200, listing(t3("p1", T0)))}))
    with caplog.at_level(logging.DEBUG):
        posts, error = drain(make_source(server.url, subreddits=["brand"]), {})
    assert error is None and len(posts) == 1
    token = next(r for r in server.requests if r.path == "/api/v1/access_token")
    assert token.form["grant_type"] == ["password"] and token.form["username"] == ["bot"]
    assert "hunter2-password" not in caplog.text
    assert "test-client-secret-do-not-log" not in caplog.text


def test_missing_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STIMMUNG_REDDIT_CLIENT_SECRET")
    source = make_source("http://127.0.0.1:9", subreddits=["x"])
    with pytest.raises(SourceError, match="STIMMUNG_REDDIT_CLIENT_SECRET"):
        list(source.fetch({}))


def test_missing_praw_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "praw", None)
    monkeypatch.setitem(sys.modules, "prawcore", None)
    source = make_source("http://127.0.0.1:9", subreddits=["x"])
    with pytest.raises(SourceError, match=r"pip install 'stimmung\[reddit\]'"):
        list(source.fetch({}))


def test_options_accept_strings_from_the_command_line() -> None:
    source = make_source("http://127.0.0.1:9", subreddits="r/a,b+c", search="acme, inc")
    assert source.options.subreddits == ["r/a", "b", "c"]
    assert [key for key, _, _ in source.listings()] == [
        "new:r/a", "new:r/b", "new:r/c", "search:acme, inc@all"]


def test_nothing_configured_is_an_error() -> None:
    source = make_source("http://127.0.0.1:9")
    with pytest.raises(SourceError, match="nothing to read"):
        list(source.fetch({}))
