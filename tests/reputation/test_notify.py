from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from aiosmtpd.controller import Controller

from pipeline.config import NotificationConfig
from pipeline.reputation.notify import deliver

if TYPE_CHECKING:  # the fixture lives in tests/reputation/conftest.py
    from tests.conftest import LocalWebhook


class _Mailbox:
    def __init__(self) -> None:
        self.messages: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope.content.decode("utf-8", "replace"))
        return "250 OK"


@pytest.fixture
def smtp(closed_port: int) -> Iterator[tuple[int, _Mailbox]]:
    box = _Mailbox()
    port = closed_port  # free: the SMTP server listens there
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, box
    controller.stop()


def _no_sleep(_: float) -> None:
    return


def test_webhook_and_email_are_delivered(webhook: LocalWebhook,
                                        smtp: tuple[int, _Mailbox]) -> None:
    port, box = smtp
    mail = (f"mailto://127.0.0.1:{port}?from=alerts@example.com&to=oncall@example.com"
            "&mode=insecure")
    result = deliver([NotificationConfig(name="hook", url=webhook.url),
                      NotificationConfig(name="mail", url=mail)],
                     title="stimmung alert: Acme", body="40 negative mentions today")
    assert result == {"hook": "ok", "mail": "ok"}
    assert len(webhook.received) == 1
    assert webhook.received[0]["title"] == "stimmung alert: Acme"
    assert webhook.received[0]["message"] == "40 negative mentions today"
    for _ in range(50):  # the SMTP handler runs in its own thread
        if box.messages:
            break
        time.sleep(0.05)
    assert len(box.messages) == 1
    assert "Subject: stimmung alert: Acme" in box.messages[0]
    assert "40 negative mentions today" in box.messages[0]
    assert "To: oncall@example.com" in box.messages[0]


def test_failing_channel_is_retried_recorded_and_others_still_delivered(
    webhook: LocalWebhook, caplog: pytest.LogCaptureFixture, closed_port: int,
) -> None:
    dead = f"json://127.0.0.1:{closed_port}/hooks/DEAD-SECRET-456"
    waits: list[float] = []
    caplog.set_level(logging.DEBUG)
    result = deliver([NotificationConfig(name="dead", url=dead),
                      NotificationConfig(name="hook", url=webhook.url)],
                     title="t", body="b", retries=2, backoff=0.5, sleep=waits.append)
    assert result["hook"] == "ok"
    assert result["dead"].startswith("delivery failed after 3 attempts: connection refused")
    assert waits == [0.5, 1.0]  # exponential backoff between the 3 attempts
    assert len(webhook.received) == 1
    everything = caplog.text + json.dumps(result)
    assert "DEAD-SECRET-456" not in everything and "SECRET-TOKEN-123" not in everything
    assert "dead" in caplog.text  # the failure is logged, by channel name


def test_a_transient_failure_is_retried_until_delivered(webhook: LocalWebhook) -> None:
    webhook.fail_first = 1
    waits: list[float] = []
    result = deliver([NotificationConfig(name="hook", url=webhook.url)], title="t", body="b",
                     retries=2, backoff=1.0, sleep=waits.append)
    assert result == {"hook": "ok"}
    assert waits == [1.0]
    assert len(webhook.received) == 1


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


def test_log_lines_name_the_channel_and_each_attempt(
    webhook: LocalWebhook, caplog: pytest.LogCaptureFixture, closed_port: int,
) -> None:
    dead = f"json://127.0.0.1:{closed_port}/hooks/DEAD-SECRET-456"
    webhook.fail_first = 1
    caplog.set_level(logging.INFO, logger="pipeline.reputation.notify")
    deliver([NotificationConfig(name="dead", url=dead),
             NotificationConfig(name="hook", url=webhook.url)],
            title="t", body="b", retries=1, backoff=0.1, sleep=_no_sleep)
    lines = [(r.levelname, r.getMessage()) for r in caplog.records
             if r.name == "pipeline.reputation.notify"]
    assert lines == [
        ("WARNING", "notification channel dead: attempt 1/2 failed: connection refused"),
        ("WARNING", "notification channel dead: attempt 2/2 failed: connection refused"),
        ("ERROR", "notification channel dead: delivery failed after 2 attempts: connection "
                  "refused (will retry on the next run)"),
        ("WARNING", "notification channel hook: attempt 1/2 failed: HTTP 503"),
        ("INFO", "notification channel hook: delivered on attempt 2"),
    ]
