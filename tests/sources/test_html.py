"""HTML page source against a project-made phpBB-like forum."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from pipeline.sources.base import SourceContext, SourceError, build_source
from pipeline.sources.html import DEFAULT_DATE_FORMATS, HtmlSource, parse_date

CONTEXT = SourceContext(timeout_s=5, max_retries=0,
                        user_agent="stimmung/0.1 (+https://example.org; contact: t@example.org)")

ROBOTS = "User-agent: *\nDisallow: /viewtopic.php?t=3\n"

ARTICLE = (
    "<p>Die neue Acme Kaffeemaschine tropft seit dem Update jeden Morgen auf die "
    "Arbeitsplatte, und der Support antwortet nicht auf meine Tickets.</p>"
    "<p>Ich habe das Gerät entkalkt, neu gestartet und die Firmware zurückgesetzt, aber "
    "das Problem bleibt. Hat jemand eine Idee, was ich noch tun kann, bevor ich es "
    "zurückschicke?</p>"
    "<p>Nach drei Wochen mit der Maschine bin ich ziemlich enttäuscht von der Qualität.</p>"
)


def list_page(topics: list[int], next_start: int | None) -> str:
    rows = "".join(
        f'<li class="row"><a class="topictitle" href="./viewtopic.php?t={t}&amp;sid=x#p1">'
        f"Topic {t}</a></li>" for t in topics
    )
    nxt = (f'<a class="next" rel="next" href="viewforum.php?f=1&amp;start={next_start}">Next</a>'
           if next_start is not None else "")
    return f"<html><body><ul class='topiclist'>{rows}</ul><div class='pagination'>{nxt}</div>" \
           "</body></html>"


def topic_page(t: int) -> str:
    if t == 5:  # a blog-like page: no post body element, trafilatura finds the text
        return ("<html><head><title>Kaffeemaschine tropft</title></head><body>"
                "<nav><a href='/'>Home</a> | <a href='/faq'>FAQ</a></nav>"
                f"<article><h1>Kaffeemaschine tropft</h1>{ARTICLE}</article>"
                "<footer>Powered by phpBB</footer></body></html>")
    dates = {1: '<time datetime="2023-01-02T15:04:00+01:00">Mon Jan 02, 2023 3:04 pm</time>',
             2: "<span class='when'>» 02.01.2023 15:04</span>",
             4: "<span class='when'>Mon Jan 02, 2023 3:04 pm</span>"}
    return (f"<html><head><title>Forum • Topic {t}</title></head><body>"
            f"<h2 class='topic-title'>Topic {t}</h2><div class='post'>"
            f"<p class='author'>by <a class='username'>user{t}</a> {dates.get(t, '')}</p>"
            f"<div class='content'>Body of topic {t} <b>bold</b></div>"
            f"<span class='replies'>Antworten: 1.23{t}</span></div></body></html>")


class PhpBB:
    def __init__(self, reply: Any) -> None:
        self.reply = reply
        self.fail_item: int | None = None
        self.robots = ROBOTS
        self.robots_status = 200

    def __call__(self, request: Any) -> Any:
        Reply = self.reply

        if request.path == "/robots.txt":
            return Reply(self.robots_status, self.robots, {"Content-Type": "text/plain"})
        if request.path == "/viewforum.php":
            start = request.arg("start")
            if start is None:
                return Reply(200, list_page([1, 2, 3], 3))
            return Reply(200, list_page([4, 5, 1], None))
        if request.path == "/viewtopic.php":
            t = int(request.arg("t") or 0)
            if t == self.fail_item:
                return Reply(500, "oops")
            return Reply(200, topic_page(t))
        return Reply(404, "not found")


def make_source(url: str, **options: Any) -> HtmlSource:
    opts = {
        "start_url": f"{url}/viewforum.php?f=1",
        "item_selector": "a.topictitle",
        "next_selector": "a[rel=next]",
        "title_selector": "h2.topic-title",
        "author_selector": ".author .username",
        "date_selector": ".author time, .author .when",
        "date_attr": "datetime",
        "timezone": "Europe/Berlin",
        "body_selector": ".post .content",
        "community": "acme-forum",
        "engagement_selectors": {"comments": ".replies", "views": ".views"},
        "host_delay_s": 0,
        **options,
    }
    source = build_source("forum-html", "html", opts, CONTEXT)
    assert isinstance(source, HtmlSource)
    return source


def item_requests(server: Any) -> list[str | None]:
    return [r.arg("t") for r in server.requests if r.path == "/viewtopic.php"]


def test_pages_robots_dates_and_trafilatura(serve: Any, reply: Any) -> None:
    server = serve(PhpBB(reply))
    source = make_source(server.url)
    state: dict[str, Any] = {}
    posts = list(source.fetch(state))
    assert [p.title for p in posts] == ["Topic 1", "Topic 2", "Topic 4", "Kaffeemaschine tropft"]
    assert item_requests(server) == ["1", "2", "4", "5"]  # t=3 disallowed, t=1 listed twice
    assert state["robots_skipped"] == 1
    first, german, english, blog = posts
    assert first.external_id == f"{server.url}/viewtopic.php?t=1"  # session id dropped
    assert first.created_at == datetime(2023, 1, 2, 14, 4, tzinfo=UTC)  # +01:00 attribute
    assert german.created_at == datetime(2023, 1, 2, 14, 4, tzinfo=UTC)  # Berlin local time
    assert english.created_at == datetime(2023, 1, 2, 14, 4, tzinfo=UTC)
    assert first.author == "user1" and first.community == "acme-forum"
    assert first.body == '<div class="content">Body of topic 1 <b>bold</b></div>'
    assert first.payload["body_from"] == "selector"
    assert first.engagement == {"comments": 1231.0} and blog.engagement == {}
    assert "tropft seit dem Update" in blog.body and "Powered by phpBB" not in blog.body
    assert blog.payload["body_from"] == "trafilatura"
    assert blog.payload["date_fallback"] is True and blog.author is None
    assert len(state["seen"]) == 4

    again = list(source.fetch(state))
    assert again == []
    assert item_requests(server) == ["1", "2", "4", "5"]  # no item page fetched twice


def test_failed_item_is_retried_next_run(serve: Any, reply: Any) -> None:
    forum = PhpBB(reply)
    forum.fail_item = 2
    server = serve(forum)
    source = make_source(server.url)
    state: dict[str, Any] = {}
    assert [p.title for p in source.fetch(state)] == ["Topic 1", "Topic 4",
                                                      "Kaffeemaschine tropft"]
    assert state["failed_items"] == 1
    forum.fail_item = None
    assert [p.title for p in source.fetch(state)] == ["Topic 2"]


def test_unreachable_robots_means_no_crawl(serve: Any, reply: Any) -> None:
    forum = PhpBB(reply)
    forum.robots_status = 503
    server = serve(forum)
    state: dict[str, Any] = {}
    assert list(make_source(server.url).fetch(state)) == []
    assert item_requests(server) == [] and state["robots_skipped"] == 1


def test_missing_robots_allows_all_and_max_pages(serve: Any, reply: Any) -> None:
    forum = PhpBB(reply)
    forum.robots_status = 404
    server = serve(forum)
    posts = list(make_source(server.url, max_pages=1).fetch({}))
    assert [p.title for p in posts] == ["Topic 1", "Topic 2", "Topic 3"]
    assert [r.arg("start") for r in server.requests if r.path == "/viewforum.php"] == [None]


def test_list_page_error_is_a_source_error(serve: Any, reply: Any) -> None:
    server = serve(PhpBB(reply))
    source = make_source(server.url, start_url=f"{server.url}/nope")
    with pytest.raises(SourceError, match=r"list page .*/nope.*404"):
        list(source.fetch({}))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-01-02T15:04:00Z", datetime(2023, 1, 2, 15, 4, tzinfo=UTC)),
        ("» 02.01.2023 15:04", datetime(2023, 1, 2, 14, 4, tzinfo=UTC)),
        ("Mon Jan 02, 2023 3:04 pm", datetime(2023, 1, 2, 14, 4, tzinfo=UTC)),
        ("Mon, 02 Jan 2023 15:04:00 +0000", datetime(2023, 1, 2, 15, 4, tzinfo=UTC)),
        ("posted 2023-01-02 15:04:00+00:00 by x", datetime(2023, 1, 2, 15, 4, tzinfo=UTC)),
        ("gestern", None),
    ],
)
def test_parse_date(text: str, expected: datetime | None) -> None:
    assert parse_date(text, DEFAULT_DATE_FORMATS, ZoneInfo("Europe/Berlin")) == expected
