"""A local webhook endpoint that records what apprise's json:// plugin posts to it."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass
class LocalWebhook:
    url: str = ""  # an apprise json:// URL with a secret-looking path
    received: list[dict[str, Any]] = field(default_factory=list)
    fail_first: int = 0  # answer this many requests with 503 first


@pytest.fixture
def webhook() -> Iterator[LocalWebhook]:
    hook = LocalWebhook()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if hook.fail_first > 0:
                hook.fail_first -= 1
                self.send_response(503)
                self.end_headers()
                return
            hook.received.append(json.loads(body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *_: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    hook.url = f"json://127.0.0.1:{server.server_address[1]}/hooks/SECRET-TOKEN-123"
    yield hook
    server.shutdown()
    server.server_close()
