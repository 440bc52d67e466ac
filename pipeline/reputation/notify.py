"""Send notifications through apprise (webhooks, Slack, Teams, email, ...).

Every channel is tried on its own: one failing channel never stops the others. A failed
delivery is retried ``retries`` times with exponential backoff (``backoff``, 2x, 4x ...
seconds; the policy of `pipeline.retry`); what finally happened is returned per channel
("ok" or a short reason) so the caller records it (the alert row's ``delivery``) and
retries on its next run.

Channel URLs hold tokens and passwords: they never appear in our logs or in the returned
messages. apprise's own log records (its debug records contain URLs) are captured while
sending and not propagated (urllib3's neither); only a reason from a fixed vocabulary is
extracted from them.

Apprise URL forms tested in ``tests/reputation/test_notify.py``:
* generic webhook: ``json://HOST:PORT/PATH`` (``jsons://`` for https); body
  ``{"version": "1.0", "title": ..., "message": ..., "type": "info", ...}``
* plain SMTP without TLS nor login (e.g. a local relay):
  ``mailto://HOST:PORT?from=alerts@example.com&to=oncall@example.com&mode=insecure``;
  with STARTTLS and login: ``mailtos://USER:PASSWORD@HOST:587?from=...&to=...``.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Sequence

from pipeline.config import NotificationConfig
from pipeline.retry import Retryable, RetryPolicy

log = logging.getLogger(__name__)

DEFAULT_RETRIES = 2
DEFAULT_BACKOFF = 1.0

#: (pattern in apprise's log, reason we report): a fixed vocabulary, never the raw text
_REASONS: tuple[tuple[str, str], ...] = (
    (r"connection refused", "connection refused"),
    (r"timed? ?out", "timed out"),
    (r"name or service not known|nodename nor servname|getaddrinfo failed|"
     r"temporary failure in name resolution", "host not found"),
    (r"certificate verify failed|ssl", "TLS error"),
    (r"auth extension not supported|authentication|auth", "SMTP authentication failed"),
    (r"recipient|refused recipients", "recipient refused"),
)
_URL_LOGGERS = ("apprise", "urllib3", "requests")
_HTTP_STATUS = re.compile(r"error=(\d{3})")


def _reason(apprise_log: str) -> str:
    text = apprise_log.lower()
    for pattern, reason in _REASONS:
        if re.search(pattern, text):
            return reason
    status = _HTTP_STATUS.search(apprise_log)
    if status:
        return f"HTTP {status.group(1)}"
    return "delivery failed"


def _send_once(url: str, title: str, body: str) -> tuple[bool, str]:
    """One attempt; returns (ok, reason). apprise's records stay out of our logs."""
    import apprise

    # apprise's and urllib3's debug records carry the URL (host, path, tokens)
    quiet = [logging.getLogger(name) for name in _URL_LOGGERS]
    saved = [(q.propagate, q.level) for q in quiet]
    for q in quiet[1:]:
        q.propagate = False
        q.setLevel(logging.WARNING)
    quiet[0].propagate = False
    try:
        with apprise.LogCapture(level=logging.DEBUG) as captured:
            sender = apprise.Apprise()
            if not sender.add(url):
                return False, "apprise does not understand the channel URL"
            try:
                ok = bool(sender.notify(title=title, body=body))
            except Exception as exc:  # a plugin bug must not lose the other channels
                return False, f"delivery failed ({type(exc).__name__})"
            text = captured.getvalue()
    finally:
        for q, (propagate, level) in zip(quiet, saved, strict=True):
            q.propagate = propagate
            q.setLevel(level)
    return (True, "ok") if ok else (False, _reason(text))


def deliver(
    channels: Sequence[NotificationConfig], *, title: str, body: str,
    retries: int = DEFAULT_RETRIES, backoff: float = DEFAULT_BACKOFF,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, str]:
    """Send to every channel; returns channel name -> "ok" or what went wrong.

    Each channel gets ``1 + retries`` attempts, waiting ``backoff * 2**k`` seconds before
    retry k+1. A URL the channel cannot resolve (unset environment variable, unknown
    scheme) is not retried. URLs (they hold tokens) are never logged nor returned.
    """
    policy = RetryPolicy(attempts=1 + max(0, retries), first_wait_s=backoff, sleep=sleep)
    results: dict[str, str] = {}
    for channel in channels:
        url = channel.resolve_url()
        if not url:
            results[channel.name] = f"not sent: environment variable {channel.url_env} is unset"
            log.error("notification channel %s: %s", channel.name, results[channel.name])
            continue
        results[channel.name] = _deliver_to(channel.name, url, title, body, policy)
    return results


class _NotSendable(Exception):
    """The channel URL cannot be used at all: retrying would not help."""


def _deliver_to(name: str, url: str, title: str, body: str, policy: RetryPolicy) -> str:
    """One channel, with retries: "ok" or what went wrong (logged by channel name)."""

    def attempt(number: int) -> None:
        ok, reason = _send_once(url, title, body)
        if ok:
            if number > 1:
                log.info("notification channel %s: delivered on attempt %d", name, number)
            return
        if reason.startswith("apprise does not understand"):
            raise _NotSendable(reason)
        log.warning("notification channel %s: attempt %d/%d failed: %s",
                    name, number, policy.attempts, reason)
        raise Retryable(reason)

    try:
        policy.call(attempt)
    except _NotSendable as exc:
        result = f"not sent: {exc}"
    except Retryable as exc:
        result = (f"delivery failed after {policy.attempts} attempts: {exc.reason} "
                  "(will retry on the next run)")
    else:
        return "ok"
    log.error("notification channel %s: %s", name, result)
    return result
