"""One HTTP session helper for every source: timeouts, retries with backoff, Retry-After."""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from threading import Lock
from typing import Any
from urllib.parse import urlsplit

import httpx

from pipeline.sources.base import SourceContext, SourceError

log = logging.getLogger(__name__)

RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


class HttpError(SourceError):
    """An HTTP request failed for good (after retries, or with a status that is final)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class RateLimited(HttpError):
    """The server asked us to wait longer than the configured maximum."""


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class HttpClient:
    """A polite httpx client: per-host delay, bounded retries, honest errors."""

    def __init__(
        self,
        context: SourceContext,
        *,
        headers: Mapping[str, str] | None = None,
        host_delay_s: float = 0.0,
        backoff_base_s: float = 0.5,
        sleep: Any = time.sleep,
    ) -> None:
        self.context = context
        self.host_delay_s = host_delay_s
        self.backoff_base_s = backoff_base_s
        self._sleep = sleep
        self._last_request: dict[str, float] = {}
        self._lock = Lock()
        self._client = httpx.Client(
            headers={"User-Agent": context.user_agent, **(headers or {})},
            timeout=httpx.Timeout(context.timeout_s),
            follow_redirects=True,
        )

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def get(
        self,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        ok_status: frozenset[int] = frozenset({200, 304}),
    ) -> httpx.Response:
        """GET with retries. Returns responses whose status is in `ok_status`, raises otherwise."""
        return self.request("GET", url, params=params, headers=headers, ok_status=ok_status)

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        data: Any = None,
        ok_status: frozenset[int] = frozenset({200, 304}),
    ) -> httpx.Response:
        attempts = self.context.max_retries + 1
        last_error = "no attempt made"
        for attempt in range(1, attempts + 1):
            self._wait_for_host(url)
            try:
                response = self._client.request(
                    method, url, params=params, headers=headers, data=data
                )
                # read the whole body now so a connection dropped mid-body is retried here
                response.read()
            except httpx.TimeoutException as exc:
                phase = _TIMEOUT_PHASES.get(type(exc), "request")
                last_error = f"timed out after {self.context.timeout_s:g} s ({phase})"
                wait = self._backoff(attempt)
            except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
                raise HttpError(f"{method} {_redact(url)}: invalid URL ({exc})") from None
            except httpx.TransportError as exc:
                last_error = _describe_transport_error(exc)
                wait = self._backoff(attempt)
            except httpx.HTTPError as exc:  # too many redirects, undecodable body, ...
                raise HttpError(
                    f"{method} {_redact(url)} failed: {type(exc).__name__}: {exc}"
                ) from None
            else:
                if response.status_code in ok_status:
                    return response
                if response.status_code not in RETRY_STATUS:
                    raise HttpError(
                        f"{method} {_redact(url)} failed: HTTP {response.status_code}"
                        f" {response.reason_phrase}".rstrip(),
                        status=response.status_code,
                    )
                last_error = f"HTTP {response.status_code}"
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                if retry_after is not None and retry_after > self.context.max_retry_wait_s:
                    raise RateLimited(
                        f"{method} {_redact(url)}: server asks to retry after "
                        f"{retry_after:.0f} s (more than max_retry_wait_s="
                        f"{self.context.max_retry_wait_s:g}); giving up for this run",
                        status=response.status_code,
                    )
                wait = retry_after if retry_after is not None else self._backoff(attempt)
            if attempt < attempts:
                log.warning(
                    "%s %s: %s; retry %d/%d in %.1f s",
                    method, _redact(url), last_error, attempt, attempts - 1, wait,
                )
                self._sleep(wait)
        status = None
        if last_error.startswith("HTTP "):
            status = int(last_error.split()[1])
        cls = RateLimited if status == 429 else HttpError
        raise cls(
            f"{method} {_redact(url)} failed after {attempts} attempts: {last_error}",
            status=status,
        )

    def _backoff(self, attempt: int) -> float:
        wait = self.backoff_base_s * (2 ** (attempt - 1))
        return min(self.context.max_retry_wait_s, wait * (1 + random.random() * 0.25))

    def _wait_for_host(self, url: str) -> None:
        if self.host_delay_s <= 0:
            return
        host = urlsplit(url).netloc
        with self._lock:
            last = self._last_request.get(host)
            now = time.monotonic()
            if last is not None and now - last < self.host_delay_s:
                self._sleep(self.host_delay_s - (now - last))
            self._last_request[host] = time.monotonic()


_TIMEOUT_PHASES: dict[type[Exception], str] = {
    httpx.ConnectTimeout: "connecting",
    httpx.ReadTimeout: "waiting for the response",
    httpx.WriteTimeout: "sending the request",
    httpx.PoolTimeout: "waiting for a connection",
}


def _describe_transport_error(exc: httpx.TransportError) -> str:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.ConnectError):
        return f"connection failed ({text})"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"connection closed by the server mid-response ({text})"
    return f"{type(exc).__name__}: {text}"


def _redact(url: str) -> str:
    """Drop credentials and query strings (they may hold tokens) from URLs in messages."""
    parts = urlsplit(url)
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    return f"{parts.scheme}://{netloc}{parts.path}"
