"""The record types that flow between stages."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

LABELS: tuple[str, str, str] = ("negative", "neutral", "positive")


def post_key(source: str, external_id: str) -> str:
    """Stable post id: the same (source, external id) always gives the same key."""
    return hashlib.sha256(f"{source}\x1f{external_id}".encode()).hexdigest()[:24]


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes: everything stored is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def as_date(value: object) -> date:
    """A day from a date, a datetime or an ISO string (some SQLite queries give strings)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


@dataclass(slots=True)
class RawPost:
    """A post as a source fetched it. `author` is raw: it never leaves the raw layer."""

    source: str
    external_id: str
    body: str
    created_at: datetime
    url: str | None = None
    author: str | None = None
    community: str | None = None
    title: str | None = None
    engagement: dict[str, float] = field(default_factory=dict)
    parent_id: str | None = None
    fetched_at: datetime = field(default_factory=utcnow)
    payload: dict[str, Any] = field(default_factory=dict)

    @property
    def post_id(self) -> str:
        return post_key(self.source, self.external_id)


@dataclass(slots=True)
class Post:
    """A cleaned post: plain text, language, hashes, pseudonymous author."""

    post_id: str
    source: str
    external_id: str
    text: str
    created_at: datetime
    lang: str | None
    content_hash: str
    simhash: int
    url: str | None = None
    author_id: str | None = None
    community: str | None = None
    title: str | None = None
    engagement: dict[str, float] = field(default_factory=dict)
    parent_post_id: str | None = None
    duplicate_of: str | None = None


@dataclass(slots=True, frozen=True)
class Mention:
    post_id: str
    brand: str
    matched: tuple[str, ...] = ()


@dataclass(slots=True, frozen=True)
class SentimentResult:
    """One prediction: a label in LABELS and a probability per label (they sum to 1)."""

    label: str
    scores: dict[str, float]
