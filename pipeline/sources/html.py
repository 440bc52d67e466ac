"""HTML pages: blogs without feeds and forums (phpBB, vBulletin) read by CSS selectors.

A list page (`start_url`) links to items (`item_selector`) and to the next list page
(`next_selector`, up to `max_pages`). Each item page gives title, author, date and body
by selector; without `body_selector` (or when it matches nothing) the main text is
extracted with trafilatura. `engagement_selectors` maps a metric to a selector whose text
holds a count (`{"comments": ".replies"}`; thousands separators are dropped).

Polite: robots.txt is honoured (disallowed URLs are skipped, logged and counted in
`state["robots_skipped"]`), requests to a host are spaced by `host_delay_s`.
Incremental: `state["seen"]` keeps the item URLs already read (bounded), so a rerun
never fetches an item page twice.

Dates: `date_attr` (e.g. `datetime`) or the element text, read with
`datetime.fromisoformat`, RFC 2822 or `date_formats` (default: ISO-like, German
`%d.%m.%Y %H:%M`, English phpBB `%a %b %d, %Y %I:%M %p`, ...). A naive date is in
`timezone` (default UTC). An item without a readable date gets the fetch time and
`payload["date_fallback"] = True`.
"""

from __future__ import annotations

import email.utils
import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime, tzinfo
from typing import Any
from urllib.parse import parse_qsl, urldefrag, urlencode, urljoin, urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser
from zoneinfo import ZoneInfo

from bs4 import BeautifulSoup, Tag
from pydantic import Field

from pipeline.records import RawPost, utcnow
from pipeline.sources.base import (
    Source,
    SourceContext,
    SourceError,
    SourceOptions,
    register_source,
)
from pipeline.sources.http import HttpClient, HttpError

log = logging.getLogger(__name__)

DEFAULT_DATE_FORMATS = [
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y, %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%a %b %d, %Y %I:%M %p",
    "%a %b %d, %Y %H:%M",
    "%b %d, %Y %I:%M %p",
    "%d %b %Y, %H:%M",
    "%d %B %Y",
    "%B %d, %Y",
    "%m-%d-%Y, %I:%M %p",
    "%m/%d/%Y %I:%M %p",
]


class HtmlOptions(SourceOptions):
    start_url: str
    item_selector: str
    next_selector: str | None = None
    max_pages: int = 5
    title_selector: str | None = None
    author_selector: str | None = None
    date_selector: str | None = None
    date_attr: str | None = None
    date_formats: list[str] = Field(default_factory=lambda: list(DEFAULT_DATE_FORMATS))
    timezone: str = "UTC"
    body_selector: str | None = None
    engagement_selectors: dict[str, str] = Field(default_factory=dict)
    community: str | None = None
    host_delay_s: float = 1.0
    respect_robots: bool = True
    # query parameters that do not identify an item (session ids, tracking)
    drop_params: list[str] = Field(
        default_factory=lambda: ["sid", "s", "phpsessid", "sessionid", "utm_source",
                                 "utm_medium", "utm_campaign", "utm_term", "utm_content"]
    )
    max_items: int | None = None
    max_seen: int = 5000


@register_source("html")
class HtmlSource(Source):
    """Item pages linked from list pages, read with CSS selectors (BeautifulSoup + lxml)."""

    Options = HtmlOptions
    options: HtmlOptions

    def __init__(self, name: str, options: SourceOptions, context: SourceContext) -> None:
        super().__init__(name, options, context)
        self._robots: dict[str, RobotFileParser | None] = {}

    def fetch(self, state: dict[str, Any]) -> Iterator[RawPost]:
        opts = self.options
        try:
            zone: tzinfo = ZoneInfo(opts.timezone)
        except (KeyError, ValueError) as exc:
            raise SourceError(f"html {self.name}: unknown timezone {opts.timezone!r}") from exc
        seen: list[str] = list(state.get("seen", []))
        seen_set = set(seen)
        skipped = 0
        failed = 0
        yielded = 0
        self._robots = {}
        with HttpClient(self.context, host_delay_s=opts.host_delay_s) as http:
            page_url: str | None = opts.start_url
            visited: set[str] = set()
            for _ in range(max(1, opts.max_pages)):
                if page_url is None or page_url in visited:
                    break
                visited.add(page_url)
                if not self._allowed(http, page_url):
                    skipped += 1
                    break
                soup, final_url = self._get_soup(http, page_url, required=True)
                assert soup is not None
                items = self._links(soup, opts.item_selector, final_url)
                if not items:
                    log.warning("html %s: no items match %r on %s", self.name,
                                opts.item_selector, final_url)
                for item_url in items:
                    if item_url in seen_set:
                        continue
                    if opts.max_items is not None and yielded >= opts.max_items:
                        break
                    if not self._allowed(http, item_url):
                        skipped += 1
                        continue
                    item_soup, item_final = self._get_soup(http, item_url, required=False)
                    if item_soup is None:  # not marked seen: tried again next run
                        failed += 1
                        continue
                    yield self._to_post(item_soup, item_url, item_final, final_url, zone)
                    yielded += 1
                    seen_set.add(item_url)
                    seen.append(item_url)
                    state["seen"] = seen[-opts.max_seen:]
                if opts.max_items is not None and yielded >= opts.max_items:
                    break
                nexts = self._links(soup, opts.next_selector, final_url)
                page_url = nexts[0] if nexts else None
        state["seen"] = seen[-opts.max_seen:]
        state["robots_skipped"] = skipped
        state["failed_items"] = failed

    # -- fetching --------------------------------------------------------------------
    def _get_soup(
        self, http: HttpClient, url: str, *, required: bool
    ) -> tuple[BeautifulSoup | None, str]:
        try:
            response = http.get(url, ok_status=frozenset({200}))
        except HttpError as exc:
            if required:
                raise SourceError(f"html {self.name}: list page {url}: {exc}") from None
            log.warning("html %s: item %s skipped: %s", self.name, url, exc)
            return None, url
        return BeautifulSoup(response.content, "lxml"), str(response.url)

    def _allowed(self, http: HttpClient, url: str) -> bool:
        if not self.options.respect_robots:
            return True
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            self._robots[origin] = self._read_robots(http, origin)
        parser = self._robots[origin]
        if parser is None:
            return True
        allowed = parser.can_fetch(self.context.user_agent, url)
        if not allowed:
            log.info("html %s: robots.txt disallows %s; skipped", self.name, url)
        return allowed

    def _read_robots(self, http: HttpClient, origin: str) -> RobotFileParser | None:
        """robots.txt of an origin; None = everything allowed (missing robots.txt)."""
        parser = RobotFileParser(origin + "/robots.txt")
        try:
            response = http.get(origin + "/robots.txt", ok_status=frozenset(range(200, 500)))
        except HttpError as exc:  # unreachable (5xx, network): assume full disallow
            log.warning("html %s: robots.txt of %s unreachable (%s); not crawling",
                        self.name, origin, exc)
            parser.parse(["User-agent: *", "Disallow: /"])
            return parser
        if response.status_code >= 400:
            return None
        parser.parse(response.text.splitlines())
        return parser

    # -- parsing ---------------------------------------------------------------------
    def _links(self, soup: BeautifulSoup, selector: str | None, base: str) -> list[str]:
        """Absolute, canonical URLs of the links that `selector` selects (in page order)."""
        if not selector:
            return []
        drop = {p.lower() for p in self.options.drop_params}
        urls: list[str] = []
        for element in soup.select(selector):
            anchor = element if element.name == "a" else element.find("a", href=True)
            href = anchor.get("href") if isinstance(anchor, Tag) else None
            if isinstance(href, str) and href.strip():
                url = canonical_url(urljoin(base, href.strip()), drop)
                if url not in urls:
                    urls.append(url)
        return urls

    def _to_post(
        self,
        soup: BeautifulSoup,
        url: str,
        final_url: str,
        list_url: str,
        zone: tzinfo,
    ) -> RawPost:
        opts = self.options
        fetched_at = utcnow()
        title = _select_text(soup, opts.title_selector)
        if title is None and soup.title is not None:
            title = soup.title.get_text(" ", strip=True) or None
        author = _select_text(soup, opts.author_selector)
        raw_date = None
        if opts.date_selector:
            element = soup.select_one(opts.date_selector)
            if element is not None:
                value = element.get(opts.date_attr) if opts.date_attr else None
                raw_date = (value if isinstance(value, str) else None) or \
                    element.get_text(" ", strip=True)
        created = parse_date(raw_date, opts.date_formats, zone) if raw_date else None
        payload: dict[str, Any] = {"url": final_url, "list_page": list_url, "date_raw": raw_date}
        body = ""
        if opts.body_selector:
            body = "".join(str(e) for e in soup.select(opts.body_selector))
            payload["body_from"] = "selector"
        if not body.strip():  # no selector, or it matched nothing: the article text
            body = _extract_text(str(soup), final_url)
            payload["body_from"] = "trafilatura"
        if created is None:
            payload["date_fallback"] = True
        engagement: dict[str, float] = {}
        for metric, selector in opts.engagement_selectors.items():
            number = _first_number(_select_text(soup, selector))
            if number is not None:
                engagement[metric] = number
        return RawPost(
            source=self.name,
            external_id=url,
            body=body,
            created_at=created or fetched_at,
            url=final_url,
            author=author,
            community=opts.community or urlsplit(url).hostname,
            title=title,
            engagement=engagement,
            fetched_at=fetched_at,
            payload=payload,
        )


def canonical_url(url: str, drop: set[str]) -> str:
    """`url` without fragment and without the query parameters named in `drop`."""
    url = urldefrag(url)[0]
    parts = urlsplit(url)
    if not parts.query:
        return url
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if k.lower() not in drop]
    return urlunsplit(parts._replace(query=urlencode(query)))


def parse_date(text: str, formats: list[str], zone: tzinfo = UTC) -> datetime | None:
    """A date from page text: ISO 8601, RFC 2822 or one of `formats`; naive = `zone`."""
    cleaned = re.sub(r"\s+", " ", text.replace("»", " ").replace("\xa0", " ")).strip(" ,;-")
    candidates = [cleaned]
    match = re.search(r"\d{4}-\d{2}-\d{2}[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?", cleaned)
    if match:
        candidates.append(match.group(0))
    parsed: datetime | None = None
    for candidate in candidates:
        try:
            parsed = datetime.fromisoformat(candidate.replace("Z", "+00:00"))
            break
        except ValueError:
            pass
        for fmt in formats:
            try:
                parsed = datetime.strptime(candidate, fmt)
                break
            except ValueError:
                continue
        if parsed is not None:
            break
        if re.match(r"^(?:[A-Za-z]{3}, )?\d{1,2} [A-Za-z]{3} \d{4}", candidate):
            try:  # RFC 2822 (the lenient parser reads too much, so only when it looks so)
                parsed = email.utils.parsedate_to_datetime(candidate)
                break
            except (TypeError, ValueError, IndexError):
                pass
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(UTC)


def _select_text(soup: BeautifulSoup, selector: str | None) -> str | None:
    if not selector:
        return None
    element = soup.select_one(selector)
    if element is None:
        return None
    return element.get_text(" ", strip=True) or None


def _first_number(text: str | None) -> float | None:
    """The first number in a text like "Replies: 1.234" or "12 Antworten"."""
    if not text:
        return None
    match = re.search(r"\d[\d.,']*", text)
    if not match:
        return None
    digits = re.sub(r"[.,']", "", match.group(0))
    return float(digits) if digits else None


def _extract_text(html: str, url: str) -> str:
    try:
        import trafilatura
    except ImportError as exc:  # e.g. lxml>=5.2 without lxml_html_clean (needed by justext)
        raise SourceError(
            f"html source needs trafilatura for pages without body_selector: {exc}"
        ) from exc

    text = trafilatura.extract(html, url=url, include_comments=False)
    return text or ""
