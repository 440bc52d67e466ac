"""The one redaction helper: credentials and secret parameters never reach a message."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from pipeline.redact import RedactingFilter, redact


@pytest.mark.parametrize(("text", "expected"), [
    ("GET https://bob:hunter2@example.com/feed.xml?token=abc123&page=2 failed",
     "GET https://***@example.com/feed.xml?token=***&page=2 failed"),
    ("https://x.org/a?api_key=zz&X-Amz-Signature=ff&sig=1&q=ok&key=k",
     "https://x.org/a?api_key=***&X-Amz-Signature=***&sig=***&q=ok&key=***"),
    ("https://x.org/a?client_secret=s&access_token=t&password=p",
     "https://x.org/a?client_secret=***&access_token=***&password=***"),
    ("mailto://user:pass@mail.example.org", "mailto://***@mail.example.org"),
    ("postgresql://stimmung:pw@db:5432/w", "postgresql://***@db:5432/w"),
    ("Authorization: Bearer abcdefghijklmnop", "Authorization: Bearer ***"),
    ("token=abc; secret=x password=y", "token=***; secret=*** password=***"),
    ("https://x.org/a%3Ftoken%3Dabc", "https://x.org/a%3Ftoken%3D***"),
])
def test_secrets_are_masked(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize("text", [
    "expected key=value", "monkey=2 keyboard=3", "https://example.org/feed.xml?page=2",
    "no url here", "", "a@b.org wrote", "http://example.org/user@host",
])
def test_harmless_text_is_kept(text: str) -> None:
    assert redact(text) == text


def test_log_records_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("stimmung.test.redact")
    logger.addFilter(RedactingFilter())
    with caplog.at_level(logging.WARNING, logger="stimmung.test.redact"):
        logger.warning("fetching %s failed", "https://u:p@h.org/f?token=t0k")
    assert caplog.messages == ["fetching https://***@h.org/f?token=*** failed"]


def test_report_source_health_redacts_errors_stored_before_redaction(tmp_path: Path) -> None:
    """Source errors stored by an older release (unredacted) are masked when the report
    reads them."""
    from pipeline.report.queries import _sources
    from pipeline.warehouse.db import make_engine, migrate
    from pipeline.warehouse.schema import source_state

    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    migrate(engine)
    with engine.begin() as conn:
        conn.execute(source_state.insert().values(
            source="blog", kind="feed", status="failed", consecutive_failures=1,
            last_error="GET https://bob:hunter2@example.com/feed?token=abc123 failed"))
    with engine.connect() as conn:
        [health] = _sources(conn)
    assert health.last_error == "GET https://***@example.com/feed?token=*** failed"


def test_redacting_twice_changes_nothing_more() -> None:
    """A log line built with redact_url passes the CLI's RedactingFilter again."""
    once = f"GET {redact('http://x/api?token=SECRET-42')}: HTTP 503; {redact('password=hunter2')}"
    assert once == "GET http://x/api?token=***: HTTP 503; password=***"
    assert redact(once) == once
