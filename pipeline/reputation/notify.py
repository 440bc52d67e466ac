"""Send notifications through apprise (webhooks, Slack, Teams, email, ...)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from pipeline.config import NotificationConfig

log = logging.getLogger(__name__)


def deliver(channels: Sequence[NotificationConfig], *, title: str, body: str) -> dict[str, str]:
    """Send to every channel; returns channel name -> "ok" or what went wrong.

    URLs (they hold tokens) are never logged.
    """
    import apprise

    results: dict[str, str] = {}
    for channel in channels:
        url = channel.resolve_url()
        if not url:
            results[channel.name] = f"not sent: environment variable {channel.url_env} is unset"
            log.error("notification channel %s: %s", channel.name, results[channel.name])
            continue
        sender = apprise.Apprise()
        if not sender.add(url):
            results[channel.name] = "not sent: apprise does not understand the channel URL"
            log.error("notification channel %s: %s", channel.name, results[channel.name])
            continue
        if sender.notify(title=title, body=body):
            results[channel.name] = "ok"
        else:
            results[channel.name] = "delivery failed (will retry on the next run)"
            log.error("notification channel %s: delivery failed", channel.name)
    return results
