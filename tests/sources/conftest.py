"""Fake HTTP servers on 127.0.0.1 for the source tests (fixtures only, no network)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

SHARED = Path(__file__).resolve().parents[2].parent / "shared"


@dataclass
class Request:
    """One request the fake server received."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    @property
    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode("utf-8", "replace"))

    def arg(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None


@dataclass
class Reply:
    """What the fake server answers; `body` may be bytes, str or JSON-able data."""

    status: int = 200
    body: Any = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    truncate_to: int | None = None  # send only this many body bytes, then close

    def encoded(self) -> tuple[bytes, dict[str, str]]:
        headers = dict(self.headers)
        body = self.body
        if isinstance(body, dict | list):
            body = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json; charset=UTF-8")
        elif isinstance(body, str):
            body = body.encode("utf-8")
            headers.setdefault("Content-Type", "text/html; charset=utf-8")
        return body, headers


Handler = Callable[[Request], Reply]


class FakeServer:
    """A ThreadingHTTPServer on 127.0.0.1:0 that answers with `handler`, logging requests."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[Request] = []
        outer = self

        class _Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = Request(
                    method=self.command,
                    path=parts.path,
                    query=parse_qs(parts.query, keep_blank_values=True),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                )
                outer.requests.append(request)
                try:
                    reply = outer.handler(request)
                except Exception as exc:  # a broken test handler answers 599
                    reply = Reply(599, f"handler error: {exc!r}")
                if reply.delay_s:
                    time.sleep(reply.delay_s)
                data, headers = reply.encoded()
                try:
                    self.send_response(reply.status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    if self.command != "HEAD":
                        if reply.truncate_to is not None:
                            self.wfile.write(data[: reply.truncate_to])
                            self.wfile.flush()
                            self.close_connection = True
                            return
                        self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = do_POST = do_HEAD = _serve

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def paths(self, method: str | None = None) -> list[str]:
        return [r.path for r in self.requests if method is None or r.method == method]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def serve() -> Iterator[Callable[[Handler], FakeServer]]:
    """Factory: `serve(handler)` starts a fake server, stopped after the test."""
    servers: list[FakeServer] = []

    def start(handler: Handler) -> FakeServer:
        server = FakeServer(handler)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


@pytest.fixture
def shared_dir() -> Path:
    """`<repo>/../shared`, or skip the test when it is not there."""
    if not (SHARED / "fixtures").is_dir():
        pytest.skip("../shared/fixtures is not available")
    return SHARED


# -- Reddit ----------------------------------------------------------------------------

TOKEN = {"access_token": "x", "token_type": "bearer", "expires_in": 86400, "scope": "*"}
_MATCH_KEYS = ("after", "before", "q", "id")


def _norm(path: str) -> str:
    return path.rstrip("/") or "/"


class CassetteReplay:
    """Replays betamax interactions: method + path + the identifying query params."""

    def __init__(self, cassettes: list[Path]) -> None:
        self.interactions: list[dict[str, Any]] = []
        for path in cassettes:
            self.interactions.extend(json.loads(path.read_text())["interactions"])
        self.unmatched: list[str] = []

    def __call__(self, request: Request) -> Reply:
        if request.path.rstrip("/") == "/api/v1/access_token":
            return Reply(200, TOKEN)
        for item in self.interactions:
            recorded = item["request"]
            uri = urlsplit(recorded["uri"])
            if recorded["method"] != request.method or _norm(uri.path) != _norm(request.path):
                continue
            query = parse_qs(uri.query)
            if all(query.get(k) == request.query.get(k) for k in _MATCH_KEYS):
                response = item["response"]
                headers = {
                    k: v[0] for k, v in response["headers"].items()
                    if k.lower() in {"content-type", "retry-after"}
                }
                return Reply(response["status"]["code"], response["body"]["string"], headers)
        self.unmatched.append(f"{request.method} {request.path}?{request.query}")
        return Reply(404, {"message": "Not Found", "error": 404})


@pytest.fixture
def reddit_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake Reddit credentials in the environment, and no real sleeps in prawcore."""
    import prawcore.sessions

    monkeypatch.setenv("STIMMUNG_REDDIT_CLIENT_ID", "test-client-id")
    monkeypatch.setenv("STIMMUNG_REDDIT_CLIENT_SECRET", "test-client-secret-do-not-log")
    monkeypatch.delenv("STIMMUNG_REDDIT_USERNAME", raising=False)
    monkeypatch.delenv("STIMMUNG_REDDIT_PASSWORD", raising=False)
    monkeypatch.setattr(prawcore.sessions.FiniteRetryStrategy, "_sleep_seconds", lambda self: None)


@pytest.fixture
def cassette_server(
    serve: Callable[[Handler], FakeServer], shared_dir: Path
) -> Callable[..., tuple[FakeServer, CassetteReplay]]:
    """Factory: `cassette_server("TestSubredditListings.test_new", ...)`."""

    def start(*names: str) -> tuple[FakeServer, CassetteReplay]:
        folder = shared_dir / "fixtures" / "reddit_cassettes"
        replay = CassetteReplay([folder / f"{name}.json" for name in names])
        return serve(replay), replay

    return start


class Routes:
    """A handler from a table `"METHOD /path" -> Reply | [Reply, ...] | callable`.

    A list answers its replies in turn and repeats the last one. Unknown paths get 404.
    """

    def __init__(self, table: dict[str, Any], token: bool = True) -> None:
        self.table = table  # kept by reference: a test may change it between runs
        self.token = token
        self.calls: dict[str, int] = {}

    def __call__(self, request: Request) -> Reply:
        key = f"{request.method} {_norm(request.path)}"
        if self.token and key == "POST /api/v1/access_token" and key not in self.table:
            return Reply(200, TOKEN)
        entry = next((v for k, v in self.table.items()
                      if k.split(" ", 1)[0] + " " + _norm(k.split(" ", 1)[1]) == key), None)
        if entry is None:
            return Reply(404, {"message": "Not Found", "error": 404})
        count = self.calls.get(key, 0)
        self.calls[key] = count + 1
        if callable(entry) and not isinstance(entry, Reply):
            return entry(request)  # type: ignore[no-any-return]
        if isinstance(entry, list):
            return entry[min(count, len(entry) - 1)]  # type: ignore[no-any-return]
        return entry  # type: ignore[no-any-return]


@pytest.fixture
def routes() -> type[Routes]:
    return Routes


@pytest.fixture
def reply() -> type[Reply]:
    return Reply
