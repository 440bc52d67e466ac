"""Discourse source against recorded (../shared) and project-made forum responses."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from pipeline.sources.base import SourceContext, SourceError, build_source
from pipeline.sources.discourse import DiscourseSource, search_topics

CONTEXT = SourceContext(brand_terms=(("Acme", ("ACME Corp",)),), timeout_s=5, max_retries=0)


def make_source(base_url: str, **options: Any) -> DiscourseSource:
    source = build_source("forum", "discourse",
                          {"base_url": base_url, "host_delay_s": 0, **options}, CONTEXT)
    assert isinstance(source, DiscourseSource)
    return source


def drain(source: DiscourseSource, state: dict[str, Any]) -> tuple[list[Any], Exception | None]:
    posts: list[Any] = []
    try:
        for post in source.fetch(state):
            posts.append(post)
    except SourceError as exc:
        return posts, exc
    return posts, None


def load(shared: Path, name: str) -> Any:
    return json.loads((shared / "fixtures" / "discourse" / name).read_text())


# -- recorded responses (../shared) ------------------------------------------------------

@pytest.mark.shared
def test_perceval_topics_with_posts_fetched_by_id(shared_dir: Path, serve: Any,
                                                   reply: Any) -> None:
    template = load(shared_dir, "perceval/discourse_post.json")

    def handler(request: Any) -> Any:
        page = request.arg("page")
        if request.path == "/latest.json":
            name = "discourse_topics_empty" if page == "1" else "discourse_topics"
            return reply(200, load(shared_dir, f"perceval/{name}.json"))
        if request.path in ("/t/1148.json", "/t/1149.json"):
            name = request.path.replace("/t/", "discourse_topic_")
            return reply(200, load(shared_dir, f"perceval/{name}"))
        if request.path == "/t/1148/posts.json":
            # project-made wrapper: the recorded post, renumbered as each requested id
            posts = []
            for raw_id in request.query["post_ids[]"]:
                post = copy.deepcopy(template)
                post.update(id=int(raw_id), post_number=int(raw_id), topic_id=1148,
                            reply_to_post_number=int(raw_id) - 1)
                posts.append(post)
            return reply(200, {"post_stream": {"posts": posts}, "id": 1148})
        return reply(404, {"errors": ["not found"]})

    server = serve(handler)
    source = make_source(server.url)
    state: dict[str, Any] = {}
    posts, error = drain(source, state)
    assert error is None
    batches = [r for r in server.requests if r.path == "/t/1148/posts.json"]
    assert len(batches) == 1 and batches[0].query["post_ids[]"] == ["21", "22"]
    topic_1148 = [p for p in posts if p.payload.get("topic_id") == 1148 or
                  p.url.split("/")[-2] == "1148"]
    assert len(topic_1148) == 22
    assert len(posts) == 24  # 22 + the 2 posts of topic 1149
    first = posts[0]
    assert first.external_id == "post:18952" and first.title == "[Support] uBlock Origin"
    assert first.author and first.body.startswith("<")
    assert first.created_at.tzinfo is not None and first.created_at.utcoffset().total_seconds() == 0
    assert set(first.engagement) >= {"score", "reads", "reply_count"}
    assert first.community == "127.0.0.1"  # no /categories.json: the host
    by_id = {p.external_id: p for p in posts[:22]}
    assert by_id["post:19162"].parent_id == "post:19152"  # reply to post number 3
    assert by_id["post:22"].parent_id == "post:21"
    assert server.paths().count("/latest.json") == 2  # page 0, then the empty page 1
    assert state["since"] == "2016-05-25T02:52:49.526000+00:00"
    assert state["topics"]["1148"] == 20545

    before = len(server.requests)
    again, error = drain(source, state)
    assert again == [] and error is None
    assert [r.path for r in server.requests[before:]] == ["/latest.json"]


@pytest.mark.shared
def test_discourse_api_latest_paging_and_categories(shared_dir: Path, serve: Any,
                                                     reply: Any) -> None:
    def handler(request: Any) -> Any:
        if request.path == "/latest.json":
            if request.arg("page") == "1":
                return reply(200, load(shared_dir, "perceval/discourse_topics_empty.json"))
            return reply(200, load(shared_dir, "discourse_api/latest.json"))
        if request.path == "/t/1.json":
            return reply(200, load(shared_dir, "discourse_api/topic.json"))
        if request.path == "/categories.json":
            categories = load(shared_dir, "discourse_api/categories.json")
            categories["category_list"]["categories"].append({"id": 13, "slug": "sandbox"})
            return reply(200, categories)
        return reply(404, {"errors": ["not found"]})

    server = serve(handler)
    posts, error = drain(make_source(server.url), {})
    assert error is None
    assert server.paths().count("/t/1.json") == 1  # the same topic listed thrice, read once
    assert [r.arg("page") for r in server.requests if r.path == "/latest.json"] == [None, "1"]
    assert [p.external_id for p in posts] == ["post:83", "post:84", "post:86", "post:226"]
    assert {p.community for p in posts} == {"sandbox"}
    assert posts[3].parent_id == "post:83"


@pytest.mark.shared
def test_pinned_old_topics_are_not_reread(shared_dir: Path, serve: Any, reply: Any) -> None:
    def handler(request: Any) -> Any:
        if request.path == "/latest.json":
            name = "discourse_topics_empty" if request.arg("page") else "discourse_topics_pinned"
            return reply(200, load(shared_dir, f"perceval/{name}.json"))
        if request.path == "/t/1148.json":
            return reply(200, load(shared_dir, "perceval/discourse_topic_1148.json"))
        return reply(404, {"errors": ["not found"]})

    server = serve(handler)
    state: dict[str, Any] = {"since": "2016-05-25T02:00:00+00:00", "topics": {"1148": 20000}}
    posts, error = drain(make_source(server.url), state)
    assert error is None
    # pinned 1149/1150 were bumped before `since`; 1148 only yields posts after id 20000
    assert [p for p in server.paths() if p.startswith("/t/")] == ["/t/1148.json"]
    assert [p.external_id for p in posts][:2] == ["post:20039", "post:20052"]
    assert len(posts) == 9 and state["topics"]["1148"] == 20545


@pytest.mark.shared
def test_old_search_list_form(shared_dir: Path) -> None:
    topics, more = search_topics(load(shared_dir, "discourse_api/search.json"))
    assert [t["id"] for t in topics] == [1, 2, 3]
    assert more is False


# -- project-made responses (always run) ----------------------------------------------

def post(pid: int, number: int, reply_to: int | None = None, user: str = "ann") -> dict[str, Any]:
    return {"id": pid, "post_number": number, "reply_to_post_number": reply_to,
            "username": user, "cooked": f"<p>post {pid}</p>", "topic_id": 7,
            "created_at": "2024-03-01T10:00:00.000+01:00", "score": 1.5, "reads": 4,
            "reply_count": 0, "actions_summary": [{"id": 2, "count": 3}]}


class Forum:
    """A small Discourse: topic 7 with 5 posts (3 inline), topic 8 forbidden."""

    def __init__(self, reply: Any) -> None:
        self.reply = reply
        self.posts = {101: post(101, 1), 102: post(102, 2, 1, "bob"), 103: post(103, 3),
                      104: post(104, 4, 2), 105: post(105, 5)}
        self.bumped = "2024-03-02T00:00:00.000Z"

    def __call__(self, request: Any) -> Any:
        Reply = self.reply

        if request.path == "/search.json":
            return Reply(200, {"posts": [{"id": 101, "topic_id": 7}],
                               "topics": [{"id": 7, "title": "Acme broke",
                                           "bumped_at": self.bumped},
                                          {"id": 8, "title": "private",
                                           "bumped_at": self.bumped}],
                               "grouped_search_result": {"more_full_page_results": None}})
        if request.path == "/t/7.json":
            ids = sorted(self.posts)
            return Reply(200, {"id": 7, "title": "Acme broke", "slug": "acme-broke",
                               "category_id": 5, "bumped_at": self.bumped,
                               "post_stream": {"stream": ids,
                                               "posts": [self.posts[i] for i in ids[:3]]}})
        if request.path == "/t/7/posts.json":
            wanted = [int(i) for i in request.query["post_ids[]"]]
            return Reply(200, {"post_stream": {"posts": [self.posts[i] for i in wanted]}})
        if request.path == "/t/8.json":
            return Reply(403, {"errors": ["You are not permitted to view the requested resource."]})
        if request.path == "/categories.json":
            return Reply(200, {"category_list": {"categories": [
                {"id": 4, "slug": "general", "subcategory_list": [{"id": 5, "slug": "support"}]}
            ]}})
        return Reply(404, {"errors": ["not found"]})


def test_search_batches_incremental_and_failures(serve: Any, reply: Any,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORUM_KEY", "secret-key")
    monkeypatch.setenv("FORUM_USER", "system")
    forum = Forum(reply)
    server = serve(forum)
    source = make_source(server.url, search_brands=True, post_batch_size=1,
                         api_key_env="FORUM_KEY", api_username_env="FORUM_USER")
    state: dict[str, Any] = {}
    posts, error = drain(source, state)
    # topic 8 is forbidden: reported after the others were yielded
    assert error is not None and "topic 8" in str(error) and "403" in str(error)
    assert [p.external_id for p in posts] == [f"post:{i}" for i in range(101, 106)]
    searches = [r for r in server.requests if r.path == "/search.json"]
    assert [r.arg("q") for r in searches] == ["Acme order:latest", "ACME Corp order:latest"]
    assert all(r.headers["api-key"] == "secret-key" and r.headers["api-username"] == "system"
               for r in server.requests)
    batches = [r.query["post_ids[]"] for r in server.requests if r.path == "/t/7/posts.json"]
    assert batches == [["104"], ["105"]]
    p102, p104 = posts[1], posts[3]
    assert p102.parent_id == "post:101" and p104.parent_id == "post:102"
    assert p102.author == "bob" and p102.community == "support" and p102.title == "Acme broke"
    assert p102.engagement == {"score": 1.5, "likes": 3.0, "reads": 4.0, "reply_count": 0.0}
    assert p102.created_at == datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
    assert p102.url == f"{server.url}/t/acme-broke/7/2"
    assert state["topics"] == {"7": 105}

    # a new reply bumps the topic: only it is fetched and yielded
    forum.posts[106] = post(106, 6, 5)
    forum.bumped = "2024-03-03T00:00:00.000Z"
    before = len(server.requests)
    posts, error = drain(source, state)
    assert [p.external_id for p in posts] == ["post:106"]
    # its parent (post number 5) was not read in this run: unknown, but kept in the payload
    assert posts[0].parent_id is None and posts[0].payload["reply_to_post_number"] == 5
    fetched = [r.query["post_ids[]"] for r in server.requests[before:]
               if r.path == "/t/7/posts.json"]
    assert fetched == [["106"]]
    assert state["topics"]["7"] == 106


def test_non_json_answer_is_a_clear_error(serve: Any, reply: Any) -> None:
    server = serve(lambda request: reply(200, "<html>login</html>"))
    with pytest.raises(SourceError, match="did not answer JSON"):
        list(make_source(server.url).fetch({}))


def test_missing_api_key_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_SUCH_KEY", raising=False)
    with pytest.raises(SourceError, match="NO_SUCH_KEY"):
        list(make_source("http://127.0.0.1:9", api_key_env="NO_SUCH_KEY").fetch({}))


def test_category_listing_pages_until_empty(serve: Any, reply: Any) -> None:
    pages = {None: [{"id": 7, "bumped_at": "2024-03-02T00:00:00Z"}],
             "2": [{"id": 7, "bumped_at": "2024-03-02T00:00:00Z"}], "3": []}

    def handler(request: Any) -> Any:
        if request.path == "/c/support/l/latest.json":
            more = "/c/support/l/latest?page=2" if request.arg("page") is None else None
            return reply(200, {"topic_list": {"topics": pages[request.arg("page")],
                                              "more_topics_url": more}})
        return Forum(reply)(request)

    server = serve(handler)
    posts, error = drain(make_source(server.url, categories=["support"]), {})
    assert error is None and len(posts) == 5
    assert [r.arg("page") for r in server.requests if r.path.startswith("/c/")] == [
        None, "2", "3"]
    assert {p.community for p in posts} == {"support"}


def test_failed_topic_is_read_again_next_run(serve: Any, reply: Any) -> None:
    forum = Forum(reply)
    topic_9 = {"id": 9, "title": "later", "slug": "later", "category_id": 5,
               "post_stream": {"stream": [201], "posts": [dict(post(201, 1), topic_id=9)]}}
    answers = [reply(500, "boom"), reply(200, topic_9)]

    def handler(request: Any) -> Any:
        if request.path == "/latest.json":
            return reply(200, {"topic_list": {"topics": [
                {"id": 7, "bumped_at": "2024-03-02T00:00:00Z"},
                {"id": 9, "bumped_at": "2024-03-01T00:00:00Z"}] if request.arg("page") is None
                else []}})
        if request.path == "/t/9.json":
            return answers.pop(0) if len(answers) > 1 else answers[0]
        return forum(request)

    server = serve(handler)
    source = make_source(server.url)
    state: dict[str, Any] = {}
    posts, error = drain(source, state)
    assert len(posts) == 5 and error is not None and "topic 9" in str(error)
    assert state["since"] == "2024-02-29T23:59:59.999999+00:00"  # just before topic 9
    posts, error = drain(source, state)
    assert error is None and [p.external_id for p in posts] == ["post:201"]
    assert state["since"] == "2024-03-02T00:00:00+00:00"
    assert state["topics"] == {"7": 105, "9": 201}


def test_failed_listing_page_keeps_the_cursor(serve: Any, reply: Any) -> None:
    def handler(request: Any) -> Any:
        if request.path == "/latest.json":
            if request.arg("page") == "1":
                return reply(502, "bad gateway")
            return reply(200, {"topic_list": {"topics": [
                {"id": 7, "bumped_at": "2024-03-02T00:00:00Z"}]}})
        return Forum(reply)(request)

    server = serve(handler)
    state: dict[str, Any] = {"since": "2024-01-01T00:00:00+00:00"}
    posts, error = drain(make_source(server.url), state)
    assert len(posts) == 5  # page 0 was read and kept
    assert error is not None and "/latest.json" in str(error) and "502" in str(error)
    assert state["since"] == "2024-01-01T00:00:00+00:00"  # page 1 stays to be read
    assert state["topics"] == {"7": 105}
