"""Feed source: every recorded feed over HTTP, JSON Feed, relative links, conditional GET."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from pipeline.sources.base import SourceContext, SourceError, build_source, source_kinds
from pipeline.sources.feed import FeedSource

CONTEXT = SourceContext(timeout_s=5, max_retries=0)

# counted once over ../shared/fixtures/feeds (66 files), then pinned
FEEDS_TOTAL = 66
FEEDS_WITH_ENTRIES = 42
FEEDS_WITH_ERRORS = 3  # ill-formed XML without entries (the other 21 are valid but empty)


def make_source(url: str, **options: Any) -> FeedSource:
    source = build_source("feed-test", "feed", {"url": url, **options}, CONTEXT)
    assert isinstance(source, FeedSource)
    return source


def declared_headers(data: bytes) -> dict[str, str]:
    """The `Header:` lines of a fixture's leading comment, as HTTP headers."""
    return {m.group(1).decode().strip(): m.group(2).decode()
            for m in re.finditer(rb"^\s*Header:\s*([^:\n]+):\s*(.*?)\s*$", data[:2000], re.M)}


@pytest.fixture
def feed_server(shared_dir: Path, serve: Any, reply: Any) -> Any:
    root = shared_dir / "fixtures" / "feeds"

    def handler(request: Any) -> Any:
        path = root / request.path.lstrip("/")
        if not path.is_file():
            return reply(404, "not found")
        data = path.read_bytes()
        headers = declared_headers(data)
        if "content-type" not in {k.lower() for k in headers} and \
                "no_content_type" not in path.name:
            headers["Content-Type"] = ("application/feed+json" if path.suffix == ".json"
                                       else "application/xml")
        return reply(200, data, headers)

    server = serve(handler)
    server.root = root
    return server


@pytest.mark.shared
def test_every_recorded_feed(feed_server: Any) -> None:
    files = sorted(p for p in feed_server.root.rglob("*") if p.is_file())
    assert len(files) == FEEDS_TOTAL
    results: dict[str, list[Any]] = {}
    errors: dict[str, str] = {}
    for path in files:
        rel = path.relative_to(feed_server.root).as_posix()
        try:
            results[rel] = list(make_source(f"{feed_server.url}/{rel}").fetch({}))
        except SourceError as exc:  # anything else fails the test
            errors[rel] = str(exc)
    assert sum(1 for posts in results.values() if posts) == FEEDS_WITH_ENTRIES
    assert sorted(errors) == ["entities/8217.xml", "illformed/rss_empty_document.xml",
                              "illformed/undeclared_namespace.xml"]
    assert len(errors) == FEEDS_WITH_ERRORS
    assert all("not a readable feed" in message for message in errors.values())
    # a well-formed feed without entries is no error, even without a Content-Type
    assert results["encoding/no_content_type_default.xml"] == []
    posts = [p for ps in results.values() for p in ps]
    assert all(p.created_at.utcoffset().total_seconds() == 0 for p in posts)
    json.dumps([p.payload for p in posts])
    # dates: real ones normalised to UTC, missing ones fall back and say so
    pub = results["wellformed/rss/item_pubDate.xml"][0]
    assert pub.created_at == datetime(2004, 1, 1, 19, 48, 21, tzinfo=UTC)
    assert "date_fallback" not in pub.payload
    assert results["wellformed/rss/item_title.xml"][0].payload["date_fallback"] is True
    # xml:base resolves relative links in HTML content
    based = results["wellformed/base/entry_content_xml_base.xml"][0]
    assert 'href="http://example.com/test/test.html"' in based.body
    # enclosures are kept
    enclosure = results["wellformed/rss/item_enclosure_url.xml"][0]
    assert enclosure.payload["enclosures"][0]["href"] == "http://example.com/"
    # HTML content: scripts sanitised away, markup kept
    assert "<script" not in results["wellformed/sanitize/entry_content_script.xml"][0].body
    assert results["wellformed/atom10/entry_content_inline_markup.xml"][0].body == \
        "Example <b>Atom</b>"
    assert results["illformed/rss_item_link_corrupted_ampersands.xml"][0].url == \
        "http://link/get?a=1&b=2"
    assert len(results["wellformed/sanitize/large_atom_feed_that_needs_css_sanitisation.xml"]) == 15
    # JSON Feed
    json_posts = results["json/example.json"]
    assert len(json_posts) == 2 and {p.community for p in json_posts} == {"My Example Feed"}


# -- project-made feeds (always run) ------------------------------------------------------

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:slash="http://purl.org/rss/1.0/modules/slash/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Acme Blog</title><link>relative-home</link>
<item><title>One</title><link>posts/1</link><guid isPermaLink="false">p1</guid>
<pubDate>Mon, 01 Jan 2024 12:00:00 +0200</pubDate><category>support</category>
<slash:comments>4</slash:comments><dc:creator>Ann</dc:creator>
<description>&lt;p&gt;Hello &lt;a href="../about"&gt;about&lt;/a&gt;&lt;/p&gt;</description>
<enclosure url="media/ep1.mp3" length="100" type="audio/mpeg"/></item>
</channel></rss>"""


def test_relative_links_content_location_and_conditional_get(serve: Any, reply: Any) -> None:
    def handler(request: Any) -> Any:
        if request.headers.get("if-none-match") == '"v1"':
            return reply(304, b"")
        return reply(200, RSS, {"Content-Type": "application/rss+xml",
                                "Content-Location": "/blog/feed/", "ETag": '"v1"',
                                "Last-Modified": "Mon, 01 Jan 2024 12:00:00 GMT"})

    server = serve(handler)
    source = make_source(f"{server.url}/feed.xml", community_from="category")
    state: dict[str, Any] = {}
    posts = list(source.fetch(state))
    assert len(posts) == 1
    post = posts[0]
    assert post.url == f"{server.url}/blog/feed/posts/1"
    assert f'href="{server.url}/blog/about"' in post.body
    assert post.payload["enclosures"][0]["href"] == f"{server.url}/blog/feed/media/ep1.mp3"
    assert post.created_at == datetime(2024, 1, 1, 10, 0, tzinfo=UTC)
    assert post.community == "support" and post.external_id == "p1"
    assert post.engagement == {"comments": 4.0} and post.author == "Ann"
    assert state == {"etag": '"v1"', "last_modified": "Mon, 01 Jan 2024 12:00:00 GMT"}

    assert list(source.fetch(state)) == []
    second = server.requests[-1]
    assert second.headers["if-none-match"] == '"v1"'
    assert second.headers["if-modified-since"] == "Mon, 01 Jan 2024 12:00:00 GMT"
    assert state["etag"] == '"v1"'  # a 304 keeps the cursor


def test_json_feed_and_not_a_feed(serve: Any, reply: Any) -> None:
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": "J",
            "items": [{"id": "1", "url": "/p/1", "content_html": "<p>hi</p>",
                       "date_published": "2024-02-01T10:00:00+01:00",
                       "authors": [{"name": "ann"}],
                       "attachments": [{"url": "https://x/a.mp3", "mime_type": "audio/mpeg"}]},
                      {"id": "2", "content_text": "plain"}]}

    def handler(request: Any) -> Any:
        if request.path == "/feed.json":
            return reply(200, feed)
        if request.path == "/other.json":
            return reply(200, {"hello": "world"})
        return reply(200, "<html><body>not a feed</body></html>")

    server = serve(handler)
    first, second = make_source(f"{server.url}/feed.json").fetch({})
    assert first.url == f"{server.url}/p/1" and first.author == "ann"
    assert first.created_at == datetime(2024, 2, 1, 9, 0, tzinfo=UTC)
    assert first.payload["enclosures"][0]["url"] == "https://x/a.mp3"
    assert second.body == "plain" and second.payload["date_fallback"] is True
    with pytest.raises(SourceError, match="not a JSON Feed"):
        list(make_source(f"{server.url}/other.json").fetch({}))
    with pytest.raises(SourceError, match="not a readable feed"):
        list(make_source(f"{server.url}/page.html").fetch({}))


def test_http_failure_is_a_source_error(serve: Any, reply: Any) -> None:
    server = serve(lambda request: reply(404, "gone"))
    with pytest.raises(SourceError, match="HTTP 404"):
        list(make_source(f"{server.url}/feed.xml").fetch({}))


def test_registry_knows_every_web_source_kind() -> None:
    assert {"feed", "reddit", "discourse", "html"} <= set(source_kinds())
