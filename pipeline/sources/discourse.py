"""Discourse forums: latest topics (site-wide or per category) and searches, post by post.

Topics are found on `/latest.json` (or `/c/<slug>/l/latest.json`), paged with `page=N`
until an empty `topic_list`, and by `/search.json?q=` (current object form `{posts,
topics}` and the old list form). Each topic is read from `/t/{id}.json`; posts of the
stream that are not inline are fetched by id in batches (`/t/{id}/posts.json?post_ids[]=`).

Incremental: `state["since"]` is the newest topic `bumped_at` seen; `state["topics"]`
maps topic id -> highest post id yielded (bounded). A topic is read again only when it
was bumped since, and only its posts with a higher id are yielded.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from pydantic import Field

from pipeline.records import RawPost, utcnow
from pipeline.sources.base import (
    BadItem,
    Source,
    SourceContext,
    SourceError,
    SourceOptions,
    as_number,
    as_text,
    json_safe,
    register_source,
)
from pipeline.sources.http import HttpClient, HttpError

log = logging.getLogger(__name__)


class DiscourseOptions(SourceOptions):
    base_url: str
    categories: list[str] = Field(default_factory=list)
    search: list[str] = Field(default_factory=list)
    search_brands: bool = False
    search_order: str | None = "latest"
    max_pages: int = 5
    api_key_env: str | None = None
    api_username_env: str | None = None
    post_batch_size: int = 20
    community: str | None = None
    host_delay_s: float = 0.5
    max_topics_kept: int = 5000


@register_source("discourse")
class DiscourseSource(Source):
    """A Discourse forum through its JSON API (anonymous, or with an API key)."""

    Options = DiscourseOptions
    options: DiscourseOptions

    def __init__(self, name: str, options: SourceOptions, context: SourceContext) -> None:
        super().__init__(name, options, context)
        self._categories: dict[int, str] | None = None
        self._http: HttpClient | None = None
        self._failures: list[str] = []
        self._listing_failed = False

    @property
    def base(self) -> str:
        return self.options.base_url.rstrip("/")

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        for env, header in ((self.options.api_key_env, "Api-Key"),
                            (self.options.api_username_env, "Api-Username")):
            if env is None:
                continue
            value = os.environ.get(env)
            if not value:
                raise SourceError(f"discourse {self.name}: environment variable {env} is not set")
            headers[header] = value
        return headers

    def queries(self) -> list[str]:
        """Explicit searches plus, with `search_brands`, one per brand name and alias."""
        queries = list(self.options.search)
        if self.options.search_brands:
            for name, aliases in self.context.brand_terms:
                queries.extend([name, *aliases])
        return list(dict.fromkeys(q.strip() for q in queries if q.strip()))

    def fetch(self, state: dict[str, Any]) -> Iterator[RawPost]:
        since = _parse_time(state.get("since"))
        seen: dict[str, int] = {str(k): int(v) for k, v in state.get("topics", {}).items()}
        newest = since
        failed_bump: datetime | None = None  # a failed topic is read again next run
        self._failures = []
        self._listing_failed = False
        self._http = HttpClient(self.context, headers=self._headers(),
                                host_delay_s=self.options.host_delay_s)
        try:
            done: set[int] = set()
            for topic in self._candidate_topics(since, seen):
                topic_id = int(topic["id"])
                if topic_id in done:
                    continue
                done.add(topic_id)
                key = str(topic_id)
                try:
                    posts = list(self._topic_posts(topic_id, seen.get(key, 0)))
                except HttpError as exc:
                    log.error("discourse %s: topic %s failed: %s", self.name, topic_id, exc)
                    self._failures.append(f"topic {topic_id}: {exc}")
                    bumped = _parse_time(topic.get("bumped_at"))
                    if bumped and (failed_bump is None or bumped < failed_bump):
                        failed_bump = bumped
                    continue
                yield from posts
                if posts:  # most recently read topics last, so trimming drops the oldest
                    best = max(int(p.payload["id"]) for p in posts)
                    seen[key] = max(best, seen.pop(key, 0))
                    state["topics"] = _trim(seen, self.options.max_topics_kept)
                bumped = _parse_time(topic.get("bumped_at"))
                if bumped and (newest is None or bumped > newest):
                    newest = bumped
        finally:
            self._http.close()
            self._http = None
        if failed_bump is not None and (newest is None or newest >= failed_bump):
            # every topic bumped before the failed one was read: resume just before it
            before = failed_bump - timedelta(microseconds=1)
            newest = max(since, before) if since else before
        if self._listing_failed:
            newest = since  # a listing stopped early: its unread topics must stay "new"
        if newest is not None:
            state["since"] = newest.isoformat()
        state["topics"] = _trim(seen, self.options.max_topics_kept)
        if self._failures:
            raise SourceError(
                f"discourse {self.name}: {len(self._failures)} requests failed: "
                + "; ".join(self._failures)
            )

    # -- finding topics --------------------------------------------------------------
    def _candidate_topics(
        self, since: datetime | None, seen: dict[str, int]
    ) -> Iterator[dict[str, Any]]:
        paths = [f"/c/{quote(slug)}/l/latest.json" for slug in self.options.categories]
        if not paths and not self.queries():
            paths = ["/latest.json"]
        for path in paths:
            try:
                for topic in self._latest(path, since):
                    if _is_new(topic, since):
                        yield topic
            except HttpError as exc:
                log.error("discourse %s: %s failed: %s", self.name, path, exc)
                self._failures.append(f"{path}: {exc}")
                self._listing_failed = True
        for query in self.queries():
            try:
                for topic in self._search(query):
                    if str(topic["id"]) not in seen or _is_new(topic, since):
                        yield topic
            except HttpError as exc:
                log.error("discourse %s: search %r failed: %s", self.name, query, exc)
                self._failures.append(f"search {query!r}: {exc}")
                self._listing_failed = True

    def _latest(self, path: str, since: datetime | None) -> Iterator[dict[str, Any]]:
        page = 0
        for _ in range(max(1, self.options.max_pages)):
            params = {"page": page} if page else None
            data = self._get_json(path, params)
            topic_list = (data or {}).get("topic_list") or {}
            topics = topic_list.get("topics") or []
            if not topics:
                return
            yield from topics
            unpinned = [t for t in topics if not t.get("pinned") and not t.get("pinned_globally")]
            if since is not None and unpinned and all(
                (_parse_time(t.get("bumped_at")) or since) <= since for t in unpinned
            ):
                return  # latest is ordered by bump: the rest is older
            page = _next_page(topic_list.get("more_topics_url"), page)

    def _search(self, query: str) -> Iterator[dict[str, Any]]:
        q = f"{query} order:{self.options.search_order}" if self.options.search_order else query
        for page in range(1, max(1, self.options.max_pages) + 1):
            data = self._get_json("/search.json", {"q": q, "page": page})
            topics, more = search_topics(data)
            yield from topics
            if not topics or not more:
                return

    # -- reading a topic -------------------------------------------------------------
    def _topic_posts(self, topic_id: int, after_post_id: int) -> Iterator[RawPost]:
        topic = self._get_json(f"/t/{topic_id}.json", None)
        stream = topic.get("post_stream") or {}
        posts: list[dict[str, Any]] = list(stream.get("posts") or [])
        ids: list[int] = [int(i) for i in stream.get("stream") or []]
        inline = {int(p["id"]) for p in posts}
        missing = [i for i in ids if i not in inline]
        if len(missing) > len(ids) - len(posts):
            # the inline posts are the first chunk of the stream even when ids disagree
            missing = ids[len(posts):]
        missing = [i for i in missing if i > after_post_id]
        size = max(1, self.options.post_batch_size)
        for start in range(0, len(missing), size):
            batch = missing[start:start + size]
            data = self._get_json(f"/t/{topic_id}/posts.json", {"post_ids[]": batch})
            posts.extend((data.get("post_stream") or {}).get("posts") or [])
        posts = [{**p, "id": _int(p.get("id"))} for p in posts if isinstance(p, dict)
                 and _int(p.get("id")) is not None]  # a post without a usable id is skipped
        by_number = {p["post_number"]: p["id"] for p in posts
                     if isinstance(p.get("post_number"), int)}
        community = self._community(topic)
        fetched_at = utcnow()
        yielded: set[int] = set()
        for post in sorted(posts, key=lambda p: (p.get("post_number") or 0, p["id"])):
            post_id = int(post["id"])
            if post_id <= after_post_id or post_id in yielded:
                continue
            yielded.add(post_id)
            try:
                item = self._to_post(post, topic, by_number, community, fetched_at)
            except Exception as exc:  # one odd post must not lose the others
                log.warning("discourse %s: topic %s: post %s skipped (%s: %s)", self.name,
                            topic_id, post_id, type(exc).__name__, exc)
                continue
            yield item

    def _to_post(
        self,
        post: dict[str, Any],
        topic: dict[str, Any],
        by_number: dict[Any, int],
        community: str,
        fetched_at: datetime,
    ) -> RawPost:
        engagement: dict[str, float] = {}
        likes = post.get("like_count")
        actions = post.get("actions_summary")
        if likes is None and isinstance(actions, list):
            likes = next((a.get("count") for a in actions
                          if isinstance(a, dict) and a.get("id") == 2 and "count" in a), None)
        for metric, value in (("score", post.get("score")), ("likes", likes),
                              ("reads", post.get("reads")),
                              ("reply_count", post.get("reply_count"))):
            number = as_number(value)
            if number is not None:
                engagement[metric] = number
        reply_to = post.get("reply_to_post_number")
        parent = by_number.get(reply_to) if isinstance(reply_to, int) else None
        slug = topic.get("slug") or post.get("topic_slug") or "-"
        number = post.get("post_number")
        url = f"{self.base}/t/{slug}/{topic.get('id')}" + (f"/{number}" if number else "")
        created = _parse_time(post.get("created_at"))
        payload = json_safe(dict(post))
        if created is None:
            payload["date_fallback"] = True
        post_id = as_text(post.get("id"))
        if not post_id:
            raise BadItem(f"discourse {self.name}: a post without an id in topic "
                          f"{as_text(topic.get('id'))}")
        return RawPost(
            source=self.name,
            external_id=f"post:{post_id}"[:200],
            body=as_text(post.get("cooked")) or "",
            created_at=created or fetched_at,
            url=url,
            author=as_text(post.get("username")),
            community=community,
            title=as_text(topic.get("title")),
            engagement=engagement,
            parent_id=f"post:{parent}" if parent is not None else None,
            fetched_at=fetched_at,
            payload=payload,
        )

    def _community(self, topic: dict[str, Any]) -> str:
        if self.options.community:
            return self.options.community
        if len(self.options.categories) == 1:
            return self.options.categories[0]
        category = topic.get("category_id")
        if category is not None:
            name = self._category_names().get(int(category))
            if name:
                return name
        return urlsplit(self.base).hostname or self.base

    def _category_names(self) -> dict[int, str]:
        """Category id -> slug from `/categories.json` (best effort, read once)."""
        if self._categories is None:
            self._categories = {}
            try:
                data = self._get_json("/categories.json", {"include_subcategories": "true"})
            except (HttpError, SourceError) as exc:
                log.info("discourse %s: no category names (%s)", self.name, exc)
                return self._categories
            for cat in (data.get("category_list") or {}).get("categories") or []:
                self._collect_category(cat)
        return self._categories

    def _collect_category(self, cat: dict[str, Any]) -> None:
        assert self._categories is not None
        if "id" in cat:
            self._categories[int(cat["id"])] = str(cat.get("slug") or cat.get("name") or "")
        for sub in cat.get("subcategory_list") or []:
            if isinstance(sub, dict):
                self._collect_category(sub)

    def _get_json(self, path: str, params: dict[str, Any] | None) -> Any:
        assert self._http is not None
        url = self.base + path
        response = self._http.get(url, params=params, ok_status=frozenset({200}))
        try:
            return response.json()
        except ValueError:
            raise SourceError(
                f"discourse {self.name}: {path} did not answer JSON "
                f"(Content-Type {response.headers.get('Content-Type')!r}); is base_url a "
                "Discourse forum?"
            ) from None


def search_topics(data: Any) -> tuple[list[dict[str, Any]], bool]:
    """Topics in a search answer (object form or the old list form), and whether more exist."""
    topics: dict[int, dict[str, Any]] = {}
    more = False
    if isinstance(data, dict):
        for topic in data.get("topics") or []:
            if "id" in topic:
                topics.setdefault(int(topic["id"]), topic)
        for post in data.get("posts") or []:
            if "topic_id" in post:
                topics.setdefault(int(post["topic_id"]), {"id": post["topic_id"]})
        grouped = data.get("grouped_search_result") or {}
        more = bool(grouped.get("more_full_page_results") or grouped.get("more_posts"))
    elif isinstance(data, list):
        for group in data:
            if not isinstance(group, dict):
                continue
            for result in group.get("results") or []:
                if group.get("type") == "topic" and "id" in result:
                    topics.setdefault(int(result["id"]), dict(result))
                elif "topic_id" in result:
                    topics.setdefault(int(result["topic_id"]), {"id": result["topic_id"]})
    return list(topics.values()), more


def _is_new(topic: dict[str, Any], since: datetime | None) -> bool:
    """First run, an undated topic, or one bumped since the last run."""
    bumped = _parse_time(topic.get("bumped_at"))
    return since is None or bumped is None or bumped > since


def _trim(seen: dict[str, int], keep: int) -> dict[str, int]:
    return dict(list(seen.items())[-keep:]) if keep > 0 else {}


def _next_page(more_topics_url: str | None, page: int) -> int:
    if more_topics_url:
        values = parse_qs(urlsplit(more_topics_url).query).get("page")
        if values and values[0].isdigit() and int(values[0]) > page:
            return int(values[0])
    return page + 1


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit() and len(value) < 20:
        return int(value)
    return None


def _parse_time(value: Any) -> datetime | None:
    if not value or not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
