"""What the report shows, read from the warehouse by `pipeline.report.queries`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(slots=True)
class DayPoint:
    day: date
    volume: int
    negative: int
    neutral: int
    positive: int
    net_sentiment: float | None  # (pos - neg) / (pos + neg), None when pos + neg == 0
    share_of_voice: float | None  # 0..1 against the brand's competitors


@dataclass(slots=True)
class ShareOfVoice:
    brand: str
    mentions: int
    share: float  # 0..1 of the brand + its competitors in the period


@dataclass(slots=True)
class PostExample:
    post_id: str
    created_at: datetime
    source: str
    community: str | None
    url: str | None
    lang: str | None
    title: str | None
    text: str  # raw post text: the template must escape it
    negative_score: float


@dataclass(slots=True)
class AlertSummary:
    day: date
    rule: str
    severity: int
    message: str


@dataclass(slots=True)
class Kpis:
    volume: int
    volume_prev: int
    net_sentiment: float | None
    net_sentiment_prev: float | None
    negative_share: float | None
    share_of_voice: float | None


@dataclass(slots=True)
class ReportData:
    brand: str
    competitors: list[str]
    period_start: date
    period_end: date  # inclusive
    generated_at: datetime
    kpis: Kpis
    daily: list[DayPoint]
    share_of_voice: list[ShareOfVoice]
    most_negative: list[PostExample]
    alerts: list[AlertSummary] = field(default_factory=list)
    model: str = ""  # "name version" of the sentiment model behind the figures
