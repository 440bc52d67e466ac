"""One HTTP session helper for every source: timeouts, retries with backoff, Retry-After
(the retry policy of `pipeline.retry`), an overall deadline per request and a maximum
body size (also after decompression)."""

from __future__ import annotations

import email.utils
import logging
import threading
import time
import zlib
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from threading import Lock
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

from pipeline.redact import redact_url
from pipeline.retry import Retryable, RetryPolicy
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


class BodyTooLarge(HttpError):
    """A response body (as sent, or once decompressed) is larger than `http.max_body_mb`."""


class DeadlineExceeded(HttpError):
    """A request (with its retries) took longer than `http.deadline_s`."""


class _RetryableHttp(Retryable):
    """An attempt failed in a way another may fix: a timeout, a dropped connection, or a
    status in `RETRY_STATUS` (with the server's Retry-After as the wait, when it sent one)."""

    def __init__(self, reason: str, *, wait_s: float | None = None,
                 status: int | None = None) -> None:
        super().__init__(reason, wait_s=wait_s)
        self.status = status


# ---------------------------------------------------------------- overall deadline
# httpx's timeouts bound each network read; a server dripping one byte per few seconds
# never trips them. Every socket read and write goes through `_DeadlineStream`, which
# caps its timeout by what is left of the deadline of the request in this thread.

_deadline = threading.local()


def _bounded(timeout: float | None, exc: type[Exception]) -> float | None:
    end: float | None = getattr(_deadline, "end", None)
    if end is None:
        return timeout
    remaining = end - time.monotonic()
    if remaining <= 0:
        raise exc("overall deadline passed")
    return remaining if timeout is None else min(timeout, remaining)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _bounded(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.start_tls(
            ssl_context, server_hostname, _bounded(timeout, httpcore.ConnectTimeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.connect_tcp(
            host, port, _bounded(timeout, httpcore.ConnectTimeout), local_address,
            socket_options))

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[Any] | None = None
                            ) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.connect_unix_socket(
            path, _bounded(timeout, httpcore.ConnectTimeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def _transport() -> httpx.HTTPTransport:
    transport = httpx.HTTPTransport()
    # httpx does not expose httpcore's `network_backend`; swap the pool for one that has
    # it (same defaults as httpx's own).
    transport._pool = httpcore.ConnectionPool(  # private: see above
        ssl_context=httpx.create_ssl_context(), max_connections=100,
        max_keepalive_connections=20, keepalive_expiry=5.0,
        network_backend=_DeadlineBackend())
    return transport


# ---------------------------------------------------------------- bounded decompression

_CHUNK = 64 * 1024


class _Inflater:
    """gzip / deflate decoding that never produces more than the caller's budget."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        wbits = 16 + zlib.MAX_WBITS if encoding in ("gzip", "x-gzip") else zlib.MAX_WBITS
        self._zlib = zlib.decompressobj(wbits)
        self._first = True

    def feed(self, data: bytes, budget: int) -> bytes:
        parts: list[bytes] = []
        total = 0
        while data:
            try:
                out = self._zlib.decompress(data, _CHUNK)
            except zlib.error:
                if not (self._first and self.encoding == "deflate"):
                    raise
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, no header
                out = self._zlib.decompress(data, _CHUNK)
            self._first = False
            total += len(out)
            if total > budget:
                raise _TooLarge
            parts.append(out)
            data = self._zlib.unconsumed_tail
        return b"".join(parts)


class _TooLarge(Exception):
    pass


def _decode_body(chunks: Iterable[bytes], encodings: list[str], limit: int) -> bytes:
    """The body, decoded, failing with `_TooLarge` once it (raw or decoded) passes `limit`."""
    inflaters = [_Inflater(e) for e in reversed(encodings)]
    parts: list[bytes] = []
    raw = decoded = 0
    for chunk in chunks:
        raw += len(chunk)
        if raw > limit:
            raise _TooLarge
        for inflater in inflaters:
            chunk = inflater.feed(chunk, limit - decoded)
        decoded += len(chunk)
        if decoded > limit:
            raise _TooLarge
        parts.append(chunk)
    return b"".join(parts)


def _content_encodings(headers: httpx.Headers) -> list[str]:
    values = [v.strip().lower() for v in headers.get("content-encoding", "").split(",")]
    encodings = [v for v in values if v and v != "identity"]
    unknown = [e for e in encodings if e not in ("gzip", "x-gzip", "deflate")]
    if unknown:
        raise ValueError(f"unsupported Content-Encoding {', '.join(unknown)}")
    return encodings


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
            headers={"User-Agent": context.user_agent, "Accept-Encoding": "gzip, deflate",
                     **(headers or {})},
            timeout=httpx.Timeout(context.timeout_s),
            follow_redirects=True,
            max_redirects=10,
            transport=_transport(),
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
        deadline_s = self.context.deadline_s
        _deadline.end = time.monotonic() + deadline_s
        try:
            return self._attempts(method, url, params, headers, data, ok_status, attempts)
        except httpx.TimeoutException:
            raise DeadlineExceeded(
                f"{method} {redact_url(url)}: no complete answer within the deadline of "
                f"{deadline_s:g} s (http.deadline_s)") from None
        finally:
            _deadline.end = None

    def _attempts(self, method: str, url: str, params: Mapping[str, Any] | None,
                  headers: Mapping[str, str] | None, data: Any, ok_status: frozenset[int],
                  attempts: int) -> httpx.Response:
        policy = RetryPolicy(attempts=attempts, first_wait_s=self.backoff_base_s,
                             max_wait_s=self.context.max_retry_wait_s, jitter=0.25,
                             sleep=self._sleep)

        def before_retry(error: Retryable, attempt: int, wait: float) -> None:
            log.warning(
                "%s %s: %s; retry %d/%d in %.1f s",
                method, redact_url(url), error.reason, attempt, attempts - 1, wait,
            )
            end = getattr(_deadline, "end", None)
            if end is not None and time.monotonic() + wait >= end:
                raise httpx.ReadTimeout("overall deadline passed")

        try:
            return policy.call(
                lambda _: self._attempt(method, url, params, headers, data, ok_status),
                before_retry=before_retry)
        except _RetryableHttp as exc:
            cls = RateLimited if exc.status == 429 else HttpError
            raise cls(
                f"{method} {redact_url(url)} failed after {attempts} attempts: {exc.reason}",
                status=exc.status,
            ) from None

    def _attempt(self, method: str, url: str, params: Mapping[str, Any] | None,
                 headers: Mapping[str, str] | None, data: Any,
                 ok_status: frozenset[int]) -> httpx.Response:
        """One attempt: the response, a final `HttpError`, or `_RetryableHttp`."""
        self._wait_for_host(url)
        if _past_deadline():
            raise httpx.ReadTimeout("overall deadline passed")
        try:
            # read the whole body now so a connection dropped mid-body is retried here
            response = self._fetch(method, url, params, headers, data)
        except httpx.TimeoutException as exc:
            if _past_deadline():
                raise
            phase = _TIMEOUT_PHASES.get(type(exc), "request")
            raise _RetryableHttp(
                f"timed out after {self.context.timeout_s:g} s ({phase})") from None
        except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
            raise HttpError(f"{method} {redact_url(url)}: invalid URL ({exc})") from None
        except httpx.TransportError as exc:
            raise _RetryableHttp(_describe_transport_error(exc)) from None
        except httpx.HTTPError as exc:  # too many redirects, undecodable body, ...
            raise HttpError(redact_url(
                f"{method} {url} failed: {type(exc).__name__}: {exc}"
            )) from None
        if response.status_code in ok_status:
            return response
        if response.status_code not in RETRY_STATUS:
            raise HttpError(
                f"{method} {redact_url(url)} failed: HTTP {response.status_code}"
                f" {response.reason_phrase}".rstrip(),
                status=response.status_code,
            )
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        if retry_after is not None and retry_after > self.context.max_retry_wait_s:
            raise RateLimited(
                f"{method} {redact_url(url)}: server asks to retry after "
                f"{retry_after:.0f} s (more than max_retry_wait_s="
                f"{self.context.max_retry_wait_s:g}); giving up for this run",
                status=response.status_code,
            )
        raise _RetryableHttp(f"HTTP {response.status_code}", wait_s=retry_after,
                             status=response.status_code)

    def _fetch(self, method: str, url: str, params: Mapping[str, Any] | None,
               headers: Mapping[str, str] | None, data: Any) -> httpx.Response:
        """One attempt, its body read in full within `http.max_body_mb`, decoded here
        (gzip/deflate with a bounded output, so a compression bomb stops at the limit)."""
        limit = self.context.max_body_bytes
        with self._client.stream(method, url, params=params, headers=headers,
                                 data=data) as response:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise BodyTooLarge(
                    self._too_large(method, url, f"; declared {int(declared):,} bytes"),
                    status=response.status_code)
            try:
                encodings = _content_encodings(response.headers)
                body = _decode_body(response.iter_raw(), encodings, limit)
            except _TooLarge:
                raise BodyTooLarge(
                    self._too_large(method, url, " (counted while reading and inflating)"),
                    status=response.status_code) from None
            except (ValueError, zlib.error) as exc:
                raise HttpError(f"{method} {redact_url(url)}: undecodable body ({exc})",
                                status=response.status_code) from None
            kept = [(k, v) for k, v in response.headers.multi_items()
                    if k.lower() not in ("content-encoding", "content-length",
                                         "transfer-encoding")]
            return httpx.Response(
                response.status_code, headers=kept, content=body, request=response.request,
                extensions={k: v for k, v in response.extensions.items()
                            if k in ("http_version", "reason_phrase")},
                history=response.history,
            )

    def _too_large(self, method: str, url: str, detail: str) -> str:
        return (f"{method} {redact_url(url)}: response body larger than the limit of "
                f"{self.context.max_body_bytes / 1e6:g} MB (http.max_body_mb){detail}")

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


def _past_deadline() -> bool:
    end = getattr(_deadline, "end", None)
    return end is not None and time.monotonic() >= end
