"""The shared HTTP helper: timeouts, broken connections, Retry-After, retries, identity."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from typing import Any

import pytest

from pipeline.sources.base import SourceContext
from pipeline.sources.http import HttpClient, HttpError, RateLimited, parse_retry_after


def client(**context: Any) -> tuple[HttpClient, list[float]]:
    waits: list[float] = []
    ctx = SourceContext(**{"timeout_s": 2.0, "max_retries": 2, "max_retry_wait_s": 30.0,
                           **context})
    return HttpClient(ctx, sleep=waits.append, backoff_base_s=0.01), waits


def test_slow_server_times_out_clearly(serve: Any, reply: Any) -> None:
    server = serve(lambda request: reply(200, "late", delay_s=0.6))
    http, waits = client(timeout_s=0.2, max_retries=1)
    with pytest.raises(HttpError, match=r"failed after 2 attempts: timed out after 0.2 s"):
        http.get(f"{server.url}/slow")
    assert len(server.requests) == 2 and len(waits) == 1


def test_connection_closed_mid_body(serve: Any, reply: Any) -> None:
    server = serve(lambda request: reply(200, "x" * 5000, truncate_to=100))
    http, _ = client(max_retries=0)
    with pytest.raises(HttpError, match="connection closed by the server mid-response"):
        http.get(f"{server.url}/cut?token=secret")
    try:
        http.get(f"{server.url}/cut?token=secret")
    except HttpError as exc:
        assert "secret" not in str(exc) and exc.status is None


def test_429_retry_after_is_honoured(serve: Any, routes: Any, reply: Any) -> None:
    server = serve(routes({"GET /api": [
        reply(429, "slow down", {"Retry-After": "3"}),
        reply(503, "busy", {"Retry-After": "Thu, 01 Jan 1970 00:00:00 GMT"}),
        reply(200, {"ok": True}),
    ]}, token=False))
    http, waits = client()
    response = http.get(f"{server.url}/api")
    assert response.json() == {"ok": True}
    assert waits == [3.0, 0.0]  # an HTTP date in the past means: now


def test_retry_after_above_max_is_rate_limited_at_once(serve: Any, reply: Any) -> None:
    server = serve(lambda request: reply(429, "later", {"Retry-After": "3600"}))
    http, waits = client(max_retry_wait_s=60)
    with pytest.raises(RateLimited, match="retry after 3600 s") as info:
        http.get(f"{server.url}/api")
    assert info.value.status == 429
    assert len(server.requests) == 1 and waits == []


def test_500_is_retried_then_fails(serve: Any, reply: Any) -> None:
    server = serve(lambda request: reply(500, "boom"))
    http, waits = client(max_retries=2)
    with pytest.raises(HttpError, match="failed after 3 attempts: HTTP 500") as info:
        http.get(f"{server.url}/api")
    assert info.value.status == 500 and not isinstance(info.value, RateLimited)
    assert len(server.requests) == 3 and len(waits) == 2
    assert waits[1] > waits[0] > 0  # exponential backoff


def test_404_is_final(serve: Any, reply: Any) -> None:
    server = serve(lambda request: reply(404, "no"))
    http, waits = client()
    with pytest.raises(HttpError, match="HTTP 404") as info:
        http.get(f"{server.url}/missing")
    assert info.value.status == 404 and len(server.requests) == 1 and waits == []


def test_user_agent_names_product_and_contact(serve: Any, reply: Any) -> None:
    server = serve(lambda request: reply(200, "ok"))
    http, _ = client()
    http.get(server.url + "/")
    agent = server.requests[0].headers["user-agent"]
    assert agent.startswith("stimmung/") and "contact:" in agent


def test_per_host_delay(serve: Any, reply: Any) -> None:
    server = serve(lambda request: reply(200, "ok"))
    waits: list[float] = []
    http = HttpClient(SourceContext(), host_delay_s=5.0, sleep=waits.append)
    http.get(server.url + "/a")
    http.get(server.url + "/b")
    assert len(waits) == 1 and 4.0 < waits[0] <= 5.0


def test_invalid_url_and_refused_connection() -> None:
    http, waits = client(max_retries=1)
    with pytest.raises(HttpError, match="invalid URL"):
        http.get("ftp://example.org/feed")
    with pytest.raises(HttpError, match="connection failed"):
        http.get("http://127.0.0.1:9/")
    assert len(waits) == 1


def test_parse_retry_after() -> None:
    now = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("Mon, 01 Jan 2024 12:00:30 GMT", now=now) == 30.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


def test_each_retry_is_logged_once_without_secrets(serve: Any, reply: Any,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    server = serve(lambda request: reply(503, "busy"))
    http, waits = client(max_retries=2)
    caplog.set_level(logging.WARNING, logger="pipeline.sources.http")
    with pytest.raises(HttpError, match=r"failed after 3 attempts: HTTP 503$"):
        http.get(f"{server.url}/api?token=SECRET-42")
    lines = [r.getMessage() for r in caplog.records if r.name == "pipeline.sources.http"]
    assert len(lines) == 2 and len(waits) == 2  # one line per retry, none after the last
    for number, (line, wait) in enumerate(zip(lines, waits, strict=True), start=1):
        assert re.fullmatch(rf"GET {re.escape(server.url)}/api\?token=\*\*\* ?: HTTP 503; "
                            rf"retry {number}/2 in {wait:.1f} s", line), line
    assert "SECRET-42" not in caplog.text
