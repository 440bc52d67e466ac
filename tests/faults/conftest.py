"""A hostile HTTP server on 127.0.0.1: each route is a function writing raw bytes to the
socket, so it can drip, lie about lengths, bomb and loop (no network, bounded threads)."""

from __future__ import annotations

import json
import random
import socket
import socketserver
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

Route = Callable[[socket.socket, str], None]


class HostileServer:
    def __init__(self, routes: dict[str, Route]) -> None:
        self.routes = routes
        self.hits: list[str] = []
        self.stop = threading.Event()
        outer = self

        class _Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                sock: socket.socket = self.request
                sock.settimeout(5)
                data = b""
                try:
                    while b"\r\n\r\n" not in data and len(data) < 65536:
                        chunk = sock.recv(4096)
                        if not chunk:
                            return
                        data += chunk
                    path = data.split(b" ", 2)[1].decode("latin-1")
                    outer.hits.append(path)
                    route = outer.routes.get(path.split("?", 1)[0])
                    if route is None:
                        sock.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                        return
                    route(sock, path)
                except OSError:
                    pass

        class _Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True
            block_on_close = False

        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def close(self) -> None:
        self.stop.set()
        self._server.shutdown()
        self._server.server_close()


def respond(sock: socket.socket, body: bytes, *, status: str = "200 OK",
            headers: dict[str, str] | None = None) -> None:
    head = [f"HTTP/1.1 {status}", f"Content-Length: {len(body)}", "Connection: close"]
    head += [f"{k}: {v}" for k, v in (headers or {}).items()]
    sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)


@pytest.fixture
def hostile() -> Iterator[Callable[[dict[str, Route]], HostileServer]]:
    servers: list[HostileServer] = []

    def start(routes: dict[str, Route]) -> HostileServer:
        server = HostileServer(routes)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


@pytest.fixture
def raw_reply() -> Callable[..., None]:
    """`raw_reply(sock, body, status=..., headers=...)`: one plain HTTP/1.1 answer."""
    return respond


@pytest.fixture
def http_context() -> Callable[..., Any]:
    """A SourceContext with short limits: 2 s per read, 3 s per request, 1 MB bodies."""

    def make(**overrides: Any) -> Any:
        from pipeline.sources.base import SourceContext

        values: dict[str, Any] = {"timeout_s": 2.0, "max_retries": 0, "max_retry_wait_s": 1.0,
                                  "deadline_s": 3.0, "max_body_bytes": 1_000_000}
        values.update(overrides)
        return SourceContext(**values)

    return make


# ------------------------------------------------------------------ a small corpus

FILLER = ("morning", "office", "kitchen", "weekend", "delivery", "store", "website", "package",
          "colour", "price", "handle", "water", "filter", "beans", "milk", "cup", "design",
          "manual", "warranty", "friend", "family", "garden", "train", "holiday", "neighbour",
          "evening", "station", "shelf", "counter", "machine", "grinder", "kettle", "Tasse",
          "Bohnen", "Küche", "Wochenende", "Laden", "Paket", "Preis", "Wasser", "Filter",
          "Griff", "Farbe", "Büro", "Freund", "Familie", "Garten", "Urlaub", "Abend",
          "Nachbar", "Regal", "Theke", "Mühle", "Kanne", "Becher")
GOOD = ("love it, excellent and wonderful", "great quality, really happy",
        "super, ich bin begeistert und sehr zufrieden", "fantastic, best purchase ever")
BAD = ("terrible, broken and awful, I want a refund", "worst experience, useless and angry",
       "furchtbar, kaputt und ärgerlich, nie wieder", "horrible support, totally disappointed")


def write_spike_corpus(path: Path) -> int:
    """30 days of posts about two brands, quiet, then a negative spike on the last days
    (texts drawn from a seeded vocabulary, so near-duplicate detection keeps them)."""
    rng = random.Random(14)
    start = datetime.now(UTC).replace(hour=8, minute=0, second=0, microsecond=0) \
        - timedelta(days=30)
    rows = []
    for day in range(30):
        spike = day >= 27
        for i in range(20 if spike else 6):
            negative = (spike and i % 5 != 0) or (not spike and i % 6 == 0)
            brand = "Brühwerk" if i % 4 == 3 and not spike else "Kaffeekraft"
            feeling = rng.choice(BAD if negative else GOOD)
            words = " ".join(rng.sample(FILLER, 9))
            rows.append({
                "id": f"d{day:02d}-{i:02d}", "text": f"{brand}: {feeling}. {words}. {feeling}",
                "created_at": (start + timedelta(days=day, minutes=37 * i)).isoformat(),
                "author": f"user{rng.randrange(40)}", "community": f"forum-{i % 3}",
            })
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return len(rows)


@pytest.fixture(scope="session")
def spike_corpus() -> Callable[[Path], int]:
    """`spike_corpus(path)` writes the JSONL corpus; returns the number of posts."""
    return write_spike_corpus
