"""RSS / Atom / RDF feeds (parsed by feedparser) and JSON Feed 1.x: conditional GET.

Dates: an entry's `published`, else `updated`, else `created`, normalised to UTC; an
entry with none of them gets the fetch time (`payload["date_fallback"] = True`).
Links: relative URIs are resolved against xml:base, else the response's
Content-Location, else the feed URL. Enclosures stay in `payload["enclosures"]`.
Errors: an ill-formed document without entries raises `FeedError` (a `SourceError`);
an ill-formed feed whose entries could be read is kept with a warning; a well-formed
feed without entries yields nothing; an entry that cannot be converted is skipped with
a warning.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import logging
import time
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

import feedparser

from pipeline.records import RawPost, utcnow
from pipeline.sources.base import (
    Source,
    SourceError,
    SourceOptions,
    as_text,
    json_safe,
    register_source,
)
from pipeline.sources.http import HttpClient

log = logging.getLogger(__name__)


class FeedOptions(SourceOptions):
    url: str
    community: str | None = None
    community_from: Literal["feed", "category", "host"] = "feed"
    max_entries: int | None = None


class FeedError(SourceError):
    """The feed could not be parsed into entries."""


@register_source("feed")
class FeedSource(Source):
    Options = FeedOptions
    options: FeedOptions

    def fetch(self, state: dict[str, Any]) -> Iterator[RawPost]:
        headers: dict[str, str] = {}
        if state.get("etag"):
            headers["If-None-Match"] = state["etag"]
        if state.get("last_modified"):
            headers["If-Modified-Since"] = state["last_modified"]
        with HttpClient(self.context) as http:
            response = http.get(self.options.url, headers=headers)
        if response.status_code == 304:
            log.info("feed %s: not modified", self.name)
            return
        fetched_at = utcnow()
        yield from parse_feed(
            response.content,
            source=self.name,
            url=str(response.url),
            content_type=response.headers.get("Content-Type"),
            options=self.options,
            fetched_at=fetched_at,
            headers=response.headers,
        )
        # advance the cursor only once every entry has been handed over
        state["etag"] = response.headers.get("ETag")
        state["last_modified"] = response.headers.get("Last-Modified")


def parse_feed(
    content: bytes,
    *,
    source: str,
    url: str,
    content_type: str | None,
    options: FeedOptions,
    fetched_at: datetime,
    headers: Mapping[str, str] | None = None,
) -> Iterator[RawPost]:
    """Posts of a fetched feed document; `headers` are the HTTP response headers."""
    if _is_json(content, content_type):
        yield from _json_feed(content, source=source, url=url, options=options,
                              fetched_at=fetched_at)
        return
    response_headers = {k.lower(): v for k, v in (headers or {}).items()
                        if k.lower() in _FEED_HEADERS}
    if content_type:
        response_headers["content-type"] = content_type
    location = response_headers.get("content-location")
    # relative Content-Location resolves against the URL fetched
    response_headers["content-location"] = urljoin(url, location) if location else url
    try:
        parsed = feedparser.parse(content, response_headers=response_headers)
    except Exception as exc:  # feedparser should not raise; never let it crash a run
        raise FeedError(f"feed {url} could not be parsed: {type(exc).__name__}: {exc}") from exc
    entries = parsed.get("entries", [])
    reason = parsed.get("bozo_exception")
    recognised = bool(parsed.get("version")) and isinstance(reason, _SOFT_BOZO)
    if parsed.get("bozo") and not entries and not recognised:
        raise FeedError(f"feed {url} is not a readable feed: {reason or 'no entries'}")
    if not entries and not parsed.get("version"):
        # well-formed, but no RSS/Atom/RDF root: a login page, an error page, nothing
        start = content.lstrip()[:40].decode("utf-8", "replace") or "an empty body"
        raise FeedError(f"feed {url} is not a readable feed: no RSS, Atom or JSON Feed in "
                        f"the answer ({content_type or 'no content type'}, starts with "
                        f"{start!r})")
    if parsed.get("bozo"):
        log.warning("feed %s is ill-formed (%s); keeping its %d entries",
                    url, parsed.get("bozo_exception"), len(entries))
    feed_title = parsed.get("feed", {}).get("title")
    host = urlsplit(url).hostname or url
    for index, entry in enumerate(entries):
        if options.max_entries is not None and index >= options.max_entries:
            break
        try:
            post = _entry_to_post(entry, source, options, feed_title or host, host, fetched_at,
                                  response_headers["content-location"])
        except Exception as exc:  # one odd entry must not lose the others
            log.warning("feed %s: entry %d skipped (%s: %s)", url, index,
                        type(exc).__name__, exc)
            continue
        yield post


# bozo reasons that say nothing about the XML itself: an empty feed of a known version
# with them is fine (an HTML page has no version and stays an error)
_SOFT_BOZO = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)

_FEED_HEADERS = frozenset({"content-location", "content-language", "etag", "last-modified"})


def _is_json(content: bytes, content_type: str | None) -> bool:
    if content_type and "json" in content_type.lower():
        return True
    return content.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"


def _json_feed(
    content: bytes, *, source: str, url: str, options: FeedOptions, fetched_at: datetime
) -> Iterator[RawPost]:
    """Posts of a JSON Feed (https://jsonfeed.org, versions 1 and 1.1)."""
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise FeedError(f"feed {url} is not a readable JSON feed: {exc}") from None
    except RecursionError:
        raise FeedError(f"feed {url} is not a readable JSON feed: nested too deeply") from None
    if not isinstance(data, dict) or not str(data.get("version", "")).startswith(
        "https://jsonfeed.org/version/"
    ):
        raise FeedError(f"feed {url} is JSON but not a JSON Feed (no jsonfeed.org version)")
    host = urlsplit(url).hostname or url
    feed_title = as_text(data.get("title")) or host
    items = data.get("items") or []
    for index, item in enumerate(items if isinstance(items, list) else []):
        if options.max_entries is not None and index >= options.max_entries:
            break
        if not isinstance(item, dict):
            continue
        try:
            post = _json_item(item, source, url, options, fetched_at, host, feed_title)
        except Exception as exc:  # one odd item must not lose the others
            log.warning("feed %s: item %d skipped (%s: %s)", url, index,
                        type(exc).__name__, exc)
            continue
        yield post


def _json_item(item: dict[str, Any], source: str, url: str, options: FeedOptions,
               fetched_at: datetime, host: str, feed_title: str) -> RawPost:
    """One JSON Feed item; every field is checked for its type (JSON can hold any)."""
    body = (as_text(item.get("content_html")) or as_text(item.get("content_text"))
            or as_text(item.get("summary")) or "")
    link = item.get("url") or item.get("external_url")
    link = urljoin(url, link) if isinstance(link, str) else None
    created, fallback = None, True
    for key in ("date_published", "date_modified"):
        created = _iso_utc(item.get(key))
        if created is not None:
            fallback = False
            break
    authors = item.get("authors") or ([item["author"]] if item.get("author") else [])
    authors = authors if isinstance(authors, list) else []
    author = next((as_text(a.get("name")) for a in authors if isinstance(a, dict)), None)
    tags = item.get("tags") or []
    tags = tags if isinstance(tags, list) else []
    if options.community:
        community = options.community
    elif options.community_from == "category" and tags:
        community = as_text(tags[0]) or feed_title
    elif options.community_from == "host":
        community = host
    else:
        community = feed_title
    payload = _json_safe(dict(item))
    payload["enclosures"] = payload.get("attachments", [])
    if fallback:
        payload["date_fallback"] = True
    title = as_text(item.get("title"))
    return RawPost(
        source=source,
        external_id=(as_text(item.get("id")) or link or _digest(title or "", body))[:500],
        body=body,
        created_at=created or fetched_at,
        url=link,
        author=author,
        community=community,
        title=title,
        fetched_at=fetched_at,
        payload=payload,
    )


def _iso_utc(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


def _entry_to_post(
    entry: Any,
    source: str,
    options: FeedOptions,
    feed_title: str,
    host: str,
    fetched_at: datetime,
    base: str,
) -> RawPost:
    body = ""
    if entry.get("content"):
        body = entry["content"][0].get("value", "")
    if not body:
        body = entry.get("summary", "") or ""
    link = entry.get("link")
    if isinstance(link, str):
        link = urljoin(base, link)
    created, fallback = _entry_date(entry, fetched_at)
    external_id = entry.get("id") or link or _digest(entry.get("title", ""), body)
    if options.community:
        community = options.community
    elif options.community_from == "category" and entry.get("tags"):
        community = entry["tags"][0].get("term") or feed_title
    elif options.community_from == "host":
        community = host
    else:
        community = feed_title
    engagement: dict[str, float] = {}
    comments = entry.get("slash_comments") or entry.get("thr_total")
    if comments and str(comments).strip().isdigit():
        engagement["comments"] = float(comments)
    payload = _json_safe(dict(entry))
    # feedparser derives enclosures from rel="enclosure" links: keep them explicitly
    enclosures = [dict(e) for e in entry.get("enclosures") or []]
    for enclosure in enclosures:
        if isinstance(enclosure.get("href"), str):
            enclosure["href"] = urljoin(base, enclosure["href"])
    payload["enclosures"] = _json_safe(enclosures)
    if fallback:
        payload["date_fallback"] = True
    return RawPost(
        source=source,
        external_id=str(external_id),
        body=body,
        created_at=created,
        url=link,
        author=entry.get("author"),
        community=community,
        title=entry.get("title"),
        engagement=engagement,
        fetched_at=fetched_at,
        payload=payload,
    )


def _entry_date(entry: Any, fetched_at: datetime) -> tuple[datetime, bool]:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            return datetime.fromtimestamp(calendar.timegm(value), tz=UTC), False
    return fetched_at, True


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def _json_safe(value: Any) -> Any:
    return json_safe(value, convert=_struct_time)


def _struct_time(value: Any) -> str | None:
    if isinstance(value, time.struct_time):
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC).isoformat()
    return None
