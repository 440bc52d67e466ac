from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
from aiosmtpd.controller import Controller

from pipeline.config import NotificationConfig
from pipeline.reputation.notify import deliver


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Hook(BaseHTTPRequestHandler):
    received: ClassVar[list[dict[str, Any]]] = []
    fail_first: ClassVar[int] = 0

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if type(self).fail_first > 0:
            type(self).fail_first -= 1
            self.send_response(503)
            self.end_headers()
            return
        type(self).received.append(json.loads(body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *_: Any) -> None:
        return


@pytest.fixture
def webhook() -> Iterator[str]:
    _Hook.received = []
    _Hook.fail_first = 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"json://127.0.0.1:{server.server_address[1]}/hooks/SECRET-TOKEN-123"
    server.shutdown()
    server.server_close()


class _Mailbox:
    def __init__(self) -> None:
        self.messages: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope.content.decode("utf-8", "replace"))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[int, _Mailbox]]:
    box = _Mailbox()
    port = _free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, box
    controller.stop()


def _no_sleep(_: float) -> None:
    return


def test_webhook_and_email_are_delivered(webhook: str, smtp: tuple[int, _Mailbox]) -> None:
    port, box = smtp
    mail = (f"mailto://127.0.0.1:{port}?from=alerts@example.com&to=oncall@example.com"
            "&mode=insecure")
    result = deliver([NotificationConfig(name="hook", url=webhook),
                      NotificationConfig(name="mail", url=mail)],
                     title="stimmung alert: Acme", body="40 negative mentions today")
    assert result == {"hook": "ok", "mail": "ok"}
    assert len(_Hook.received) == 1
    assert _Hook.received[0]["title"] == "stimmung alert: Acme"
    assert _Hook.received[0]["message"] == "40 negative mentions today"
    for _ in range(50):  # the SMTP handler runs in its own thread
        if box.messages:
            break
        time.sleep(0.05)
    assert len(box.messages) == 1
    assert "Subject: stimmung alert: Acme" in box.messages[0]
    assert "40 negative mentions today" in box.messages[0]
    assert "To: oncall@example.com" in box.messages[0]


def test_failing_channel_is_retried_recorded_and_others_still_delivered(
    webhook: str, caplog: pytest.LogCaptureFixture,
) -> None:
    dead_port = _free_port()  # bound then released: nothing listens there
    dead = f"json://127.0.0.1:{dead_port}/hooks/DEAD-SECRET-456"
    waits: list[float] = []
    caplog.set_level(logging.DEBUG)
    result = deliver([NotificationConfig(name="dead", url=dead),
                      NotificationConfig(name="hook", url=webhook)],
                     title="t", body="b", retries=2, backoff=0.5, sleep=waits.append)
    assert result["hook"] == "ok"
    assert result["dead"].startswith("delivery failed after 3 attempts: connection refused")
    assert waits == [0.5, 1.0]  # exponential backoff between the 3 attempts
    assert len(_Hook.received) == 1
    everything = caplog.text + json.dumps(result)
    assert "DEAD-SECRET-456" not in everything and "SECRET-TOKEN-123" not in everything
    assert "dead" in caplog.text  # the failure is logged, by channel name


def test_a_transient_failure_is_retried_until_delivered(webhook: str) -> None:
    _Hook.fail_first = 1
    waits: list[float] = []
    result = deliver([NotificationConfig(name="hook", url=webhook)], title="t", body="b",
                     retries=2, backoff=1.0, sleep=waits.append)
    assert result == {"hook": "ok"}
    assert waits == [1.0]
    assert len(_Hook.received) == 1


def test_unset_env_and_unknown_scheme_are_reported_not_retried(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("STIMMUNG_TEST_NO_SUCH_HOOK", raising=False)
    waits: list[float] = []
    result = deliver([NotificationConfig(name="env", url_env="STIMMUNG_TEST_NO_SUCH_HOOK"),
                      NotificationConfig(name="bad", url="nosuchscheme://token-789@x")],
                     title="t", body="b", sleep=waits.append)
    assert "STIMMUNG_TEST_NO_SUCH_HOOK is unset" in result["env"]
    assert result["bad"].startswith("not sent:") and "token-789" not in result["bad"]
    assert waits == []
