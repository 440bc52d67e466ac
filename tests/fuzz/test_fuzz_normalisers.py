"""Fuzzing each source's normaliser with what a server could send: every item becomes a
RawPost the warehouse can store (text fields are text, the payload is strict JSON), or
the source's own error (SourceError); nothing else escapes."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.records import RawPost
from pipeline.sources.base import SourceContext, SourceError, build_source
from pipeline.sources.feed import FeedOptions, parse_feed
from pipeline.sources.reddit import comment_to_post, submission_to_post

NOW = datetime(2026, 10, 1, tzinfo=UTC)
# generating nested JSON is the slow part: a third of the examples keeps the suite quick
HEAVY = settings(max_examples=max(20, settings.default.max_examples // 3))
CONTEXT = SourceContext()

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**400, 10**400), st.floats(),
                    st.text(max_size=30),
                    st.sampled_from(["[deleted]", "[removed]", "2026-10-01T10:00:00Z",
                                     "1e999", "nan", "<p>hi</p>", "t3_abc", ""]))
JSON = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=5)),
    max_leaves=30)


def fields(names: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Dicts whose keys are the fields a normaliser reads, with any JSON as values."""
    return st.dictionaries(st.sampled_from(names), JSON, max_size=len(names))


def deep(depth: int) -> Any:
    value: Any = "bottom"
    for _ in range(depth):
        value = [value]
    return value


def storable(post: RawPost) -> None:
    for name in ("source", "external_id", "body"):
        assert isinstance(getattr(post, name), str), name
    for name in ("url", "author", "community", "title", "parent_id"):
        assert getattr(post, name) is None or isinstance(getattr(post, name), str), name
    assert isinstance(post.created_at, datetime) and post.created_at.tzinfo is not None
    assert all(isinstance(v, float) for v in post.engagement.values())
    json.dumps(post.payload, allow_nan=False)  # PostgreSQL's JSONB takes no NaN
    json.dumps(post.engagement, allow_nan=False)


# ------------------------------------------------------------------ feed (RSS/Atom/JSON)

JSON_ITEM = fields(["id", "url", "external_url", "title", "content_html", "content_text",
                    "summary", "date_published", "date_modified", "author", "authors",
                    "tags", "attachments", "_ext"])
XML_BITS = st.sampled_from([
    "<rss version='2.0'>", "<channel>", "<item>", "<title>", "</title>", "<link>",
    "</link>", "<description>", "</description>", "<pubDate>", "</pubDate>", "</item>",
    "</channel>", "</rss>", "<feed xmlns='http://www.w3.org/2005/Atom'>", "<entry>",
    "</entry>", "<![CDATA[", "]]>", "&amp;", "&bogus;", "<guid>", "</guid>",
    "Thu, 01 Oct 2026 10:00:00 GMT", "x", "<", "\x00", "é",
])


def _feed(content: bytes, content_type: str) -> None:
    try:
        posts = list(parse_feed(content, source="f", url="http://127.0.0.1/feed",
                                content_type=content_type, options=FeedOptions(url="x"),
                                fetched_at=NOW))
    except SourceError:
        return
    for post in posts:
        storable(post)


@HEAVY
@given(items=st.lists(st.one_of(JSON_ITEM, JSON), max_size=5), title=JSON)
def test_json_feed(tried: Callable[[], None], items: list[Any], title: Any) -> None:
    tried()
    doc = {"version": "https://jsonfeed.org/version/1.1", "title": title, "items": items}
    _feed(json.dumps(doc).encode(), "application/feed+json")


@given(bits=st.lists(XML_BITS, max_size=60).map("".join),
       content_type=st.sampled_from(["application/rss+xml", "text/html", "", "text/xml"]))
def test_xml_feed(tried: Callable[[], None], bits: str, content_type: str) -> None:
    tried()
    _feed(bits.encode(), content_type)


@given(content=st.binary(max_size=300))
def test_feed_bytes(tried: Callable[[], None], content: bytes) -> None:
    tried()
    _feed(content, "application/octet-stream")


# ------------------------------------------------------------------ reddit

SUBMISSION = fields(["id", "title", "selftext", "author", "subreddit", "created_utc",
                     "score", "num_comments", "upvote_ratio", "permalink", "url", "extra"])
COMMENT = fields(["id", "body", "author", "subreddit", "created_utc", "score", "permalink",
                  "link_id", "parent_id", "extra"])


@HEAVY
@given(data=SUBMISSION, comment=COMMENT)
def test_reddit(tried: Callable[[], None], data: dict[str, Any],
                comment: dict[str, Any]) -> None:
    tried()
    data["deep"] = deep(100)
    submission = SimpleNamespace(**data)
    storable(submission_to_post(submission, "rd"))
    storable(comment_to_post(SimpleNamespace(**comment), "rd", submission))


# ------------------------------------------------------------------ discourse

DISCOURSE = build_source("dc", "discourse", {"base_url": "http://127.0.0.1"}, CONTEXT)
POST = fields(["id", "cooked", "username", "created_at", "post_number", "score",
               "like_count", "reads", "reply_count", "actions_summary",
               "reply_to_post_number", "topic_slug"])
TOPIC = fields(["id", "slug", "title", "category_id"])


@HEAVY
@given(post=POST, topic=TOPIC)
def test_discourse(tried: Callable[[], None], post: dict[str, Any],
                   topic: dict[str, Any]) -> None:
    tried()
    try:
        item = DISCOURSE._to_post(post, topic, {}, "forum", NOW)
    except SourceError:
        return
    storable(item)


# ------------------------------------------------------------------ html pages

HTML_SOURCE = build_source("hs", "html", {
    "start_url": "http://127.0.0.1/", "item_selector": "a", "title_selector": "h1",
    "author_selector": ".author", "date_selector": "time", "date_attr": "datetime",
    "body_selector": "article", "engagement_selectors": {"likes": ".likes"}}, CONTEXT)
HTML_BITS = st.sampled_from([
    "<h1>", "</h1>", "<article>", "</article>", "<time datetime='2026-10-01T10:00'>",
    "<time datetime='99999-99-99'>", "</time>", "<span class='author'>", "</span>",
    "<span class='likes'>", "1e999", "12", "-3", "<p>", "</p>", "<script>x</script>",
    "text", "é", "<", "\x00", "<div>" * 300,
])


@HEAVY
@given(html=st.lists(HTML_BITS, max_size=40).map("".join))
def test_html_page(tried: Callable[[], None], html: str) -> None:
    tried()
    soup = BeautifulSoup(html, "lxml")
    try:
        item = HTML_SOURCE._to_post(soup, "http://127.0.0.1/a", "http://127.0.0.1/a",
                                    "http://127.0.0.1/", UTC)
    except SourceError:
        return
    storable(item)


# ------------------------------------------------------------------ file (JSONL / CSV)

ROW = fields(["id", "text", "created_at", "author", "community", "title", "url",
              "parent_id", "likes"])
DIR = Path(tempfile.mkdtemp(prefix="stimmung-fuzz-file-"))


def _file(content: bytes, suffix: str) -> None:
    path = DIR / f"posts{suffix}"
    path.write_bytes(content)
    source = build_source("fl", "file", {"path": str(path), "engagement": {"likes": "likes"}},
                          CONTEXT)
    try:
        posts = list(source.fetch({}))
    except SourceError:
        return
    for post in posts:
        storable(post)


@HEAVY
@given(rows=st.lists(st.one_of(ROW, JSON), max_size=6))
def test_jsonl_rows(tried: Callable[[], None], rows: list[Any]) -> None:
    tried()
    _file("".join(json.dumps(r) + "\n" for r in rows).encode(), ".jsonl")


@given(content=st.binary(max_size=300), suffix=st.sampled_from([".jsonl", ".csv"]))
def test_file_bytes(tried: Callable[[], None], content: bytes, suffix: str) -> None:
    tried()
    _file(content, suffix)
