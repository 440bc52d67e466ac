"""Hostile servers over local HTTP: slow drips, compression bombs, lying lengths, wrong
content types, huge and nested documents, redirect loops. Every one ends in bounded time
and memory with a clear error, and one hostile source never stops the others."""

from __future__ import annotations

import gzip
import json
import socket
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline.sources.base import SourceError, build_source
from pipeline.sources.http import BodyTooLarge, DeadlineExceeded, HttpClient, HttpError

MB = 1_000_000


def _drip(sock: socket.socket, data: bytes, every_s: float, stop: Any) -> None:
    for i in range(len(data)):
        if stop.is_set():
            return
        sock.sendall(data[i:i + 1])
        time.sleep(every_s)


def _bomb(raw: int, wbits: int) -> bytes:
    """`raw` zero bytes compressed (gzip: wbits 31, zlib: 15, raw deflate: -15)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
    block = bytes(MB)
    parts = [packer.compress(block) for _ in range(raw // MB)]
    return b"".join(parts) + packer.flush()


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    return _bomb(300 * MB, 31)  # 300 MB of zeros in ~300 KB


def _peak_mb(call: Callable[[], Any]) -> tuple[float, BaseException | None]:
    """Peak Python memory while `call` runs (zlib's output buffers are Python bytes)."""
    tracemalloc.start()
    error: BaseException | None = None
    try:
        call()
    except Exception as exc:  # the caller checks which
        error = exc
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / MB, error


def test_slow_drip_body_hits_the_overall_deadline(hostile: Any, http_context: Any) -> None:
    def drip(sock: socket.socket, _path: str) -> None:
        sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
        _drip(sock, b"x" * 100000, 0.3, server.stop)

    server = hostile({"/feed": drip})
    http = HttpClient(http_context(timeout_s=2.0, deadline_s=1.5))
    t0 = time.monotonic()
    with pytest.raises(DeadlineExceeded, match=r"deadline of 1.5 s \(http.deadline_s\)"):
        http.get(f"{server.url}/feed")
    assert time.monotonic() - t0 < 3.0  # each read arrives within the 2 s read timeout


def test_slow_drip_headers_hit_the_overall_deadline(hostile: Any, http_context: Any) -> None:
    def drip(sock: socket.socket, _path: str) -> None:
        _drip(sock, b"HTTP/1.1 200 OK\r\n" + b"X-Slow: " + b"a" * 10000, 0.2, server.stop)

    server = hostile({"/feed": drip})
    http = HttpClient(http_context(timeout_s=2.0, deadline_s=1.0, max_retries=2))
    t0 = time.monotonic()
    with pytest.raises(DeadlineExceeded):
        http.get(f"{server.url}/feed")
    assert time.monotonic() - t0 < 2.5  # retries included in the deadline


@pytest.mark.parametrize("encoding", ["gzip", "gzip-declared-length"])
def test_gzip_bomb_stops_at_the_body_limit(hostile: Any, http_context: Any, raw_reply: Any,
                                           gzip_bomb: bytes, encoding: str) -> None:
    def bomb(sock: socket.socket, _path: str) -> None:
        raw_reply(sock, gzip_bomb, headers={"Content-Encoding": "gzip",
                                            "Content-Type": "application/rss+xml"})

    server = hostile({"/feed": bomb})
    http = HttpClient(http_context(max_body_bytes=5 * MB))
    peak, error = _peak_mb(lambda: http.get(f"{server.url}/feed"))
    assert isinstance(error, BodyTooLarge), error
    assert "larger than the limit of 5 MB (http.max_body_mb)" in str(error)
    assert peak < 20, f"peak {peak:.1f} MB while inflating a 300 MB bomb"


@pytest.mark.parametrize("wbits", [15, -15], ids=["zlib", "raw-deflate"])
def test_deflate_bomb_stops_at_the_body_limit(hostile: Any, http_context: Any,
                                              raw_reply: Any, wbits: int) -> None:
    body = _bomb(100 * MB, wbits)

    def bomb(sock: socket.socket, _path: str) -> None:
        raw_reply(sock, body, headers={"Content-Encoding": "deflate"})

    server = hostile({"/feed": bomb})
    http = HttpClient(http_context(max_body_bytes=2 * MB))
    peak, error = _peak_mb(lambda: http.get(f"{server.url}/feed"))
    assert isinstance(error, BodyTooLarge), error
    assert peak < 15


def test_nested_gzip_bomb(hostile: Any, http_context: Any, raw_reply: Any,
                          gzip_bomb: bytes) -> None:
    twice = gzip.compress(gzip_bomb)

    def bomb(sock: socket.socket, _path: str) -> None:
        raw_reply(sock, twice, headers={"Content-Encoding": "gzip, gzip"})

    server = hostile({"/feed": bomb})
    peak, error = _peak_mb(lambda: HttpClient(http_context()).get(f"{server.url}/feed"))
    assert isinstance(error, BodyTooLarge) and peak < 15


def test_small_gzip_body_is_decoded(hostile: Any, http_context: Any, raw_reply: Any) -> None:
    text = b"<rss version='2.0'><channel><title>t</title></channel></rss>"

    def ok(sock: socket.socket, _path: str) -> None:
        raw_reply(sock, gzip.compress(text), headers={"Content-Encoding": "gzip"})

    server = hostile({"/feed": ok})
    response = HttpClient(http_context()).get(f"{server.url}/feed")
    assert response.content == text and "content-encoding" not in response.headers


def test_declared_length_over_the_limit_is_refused_before_reading(
        hostile: Any, http_context: Any) -> None:
    def huge(sock: socket.socket, _path: str) -> None:
        sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 10000000000\r\n\r\n" + b"x" * 1000)

    server = hostile({"/feed": huge})
    with pytest.raises(BodyTooLarge, match="declared 10,000,000,000 bytes"):
        HttpClient(http_context()).get(f"{server.url}/feed")


def test_endless_chunked_body_stops_at_the_limit(hostile: Any, http_context: Any) -> None:
    def endless(sock: socket.socket, _path: str) -> None:
        sock.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunk = b"%x\r\n%s\r\n" % (65536, b"y" * 65536)
        while not server.stop.is_set():
            sock.sendall(chunk)

    server = hostile({"/feed": endless})
    peak, error = _peak_mb(lambda: HttpClient(http_context(max_body_bytes=3 * MB))
                           .get(f"{server.url}/feed"))
    assert isinstance(error, BodyTooLarge) and peak < 12


def test_redirect_loop_is_a_clear_error(hostile: Any, http_context: Any) -> None:
    def to(target: str) -> Callable[[socket.socket, str], None]:
        def hop(sock: socket.socket, _path: str) -> None:
            sock.sendall(f"HTTP/1.1 302 Found\r\nLocation: {target}\r\nConnection: close\r\n"
                         "Content-Length: 0\r\n\r\n".encode())
        return hop

    server = hostile({"/a": to("/b?token=s3cret"), "/b": to("/a")})
    with pytest.raises(HttpError, match="TooManyRedirects") as info:
        HttpClient(http_context()).get(f"{server.url}/a")
    assert "s3cret" not in str(info.value)
    assert len(server.hits) <= 12


def _feed_source(url: str, context: Any) -> Any:
    return build_source("hostile", "feed", {"url": url}, context)


def _fetch_all(url: str, context: Any) -> list[Any]:
    source = _feed_source(url, context)
    try:
        return list(source.fetch({}))
    finally:
        source.close()


@pytest.mark.parametrize(("content_type", "body", "message"), [
    ("application/rss+xml", b"<html><body><h1>Login</h1></body></html>",
     "not a readable feed"),
    ("application/json", b"\x89PNG\r\n\x1a\n\x00\x00garbage", "not a readable JSON feed"),
    ("application/json", b'{"hello": "world"}', "not a JSON Feed"),
    ("image/png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a readable feed"),
    ("text/xml", b"", "not a readable feed"),
])
def test_wrong_content_types_are_clear_errors(hostile: Any, http_context: Any,
                                              raw_reply: Any, content_type: str, body: bytes,
                                              message: str) -> None:
    server = hostile({"/feed": lambda sock, _p: raw_reply(
        sock, body, headers={"Content-Type": content_type})})
    with pytest.raises(SourceError, match=message):
        _fetch_all(f"{server.url}/feed", http_context())


def test_deeply_nested_json_feed_is_a_clear_error(hostile: Any, http_context: Any,
                                                  raw_reply: Any) -> None:
    body = (b'{"version": "https://jsonfeed.org/version/1.1", "items": '
            + b"[" * 200_000 + b"]" * 200_000 + b"}")
    server = hostile({"/feed.json": lambda sock, _p: raw_reply(
        sock, body, headers={"Content-Type": "application/feed+json"})})
    with pytest.raises(SourceError, match="nested too deeply"):
        _fetch_all(f"{server.url}/feed.json", http_context())


def _nested(depth: int) -> Any:
    value: Any = "bottom"
    for _ in range(depth):
        value = {"x": [value]}
    return value


def test_json_feed_with_odd_types_keeps_every_item(hostile: Any, http_context: Any,
                                                   raw_reply: Any) -> None:
    doc = {"version": "https://jsonfeed.org/version/1.1", "title": ["Blog", 1],
           "items": [
               {"id": "1", "title": ["x", "y"], "content_text": "list title",
                "date_published": "2026-10-01T10:00:00Z"},
               {"id": 2, "title": {"nested": True}, "content_html": ["<p>a</p>"],
                "authors": "not a list", "tags": {"a": 1}},
               {"id": "3", "title": "deep", "content_text": "deep payload",
                "_ext": _nested(400)},
               "not an object",
           ]}
    body = json.dumps(doc).encode()
    server = hostile({"/feed.json": lambda sock, _p: raw_reply(
        sock, body, headers={"Content-Type": "application/feed+json"})})
    posts = _fetch_all(f"{server.url}/feed.json", http_context())
    assert [p.external_id for p in posts] == ["1", "2", "3"]
    assert posts[0].title == "x y" and posts[0].community == "Blog 1"
    assert posts[1].title is None and posts[1].body == "<p>a</p>" and posts[1].author is None
    assert json.dumps(posts[2].payload)  # cut at a bounded depth, serialisable
    assert "[nested too deeply]" in json.dumps(posts[2].payload)


def test_huge_feed_over_the_limit_is_refused(hostile: Any, http_context: Any,
                                            raw_reply: Any) -> None:
    item = b"<item><title>t</title><description>" + b"z" * 1000 + b"</description></item>"
    body = b"<rss version='2.0'><channel><title>big</title>" + item * 3000 + b"</channel></rss>"
    server = hostile({"/feed": lambda sock, _p: raw_reply(
        sock, body, headers={"Content-Type": "application/rss+xml"})})
    with pytest.raises(BodyTooLarge):
        _fetch_all(f"{server.url}/feed", http_context(max_body_bytes=1 * MB))
    assert len(_fetch_all(f"{server.url}/feed", http_context(max_body_bytes=4 * MB))) == 3000


# ------------------------------------------------------------------ the whole run


FEED = (b"<?xml version='1.0'?><rss version='2.0'><channel><title>Good</title>"
        b"<item><guid>g1</guid><title>Kaffeekraft</title><description>Kaffeekraft ist gut"
        b"</description><pubDate>Thu, 01 Oct 2026 10:00:00 GMT</pubDate></item>"
        b"</channel></rss>")


@pytest.fixture
def hostile_run(hostile: Any, raw_reply: Any, gzip_bomb: bytes,
                tmp_path: Path) -> Iterator[tuple[Path, Any]]:
    def drip(sock: socket.socket, _path: str) -> None:
        sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
        _drip(sock, b"x" * 100000, 0.2, server.stop)

    server = hostile({
        "/drip": drip,
        "/bomb": lambda sock, _p: raw_reply(sock, gzip_bomb,
                                            headers={"Content-Encoding": "gzip"}),
        "/good": lambda sock, _p: raw_reply(sock, FEED,
                                            headers={"Content-Type": "application/rss+xml"}),
    })
    port = server.url.rsplit(":", 1)[1]
    config = tmp_path / "stimmung.yaml"
    config.write_text(f"""
warehouse: {{url: "sqlite:///{tmp_path / 'w.db'}"}}
http: {{timeout_s: 2, deadline_s: 2, max_retries: 0, max_body_mb: 5}}
analysis: {{profile: fast}}
brands: [{{name: Kaffeekraft}}]
sources:
  - {{name: drip, kind: feed, options: {{url: "http://bob:hunter2@127.0.0.1:{port}/drip?token=s3cret"}}}}
  - {{name: bomb, kind: feed, options: {{url: "http://127.0.0.1:{port}/bomb?api_key=k3y"}}}}
  - {{name: good, kind: feed, options: {{url: "http://127.0.0.1:{port}/good"}}}}
""", encoding="utf-8")
    yield config, server


def test_hostile_sources_never_stop_the_run(hostile_run: tuple[Path, Any]) -> None:
    from pipeline.config import load_config
    from pipeline.stages.base import open_warehouse
    from pipeline.stages.run import run
    from pipeline.warehouse import state

    config_path, _server = hostile_run
    config = load_config(config_path)
    engine = open_warehouse(config)
    result = run(engine, config)
    outcomes = {o.source: o for o in result.collect.outcomes}
    assert outcomes["good"].status == "ok" and outcomes["good"].items == 1
    assert outcomes["drip"].status == "failed" and "deadline" in (outcomes["drip"].error or "")
    assert outcomes["bomb"].status == "failed" and "max_body_mb" in (outcomes["bomb"].error or "")
    assert result.analyze.mentions == 1
    assert outcomes["drip"].duration_s < 5 and outcomes["bomb"].duration_s < 5
    with engine.connect() as conn:
        stored = {h.source: h.last_error or "" for h in state.all_health(conn)}
    for secret in ("hunter2", "s3cret", "k3y"):
        assert all(secret not in e for e in stored.values()), stored


def test_sources_command_and_run_output_never_show_credentials(
        hostile_run: tuple[Path, Any]) -> None:
    from typer.testing import CliRunner

    from pipeline.cli import app

    config_path, _server = hostile_run
    runner = CliRunner()
    ran = runner.invoke(app, ["run", "--config", str(config_path)])
    listed = runner.invoke(app, ["sources", "--config", str(config_path)])
    assert "good" in ran.output and "drip" in listed.output
    for secret in ("hunter2", "s3cret", "k3y"):
        assert secret not in ran.output and secret not in listed.output
    assert "Traceback" not in ran.output


# ------------------------------------------------------------------ reddit (praw)

TOKEN = b'{"access_token": "x", "token_type": "bearer", "expires_in": 86400, "scope": "*"}'


@pytest.mark.parametrize("attack", ["drip", "drip-headers", "bomb"])
def test_reddit_is_bounded_too(hostile: Any, raw_reply: Any, http_context: Any,
                               gzip_bomb: bytes, monkeypatch: pytest.MonkeyPatch,
                               attack: str) -> None:
    """praw reads through requests, not our httpx helper: its session gets the same
    deadline (a drip in the headers included) and body cap."""
    pytest.importorskip("praw")
    monkeypatch.setenv("STIMMUNG_REDDIT_CLIENT_ID", "id")
    monkeypatch.setenv("STIMMUNG_REDDIT_CLIENT_SECRET", "secret")

    def listing(sock: socket.socket, _path: str) -> None:
        if attack == "bomb":
            raw_reply(sock, gzip_bomb, headers={"Content-Encoding": "gzip",
                                                "Content-Type": "application/json"})
            return
        if attack == "drip-headers":  # each byte well within the read timeout
            _drip(sock, b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 10000, 0.3, server.stop)
            return
        sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 100000\r\n\r\n")
        _drip(sock, b" " * 100000, 0.3, server.stop)

    server = hostile({
        "/api/v1/access_token": lambda sock, _p: raw_reply(
            sock, TOKEN, headers={"Content-Type": "application/json"}),
        "/r/brand/new": listing,
    })
    source = build_source("rd", "reddit", {"base_url": server.url, "subreddits": ["brand"]},
                          http_context(timeout_s=2.0, deadline_s=1.5, max_body_bytes=2 * MB))
    t0 = time.monotonic()
    with pytest.raises(SourceError, match=r"http\.deadline_s|http\.max_body_mb"):
        list(source.fetch({}))
    source.close()
    assert time.monotonic() - t0 < 6
