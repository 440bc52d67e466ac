"""Reddit: new posts of subreddits and search results (per query or per brand), via praw.

Credentials come from the environment only (never from the config file, never logged):
`STIMMUNG_REDDIT_CLIENT_ID`, `STIMMUNG_REDDIT_CLIENT_SECRET` and, for a "script" app,
`STIMMUNG_REDDIT_USERNAME` / `STIMMUNG_REDDIT_PASSWORD` (option names choose other vars).

Incremental: for each listing (`new:r/<sub>` or `search:<query>@<subs>`) the state keeps
the newest `created_utc` and a bounded list of the fullnames seen; a run yields only
posts not seen before. A listing's cursor moves only once the listing is finished.

praw raises `prawcore.TooManyRequests` at once on HTTP 429 (it does not honour
Retry-After): this source sleeps Retry-After (or until `x-ratelimit-reset`) and retries,
up to `max_rate_limit_wait_s` in total per run, then gives up with a `SourceError`.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from pydantic import Field, field_validator

from pipeline.records import RawPost, utcnow
from pipeline.retry import Retryable, RetryPolicy
from pipeline.sources.base import (
    PartialFailure,
    Source,
    SourceContext,
    SourceError,
    SourceOptions,
    as_number,
    as_text,
    epoch_utc,
    json_safe,
    register_source,
)
from pipeline.sources.http import parse_retry_after

if TYPE_CHECKING:  # praw is an optional extra: imported inside the source at run time
    import praw

log = logging.getLogger(__name__)

T = TypeVar("T")

PUBLIC_URL = "https://www.reddit.com"
REMOVED_BODIES = frozenset({"[deleted]", "[removed]"})
# a post older than the listing's newest by more than this is not new (late approvals
# within the window are caught by the seen-ids set)
OVERLAP_S = 3600.0
MAX_RATE_LIMIT_RETRIES = 10  # per call, on top of the wait budget


class RedditOptions(SourceOptions):
    subreddits: list[str] = Field(default_factory=list)
    search: list[str] = Field(default_factory=list)
    search_brands: bool = False
    search_subreddits: list[str] = Field(default_factory=list)
    search_sort: Literal["new", "relevance", "top", "comments"] = "new"
    search_time_filter: Literal["all", "year", "month", "week", "day", "hour"] = "month"
    comments: bool = False
    max_more_comments: int = 0
    limit: int = 100
    base_url: str | None = None
    check_for_updates: bool = False
    max_rate_limit_wait_s: float = 300.0
    max_seen_ids: int = 2000
    client_id_env: str = "STIMMUNG_REDDIT_CLIENT_ID"
    client_secret_env: str = "STIMMUNG_REDDIT_CLIENT_SECRET"
    username_env: str = "STIMMUNG_REDDIT_USERNAME"
    password_env: str = "STIMMUNG_REDDIT_PASSWORD"

    @field_validator("subreddits", "search_subreddits", mode="before")
    @classmethod
    def _split_names(cls, value: Any) -> Any:
        """Accept "a,b" or "a+b" (e.g. from the command line) as a list of subreddits."""
        if isinstance(value, str):
            return [n for n in value.replace("+", ",").split(",") if n.strip()]
        return value

    @field_validator("search", mode="before")
    @classmethod
    def _one_query(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


class RedditRateLimited(SourceError):
    """Reddit kept answering HTTP 429 for longer than `max_rate_limit_wait_s`."""


class _ListingFailed(Exception):
    """One listing could not be read (forbidden, missing, server error)."""


def _import_praw() -> Any:
    try:
        import praw
    except ModuleNotFoundError:
        raise SourceError(
            "the reddit source needs praw: pip install 'stimmung[reddit]'"
        ) from None
    return praw


@register_source("reddit")
class RedditSource(Source):
    """Reddit subreddits and searches through the official API (praw)."""

    Options = RedditOptions
    options: RedditOptions

    def __init__(self, name: str, options: SourceOptions, context: SourceContext) -> None:
        super().__init__(name, options, context)
        self.sleep: Callable[[float], None] = time.sleep
        self._rate_waited = 0.0
        self._reddit: Any = None
        self._yielded: set[str] = set()

    # -- the listings of this source -------------------------------------------------
    def listings(self) -> list[tuple[str, str, str | None]]:
        """(state key, subreddit expression, search query or None) for each listing."""
        result: list[tuple[str, str, str | None]] = []
        for sub in self.options.subreddits:
            sub = _strip_r(sub)
            result.append((f"new:r/{sub}", sub, None))
        queries = list(self.options.search)
        if self.options.search_brands:
            queries.extend(brand_query(name, aliases) for name, aliases in
                           self.context.brand_terms)
        where = "+".join(_strip_r(s) for s in self.options.search_subreddits) or "all"
        for query in dict.fromkeys(queries):
            result.append((f"search:{query}@{where}", where, query))
        return result

    def reddit(self) -> praw.Reddit:
        """The praw client (built once; credentials read from the environment)."""
        if self._reddit is None:
            self._reddit = self._make_reddit()
        return self._reddit

    def _make_reddit(self) -> Any:
        praw_module = _import_praw()
        from pipeline.sources.bounded_session import BoundedSession  # requests comes with praw
        opts = self.options
        client_id = os.environ.get(opts.client_id_env)
        client_secret = os.environ.get(opts.client_secret_env)
        if not client_id or not client_secret:
            raise SourceError(
                f"reddit {self.name}: set {opts.client_id_env} and {opts.client_secret_env} "
                "(register an app at https://www.reddit.com/prefs/apps)"
            )
        kwargs: dict[str, Any] = {
            "client_id": client_id,
            "client_secret": client_secret,
            "user_agent": self.context.user_agent,
            "check_for_updates": opts.check_for_updates,
            "timeout": self.context.timeout_s,
            # an overall deadline and a body cap per request, as for every other source
            "requestor_kwargs": {"session": BoundedSession(self.context.deadline_s,
                                                           self.context.max_body_bytes)},
        }
        username = os.environ.get(opts.username_env)
        password = os.environ.get(opts.password_env)
        if username and password:
            kwargs.update(username=username, password=password)
        if opts.base_url:
            base = opts.base_url.rstrip("/")
            kwargs.update(oauth_url=base, reddit_url=base, short_url=base)
        return praw_module.Reddit(**kwargs)

    def close(self) -> None:
        """Release the HTTP session praw holds (best effort)."""
        session = getattr(getattr(getattr(self._reddit, "_core", None), "_requestor", None),
                          "_http", None)
        if session is not None:
            session.close()
        self._reddit = None

    # -- fetching --------------------------------------------------------------------
    def fetch(self, state: dict[str, Any]) -> Iterator[RawPost]:
        _import_praw()  # a clear error naming the extra when praw is not installed
        import prawcore

        listings = self.listings()
        if not listings:
            raise SourceError(
                f"reddit {self.name}: nothing to read; set subreddits, search or search_brands"
            )
        self._rate_waited = 0.0
        self._yielded = set()  # a post found by two listings is yielded once per run
        cursors: dict[str, Any] = state.setdefault("listings", {})
        failures: list[str] = []
        for key, where, query in listings:
            cursor = cursors.get(key, {})
            try:
                yield from self._fetch_listing(key, where, query, cursor, cursors)
            except _ListingFailed as exc:
                log.error("reddit %s: %s", self.name, exc)
                failures.append(str(exc))
            except (prawcore.OAuthException, prawcore.InvalidToken) as exc:
                raise SourceError(
                    f"reddit {self.name}: Reddit rejected the credentials ({exc}); check "
                    f"{self.options.client_id_env} / {self.options.client_secret_env}"
                ) from None
            except prawcore.ResponseException as exc:
                if exc.response.status_code == 401:
                    raise SourceError(
                        f"reddit {self.name}: Reddit rejected the credentials (HTTP 401); "
                        f"check {self.options.client_id_env} / "
                        f"{self.options.client_secret_env}"
                    ) from None
                log.error("reddit %s: %s failed: %s", self.name, key, exc)
                failures.append(f"{key}: {exc}")
            except prawcore.RequestException as exc:
                raise SourceError(
                    f"reddit {self.name}: cannot reach Reddit ({exc.original_exception})"
                ) from None
            except RedditRateLimited as exc:
                # the listings read so far are stored with their cursors; the rest wait
                # for the next run (Reddit's rate limit holds for every listing)
                log.error("%s", exc)
                failures.append(str(exc))
                break
        state["failures"] = failures
        if failures:
            raise PartialFailure(
                f"reddit {self.name}: {len(failures)} of {len(listings)} listings failed: "
                + "; ".join(failures)
            )

    def _fetch_listing(
        self,
        key: str,
        where: str,
        query: str | None,
        cursor: dict[str, Any],
        cursors: dict[str, Any],
    ) -> Iterator[RawPost]:
        import prawcore

        reddit = self.reddit()
        subreddit = reddit.subreddit(where)
        limit = self.options.limit
        if query is None:
            listing = subreddit.new(limit=limit)
            sorted_new = True
        else:
            listing = subreddit.search(
                query,
                sort=self.options.search_sort,
                time_filter=self.options.search_time_filter,
                limit=limit,
            )
            sorted_new = self.options.search_sort == "new"
        newest_before = float(cursor.get("newest", 0.0))
        seen: list[str] = list(cursor.get("seen", []))
        seen_set = set(seen)
        newest = newest_before
        fresh: list[str] = []
        iterator = iter(listing)
        try:
            while True:
                submission = self._rate_limited(key, lambda: next(iterator, None))
                if submission is None:
                    break
                data = vars(submission)
                created = as_number(data.get("created_utc")) or 0.0
                fullname = f"t3_{data.get('id')}"
                if newest_before and created < newest_before - OVERLAP_S:
                    if sorted_new:
                        break
                    continue
                if fullname in seen_set:
                    continue
                seen_set.add(fullname)
                fresh.append(fullname)
                newest = max(newest, created)
                if fullname in self._yielded:
                    continue
                self._yielded.add(fullname)
                yield submission_to_post(submission, self.name)
                if self.options.comments:
                    yield from self._thread_comments(key, submission)
        except prawcore.Redirect:
            raise _ListingFailed(
                f"{key}: subreddit {where!r} does not exist (Reddit redirected to search)"
            ) from None
        except prawcore.NotFound:
            raise _ListingFailed(
                f"{key}: not found (HTTP 404; the subreddit may be banned or deleted)"
            ) from None
        except prawcore.Forbidden:
            raise _ListingFailed(
                f"{key}: forbidden (HTTP 403; the subreddit is private or quarantined)"
            ) from None
        except prawcore.ServerError as exc:
            raise _ListingFailed(
                f"{key}: Reddit server error (HTTP {exc.response.status_code}) after "
                "retries; try again later"
            ) from None
        # the listing is finished: move its cursor
        cursors[key] = {
            "newest": newest,
            "seen": (fresh + seen)[: self.options.max_seen_ids],  # newest first
        }

    def _thread_comments(self, key: str, submission: Any) -> Iterator[RawPost]:
        """The comments of one thread; a thread that is gone (404/403) skips its comments,
        not the listing."""
        import prawcore

        try:
            yield from self.comment_posts(key, submission)
        except (prawcore.NotFound, prawcore.Forbidden) as exc:
            log.warning("reddit %s: %s: comments of %s skipped (HTTP %s)", self.name, key,
                        getattr(submission, "id", "?"), exc.response.status_code)

    def comment_posts(self, key: str, submission: Any) -> Iterator[RawPost]:
        """The comments of a submission, expanding up to `max_more_comments` "more" links."""
        forest = self._rate_limited(key, lambda: submission.comments)
        limit = max(0, self.options.max_more_comments)
        self._rate_limited(key, lambda: forest.replace_more(limit=limit))
        for comment in forest.list():
            if type(comment).__name__ == "MoreComments":
                continue
            yield comment_to_post(comment, self.name, submission)

    def _rate_limited(self, key: str, call: Callable[[], T]) -> T:
        """Run `call`, sleeping and retrying on HTTP 429 within the run's wait budget."""
        import prawcore

        budget = self.options.max_rate_limit_wait_s
        policy = RetryPolicy(attempts=MAX_RATE_LIMIT_RETRIES + 1, first_wait_s=5.0,
                             max_wait_s=60.0, sleep=self.sleep)

        def attempt(_: int) -> T:
            try:
                return call()
            except prawcore.TooManyRequests as exc:
                raise Retryable("HTTP 429", wait_s=rate_limit_wait(exc.response.headers)
                                ) from None

        def give_up(wait: float) -> RedditRateLimited:
            return RedditRateLimited(
                f"reddit {self.name}: rate limited by Reddit (HTTP 429) while reading "
                f"{key}; waited {self._rate_waited:.0f} s, next wait {wait:.0f} s "
                f"exceeds max_rate_limit_wait_s={budget:g}; giving up for this run")

        def before_retry(_: Retryable, attempt: int, wait: float) -> None:
            if self._rate_waited + wait > budget:
                raise give_up(wait)
            log.warning(
                "reddit %s: HTTP 429 on %s; waiting %.1f s (attempt %d)",
                self.name, key, wait, attempt,
            )
            self._rate_waited += wait

        try:
            return policy.call(attempt, before_retry=before_retry)
        except Retryable as exc:  # MAX_RATE_LIMIT_RETRIES retries, all answered with 429
            raise give_up(policy.wait_after(exc, policy.attempts)) from None


def rate_limit_wait(headers: Any) -> float | None:
    """Seconds Reddit asks to wait after a 429 (Retry-After, else x-ratelimit-reset), or
    None: then the retry policy's backoff (5 s, doubling, at most 60 s)."""
    retry_after = parse_retry_after(headers.get("retry-after"))
    if retry_after is not None:
        return max(1.0, retry_after)  # "0" must not make a busy loop
    reset = headers.get("x-ratelimit-reset")
    if reset:
        try:
            return max(1.0, float(reset))
        except ValueError:
            pass
    return None


def brand_query(name: str, aliases: tuple[str, ...] | list[str]) -> str:
    """One Reddit search query for a brand: `"name" OR "alias" ...`."""
    terms = [name, *aliases]
    unique = [t for t in dict.fromkeys(t.strip() for t in terms) if t]
    return " OR ".join('"' + t.replace('"', "") + '"' for t in unique)


def submission_to_post(submission: Any, source: str) -> RawPost:
    """A praw Submission as a RawPost (no lazy fetch: only what the listing carried)."""
    data = vars(submission)
    body, removed = _body(as_text(data.get("selftext")) or "")
    engagement: dict[str, float] = {}
    for metric, field in (("score", "score"), ("comments", "num_comments"),
                          ("upvote_ratio", "upvote_ratio")):
        value = as_number(data.get(field))
        if value is not None:
            engagement[metric] = value
    payload = praw_payload(data)
    if removed:
        payload["body_removed"] = removed
    permalink = as_text(data.get("permalink")) or f"/comments/{data.get('id')}/"
    return RawPost(
        source=source,
        external_id=f"t3_{as_text(data.get('id'))}"[:200],
        body=body,
        created_at=_utc(data.get("created_utc")),
        url=PUBLIC_URL + permalink,
        author=_author(data.get("author")),
        community=_community(data.get("subreddit")),
        title=as_text(data.get("title")),
        engagement=engagement,
        payload=payload,
    )


def comment_to_post(comment: Any, source: str, submission: Any | None = None) -> RawPost:
    """A praw Comment as a RawPost; its parent is the submission or comment fullname."""
    data = vars(comment)
    body, removed = _body(as_text(data.get("body")) or "")
    engagement: dict[str, float] = {}
    score = as_number(data.get("score"))
    if score is not None:
        engagement["score"] = score
    payload = praw_payload(data)
    if removed:
        payload["body_removed"] = removed
    community = _community(data.get("subreddit"))
    if community is None and submission is not None:
        community = _community(vars(submission).get("subreddit"))
    permalink = as_text(data.get("permalink"))
    if not permalink:
        link = as_text(data.get("link_id")) or ""
        if not link and submission is not None:
            link = f"t3_{vars(submission).get('id')}"
        sub = (community or "r/reddit").removeprefix("r/")
        permalink = f"/r/{sub}/comments/{link.removeprefix('t3_')}/_/{data.get('id')}/"
    return RawPost(
        source=source,
        external_id=f"t1_{as_text(data.get('id'))}"[:200],
        body=body,
        created_at=_utc(data.get("created_utc")),
        url=PUBLIC_URL + permalink,
        author=_author(data.get("author")),
        community=community,
        title=None,
        engagement=engagement,
        parent_id=as_text(data.get("parent_id")),
        payload=payload,
    )


def praw_payload(data: dict[str, Any]) -> dict[str, Any]:
    """The JSON Reddit sent, from a praw object's `__dict__`: JSON-safe, no praw objects."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key.startswith("_") or key in {"replies", "comments"}:
            continue
        out[key] = _json_safe(value)
    return out


def _json_safe(value: Any) -> Any:
    return json_safe(value, convert=_praw_name)


def _praw_name(value: Any) -> str | None:
    """praw objects: Redditor -> name, Subreddit -> display_name."""
    fields = vars(value) if hasattr(value, "__dict__") else {}
    for attr in ("display_name", "name"):
        if isinstance(fields.get(attr), str):
            return str(fields[attr])
    return None


def _body(text: str) -> tuple[str, str | None]:
    stripped = text.strip()
    if stripped in REMOVED_BODIES:
        return "", stripped
    return text, None


def _author(author: Any) -> str | None:
    if author is None:
        return None
    name = vars(author).get("name") if hasattr(author, "__dict__") else author
    name = as_text(name)
    if not name or name == "[deleted]":
        return None
    return name


def _community(subreddit: Any) -> str | None:
    if subreddit is None:
        return None
    name = vars(subreddit).get("display_name") if hasattr(subreddit, "__dict__") else subreddit
    name = as_text(name)
    return f"r/{name}" if name else None


def _utc(value: Any) -> datetime:
    return epoch_utc(value) or utcnow()


def _strip_r(name: str) -> str:
    name = name.strip().strip("/")
    return name[2:] if name.lower().startswith("r/") else name
